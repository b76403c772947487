-- The access log searched by kind (the admin page's filter): without this index a rare
-- kind over the retention period (two years) walks the time index across most of the table.
CREATE INDEX ix_access_log_action ON access_log (action, at_ms);

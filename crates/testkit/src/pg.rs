//! A throwaway `PostgreSQL` cluster for integration tests.
//!
//! Each test process gets one cluster (`PgCluster::shared()`), created with
//! `initdb` in a fresh directory under the temp dir and listening on a free
//! loopback port. Tests ask it for fresh, empty databases. A detached watchdog
//! shell stops the server and deletes the directory once the test process is
//! gone, because the Rust test harness never runs static destructors.
//!
//! Only std is used: users are switched with `CommandExt::uid/gid` (no
//! `runuser`/`su`), and clients are the `createdb`/`psql` binaries.

use std::env;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Superuser created by `initdb`; trust auth, so no password.
const SUPERUSER: &str = "app";
/// System user created when running as root without a `postgres` user.
const FALLBACK_USER: &str = "motcua-pg";
const NOT_FOUND: &str = "PostgreSQL server binaries not found (initdb, pg_ctl). \
     Install them: apt-get install postgresql (Debian/Ubuntu)";

/// Runs after the test process exits: waits for its PID to disappear, stops
/// the server, removes the directory. Args: $1 test PID, $2 data dir, $3 base
/// dir. It runs as the invoking user (often root), where `pg_ctl` refuses to
/// run, so it sends SIGQUIT itself, which is exactly what
/// `pg_ctl -m immediate stop` does.
const WATCHDOG: &str = r#"
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  # A zombie still answers kill -0, and an orphaned postmaster's new parent
  # (init) may be slow to reap it, so look at the process state too.
  [ -r "/proc/$1/stat" ] || return 0
  read -r st < "/proc/$1/stat" || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}
while alive "$1"; do sleep 0.5; done
pidfile="$2/postmaster.pid"
if [ -f "$pidfile" ]; then
  pm=$(head -n 1 "$pidfile")
  if [ -n "$pm" ]; then
    kill -QUIT "$pm" 2>/dev/null
    n=0
    while [ -f "$pidfile" ] && alive "$pm" && [ "$n" -lt 100 ]; do
      sleep 0.1
      n=$((n + 1))
    done
  fi
fi
rm -rf "$3"
"#;

/// A running throwaway `PostgreSQL` server, see the module docs.
#[derive(Debug)]
pub struct PgCluster {
    port: u16,
    /// Directory holding everything (data dir, server log); the watchdog removes it.
    base: PathBuf,
    data: PathBuf,
    bin: PathBuf,
}

/// OS user that owns and runs the server when we must drop root.
#[derive(Debug, Clone)]
struct OsUser {
    name: String,
    uid: u32,
    gid: u32,
}

// The error is kept so that every test after a failed start fails fast with
// the same message instead of retrying a slow initdb.
static SHARED: OnceLock<Result<PgCluster, String>> = OnceLock::new();
static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

impl PgCluster {
    /// One cluster per test process, started on first use, stopped and
    /// deleted by a watchdog when the process exits.
    ///
    /// # Panics
    /// If the cluster cannot be started; the message carries the
    /// `initdb`/`pg_ctl` output and the server log.
    #[must_use]
    pub fn shared() -> &'static PgCluster {
        match SHARED.get_or_init(PgCluster::start) {
            Ok(cluster) => cluster,
            Err(msg) => panic!("{msg}"),
        }
    }

    /// Creates a fresh, empty database with a unique name and returns its
    /// URL, e.g. `postgres://app@127.0.0.1:PORT/t_1234_0_ab12`.
    /// Safe to call concurrently from many threads.
    ///
    /// # Panics
    /// If `createdb` fails; the message carries its output and the server log.
    #[must_use]
    pub fn create_database(&self) -> String {
        let name = unique_db_name();
        let port = self.port.to_string();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let out = client(&self.bin, "createdb")
                .args(["--no-password", "-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER, &name])
                .output();
            match out {
                Ok(out) if out.status.success() => break,
                // CREATE DATABASE fails while anyone is connected to template1;
                // that is transient, so retry a few times.
                Ok(out) if attempt < 5 && String::from_utf8_lossy(&out.stderr).contains("is being accessed by other users") => {
                    std::thread::sleep(Duration::from_millis(50 * attempt));
                }
                Ok(out) => panic!(
                    "createdb {name} failed ({}):\n{}\n--- server log ---\n{}",
                    out.status,
                    output_text(&out),
                    self.server_log()
                ),
                Err(e) => panic!("cannot run createdb: {e}"),
            }
        }
        format!("postgres://{SUPERUSER}@127.0.0.1:{port}/{name}")
    }

    /// TCP port the server listens on (127.0.0.1 only).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    fn server_log(&self) -> String {
        fs::read_to_string(self.base.join("server.log")).unwrap_or_default()
    }

    fn start() -> Result<PgCluster, String> {
        let bin = find_bin_dir().ok_or_else(|| NOT_FOUND.to_string())?;
        let user = server_user()?;
        let base = make_base_dir(user.as_ref())?;
        let data = base.join("data");
        // Spawned before anything else so that even a half-started cluster
        // is cleaned up when the process ends.
        spawn_watchdog(&data, &base)?;
        let cluster = PgCluster { port: 0, base, data, bin };
        cluster.initdb(user.as_ref())?;
        cluster.start_server(user.as_ref())
    }

    /// Server-side command, run as the server's OS user when we are root.
    fn server_cmd(&self, program: &str, user: Option<&OsUser>) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        scrub_pg_env(&mut cmd);
        // The cwd may be unreadable for the dropped user (e.g. /root).
        cmd.current_dir(&self.base).stdin(Stdio::null());
        if let Some(u) = user {
            // std also clears supplementary groups when switching uid.
            cmd.uid(u.uid).gid(u.gid);
        }
        cmd
    }

    fn initdb(&self, user: Option<&OsUser>) -> Result<(), String> {
        // C.UTF-8 compares by code point like SQLite's BINARY collation, and
        // unlike --no-locale it still case-folds non-ASCII text
        // (lower('ĐÀ') = 'đà', ILIKE). --no-locale is a fallback for systems
        // without a C.UTF-8 locale.
        let mut report = String::new();
        for locale in ["--locale=C.UTF-8", "--no-locale"] {
            let out = self
                .server_cmd("initdb", user)
                .args([
                    OsStr::new("-D"),
                    self.data.as_os_str(),
                    OsStr::new("-A"),
                    OsStr::new("trust"),
                    OsStr::new("-U"),
                    OsStr::new(SUPERUSER),
                    OsStr::new("--no-sync"),
                    OsStr::new("-E"),
                    OsStr::new("UTF8"),
                    OsStr::new(locale),
                ])
                .output()
                .map_err(|e| format!("cannot run initdb in {}: {e}", self.bin.display()))?;
            if out.status.success() {
                return Ok(());
            }
            let _ = writeln!(report, "initdb {locale} failed ({}):\n{}", out.status, output_text(&out));
            // initdb normally removes what it created; make sure for the retry.
            let _ = fs::remove_dir_all(&self.data);
        }
        Err(report)
    }

    fn start_server(mut self, user: Option<&OsUser>) -> Result<PgCluster, String> {
        let log = self.base.join("server.log");
        let mut report = String::new();
        for _ in 0..5 {
            self.port = free_port()?;
            // No Unix socket (-k ''): clients use TCP, and long temp paths
            // would overflow the 107-byte socket path limit.
            let opts = format!(
                "-p {} -k '' -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off \
                 -c max_connections=200 -c TimeZone=UTC",
                self.port
            );
            let _ = fs::remove_file(&log);
            // -l matters: without it the server would inherit our output
            // pipes and `output()` would wait until the server exits.
            let out = self
                .server_cmd("pg_ctl", user)
                .args([
                    OsStr::new("-D"),
                    self.data.as_os_str(),
                    OsStr::new("-l"),
                    log.as_os_str(),
                    OsStr::new("-o"),
                    OsStr::new(&opts),
                    OsStr::new("-w"),
                    OsStr::new("-t"),
                    OsStr::new("60"),
                    OsStr::new("start"),
                ])
                .output()
                .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
            if out.status.success() {
                return Ok(self);
            }
            let server_log = fs::read_to_string(&log).unwrap_or_default();
            let _ = writeln!(
                report,
                "pg_ctl start on port {} failed ({}):\n{}\n--- server log ---\n{}",
                self.port,
                out.status,
                output_text(&out),
                server_log
            );
            // Another process may have taken the port between our probe and
            // the server's bind; only that case is worth retrying.
            if !server_log.contains("could not bind") && !server_log.contains("already in use") {
                break;
            }
        }
        Err(report)
    }
}

fn output_text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Client tool (createdb, psql) from the server's bin dir, else from PATH.
fn client(bin: &Path, program: &str) -> Command {
    let path = bin.join(program);
    let mut cmd = if path.is_file() { Command::new(path) } else { Command::new(program) };
    scrub_pg_env(&mut cmd);
    cmd.stdin(Stdio::null());
    cmd
}

/// PGHOST, PGOPTIONS, PGDATA etc. from the developer's shell must not leak
/// into our commands.
fn scrub_pg_env(cmd: &mut Command) {
    for (key, _) in env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(key);
        }
    }
}

fn has_server_bins(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

/// `pg_config --bindir`, then the newest `/usr/lib/postgresql/*/bin`
/// (Debian/Ubuntu), then `PATH`. `pg_config` may come from libpq-dev alone and
/// point at a directory without server binaries, hence the checks.
fn find_bin_dir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server_bins(&dir) {
            return Some(dir);
        }
    }
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    for entry in fs::read_dir("/usr/lib/postgresql").into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(version) = name.to_str().and_then(|s| s.split('.').map(|p| p.parse().ok()).collect::<Option<Vec<u32>>>()) else {
            continue;
        };
        let dir = entry.path().join("bin");
        if has_server_bins(&dir) && best.as_ref().is_none_or(|(v, _)| version > *v) {
            best = Some((version, dir));
        }
    }
    if let Some((_, dir)) = best {
        return Some(dir);
    }
    env::split_paths(&env::var_os("PATH")?).find(|dir| has_server_bins(dir))
}

fn current_uid() -> Option<u32> {
    // /proc/self is owned by the effective uid; `id -u` covers non-Linux.
    if let Ok(meta) = fs::metadata("/proc/self") {
        return Some(meta.uid());
    }
    let out = Command::new("id").arg("-u").output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn lookup_user(name: &str) -> Option<OsUser> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, name]).stderr(Stdio::null()).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some(OsUser { name: name.to_string(), uid: id("-u")?, gid: id("-g")? })
}

/// `initdb` and `postgres` refuse to run as root: as root, use the
/// `postgres` user, creating a system user if there is none; otherwise run
/// as ourselves (None).
fn server_user() -> Result<Option<OsUser>, String> {
    if current_uid() != Some(0) {
        return Ok(None);
    }
    if let Some(user) = lookup_user("postgres").or_else(|| lookup_user(FALLBACK_USER)) {
        return Ok(Some(user));
    }
    let out = Command::new("useradd").args(["--system", "--no-create-home", "--user-group", FALLBACK_USER]).output();
    // A concurrent test process may have created it first: look again
    // whatever useradd said.
    lookup_user(FALLBACK_USER).map(Some).ok_or_else(|| {
        let detail = match out {
            Ok(out) => output_text(&out),
            Err(e) => e.to_string(),
        };
        format!(
            "running as root, no `postgres` OS user, and `useradd --system --no-create-home \
             {FALLBACK_USER}` failed: {detail}\nCreate an unprivileged user named postgres \
             or {FALLBACK_USER}, or run the tests as a non-root user."
        )
    })
}

/// Whether `user` can reach `dir`: every ancestor must be searchable.
fn traversable(dir: &Path, user: &OsUser) -> bool {
    dir.ancestors().all(|a| {
        fs::metadata(a).is_ok_and(|m| {
            let mode = m.mode();
            mode & 0o001 != 0 || (m.uid() == user.uid && mode & 0o100 != 0) || (m.gid() == user.gid && mode & 0o010 != 0)
        })
    })
}

/// Creates `motcua-pg-PID-...` under the temp dir, owned by the server user.
fn make_base_dir(user: Option<&OsUser>) -> Result<PathBuf, String> {
    let mut parent = env::temp_dir();
    if let Some(u) = user
        && !traversable(&parent, u)
    {
        // e.g. TMPDIR=/root/tmp: the dropped user could not reach it.
        parent = PathBuf::from("/tmp");
        if !traversable(&parent, u) {
            return Err(format!(
                "neither {} nor /tmp is traversable by OS user {}; \
                 set TMPDIR to a directory every user can enter",
                env::temp_dir().display(),
                u.name
            ));
        }
    }
    let mut last_err = None;
    for _ in 0..10 {
        let base = parent.join(format!("motcua-pg-{}-{:x}", std::process::id(), time_noise()));
        match fs::create_dir(&base) {
            Ok(()) => {
                if let Some(u) = user {
                    chown(&base, Some(u.uid), Some(u.gid)).map_err(|e| {
                        let _ = fs::remove_dir(&base);
                        format!("cannot chown {} to {}: {e}", base.display(), u.name)
                    })?;
                }
                return Ok(base);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(format!("cannot create {}: {e}", base.display())),
        }
    }
    Err(format!("cannot create a unique dir in {}: {last_err:?}", parent.display()))
}

fn spawn_watchdog(data: &Path, base: &Path) -> Result<(), String> {
    // Own process group and no inherited stdio: Ctrl-C on the test run must
    // not kill it, and cargo/pipes must not wait for it.
    let child = Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg("motcua-pg-watchdog")
        .arg(std::process::id().to_string())
        .arg(data)
        .arg(base)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot spawn the cleanup watchdog (sh): {e}"))?;
    // Deliberately never waited for: it outlives this process and is then
    // reaped by init.
    std::mem::forget(child);
    Ok(())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot probe a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("cannot probe a free port: {e}"))
}

fn time_noise() -> u32 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().subsec_nanos()
}

/// Process id + counter make names unique within the cluster; the time bits
/// guard against PID reuse should a cluster ever be shared.
fn unique_db_name() -> String {
    let n = DB_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("t_{}_{}_{:04x}", std::process::id(), n, time_noise() & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Mutex;

    fn psql(cluster: &PgCluster, url: &str, sql: &str) -> String {
        let out =
            client(&cluster.bin, "psql").args([url, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]).output().expect("run psql");
        assert!(out.status.success(), "psql failed: {}", output_text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn concurrent_databases() {
        let cluster = PgCluster::shared();
        let urls = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for t in 0..8 {
                let urls = &urls;
                s.spawn(move || {
                    // 20 databases spread over 8 threads.
                    for _ in (t..20).step_by(8) {
                        let url = cluster.create_database();
                        urls.lock().unwrap().push(url);
                    }
                });
            }
        });
        let urls = urls.into_inner().unwrap();
        assert_eq!(urls.len(), 20);
        assert_eq!(urls.iter().collect::<HashSet<_>>().len(), 20);
        let prefix = format!("postgres://app@127.0.0.1:{}/t_", cluster.port());
        assert!(urls.iter().all(|u| u.starts_with(&prefix)), "{urls:?}");

        assert_eq!(psql(cluster, &urls[0], "select 1"), "1");
        // Each database is really there and empty.
        let tables = psql(cluster, &urls[19], "select count(*) from pg_tables where schemaname = 'public'");
        assert_eq!(tables, "0");
    }

    #[test]
    fn vietnamese_text_case_folds() {
        let cluster = PgCluster::shared();
        let url = cluster.create_database();
        let got = psql(cluster, &url, "select lower('ĐÀ NẴNG') || '|' || ('Huế' ilike 'HUẾ')::text");
        assert_eq!(got, "đà nẵng|true");
    }
}

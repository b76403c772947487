//! The catalog's form files moved to `motcua-pages` (`public::forms`); the query encoder is
//! kept here for the pages still in this crate.

pub use motcua_pages::kit::route::urlencode;

//! The page session kit of `motcua-pages`, re-exported for the page still in this crate.

pub use motcua_pages::kit::lang_of;
pub use motcua_pages::kit::session::{PageForm, PageUser, csrf_input, user_bar};

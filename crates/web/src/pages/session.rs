//! The page session kit of `motcua-pages`, re-exported for the pages still in this crate.

pub use motcua_pages::kit::lang_of;
pub use motcua_pages::kit::session::{
    PageForm, PageUpload, PageUser, Upload, csrf_input, local_next, login_url, optional_user, read_multipart, user_bar,
};

//! One module per area; each page is a `pub fn(&PageContext, &View) -> Markup`.

pub mod accounts;
pub mod admin;
pub mod archives;
pub mod errors;
pub mod groups;
pub mod home;
pub mod members;
pub mod search;
pub mod texts;

//! The pages of texts: one text (reading, editing, numbered lines), new texts and imports, wiki
//! pages and a group's recent changes (`text`); its history and comparisons (`history`); its
//! amendments (`amendments`); related work elsewhere (`related`).

pub mod amendments;
pub mod history;
pub mod merging;
pub mod related;
pub mod text;

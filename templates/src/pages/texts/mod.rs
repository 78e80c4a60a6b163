//! The pages of texts: one text (reading, editing, numbered lines), new texts and imports, wiki
//! pages and a group's recent changes (`text`); its history and comparisons (`history`); its
//! amendments (`amendments`, what names one: `amendment_parts`); related work elsewhere
//! (`related`, and a paragraph's own page: `paragraph`).

pub mod amendment_parts;
pub mod amendments;
pub mod history;
pub mod merging;
pub mod paragraph;
pub mod related;
pub mod text;

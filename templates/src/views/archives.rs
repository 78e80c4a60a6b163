//! The views of the archives: the list of past debates with its filters, a debate, and the
//! open-data page.

use time::Date;

use crate::FormErrors;

/// The list's filters, as typed (kept in the form and in the pages' links).
#[derive(Debug, Clone, Default)]
pub struct DebateFiltersView {
    pub place: String,
    pub speaker: String,
    pub from: String,
    pub to: String,
    /// A group id (from a link: the form has no field for it).
    pub group: String,
}

/// A debate in the list.
#[derive(Debug, Clone)]
pub struct DebateEntry {
    pub id: String,
    pub title: String,
    pub held_on: Option<Date>,
    /// The raw day, shown when it is not a date (never, from the store).
    pub held_on_raw: String,
    pub place: String,
    /// The group of that name, when the viewer may see it: (id, name).
    pub group: Option<(String, String)>,
    pub speaker: String,
    pub convention: Option<String>,
    pub excerpt: String,
    /// The excerpt stops before the text's end.
    pub truncated: bool,
}

/// `/debates`: the filters, their errors, and one page of debates.
#[derive(Debug, Clone, Default)]
pub struct DebatesView {
    pub filters: DebateFiltersView,
    /// The group filtered on, by name, when the viewer may see it.
    pub group_name: Option<String>,
    pub errors: FormErrors,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub debates: Vec<DebateEntry>,
}

/// `/debates/{id}`.
#[derive(Debug, Clone)]
pub struct DebateView {
    pub id: String,
    pub title: String,
    pub held_on: Option<Date>,
    pub held_on_raw: String,
    /// "16:30", UTC, when the archive gave a time.
    pub time_utc: Option<String>,
    pub place: String,
    pub group: Option<(String, String)>,
    pub speaker: String,
    pub convention: Option<String>,
    /// The text's paragraphs (separated by blank lines in the archive), plain.
    pub paragraphs: Vec<String>,
    /// The archive's original (http or https only).
    pub url: Option<String>,
}

/// A dataset of the open-data page: its files and columns.
#[derive(Debug, Clone)]
pub struct OpenDataSet {
    /// `texts`, `amendments` or `debates`.
    pub code: String,
    /// Its file names (JSON Lines, CSV).
    pub files: Vec<String>,
    /// Its columns' names (the dictionary says what each means).
    pub columns: Vec<String>,
}

/// `/open-data`.
#[derive(Debug, Clone)]
pub struct OpenDataView {
    pub datasets: Vec<OpenDataSet>,
    /// The data dictionary's file name.
    pub dictionary: String,
}

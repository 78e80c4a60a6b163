//! Archived debates (issue 14, point 7): past debates loaded from a JSON Lines file, public and
//! read-only. `line` checks one line into a `store::NewDebate`; `import` reads a file in two
//! passes (check every line, then hand the valid ones to `Db::import_debates`, which writes
//! them in one transaction with their `debates.imported` event). The command line
//! (`cli::import_debates`) draws the progress bar and says what was refused; the pages and the
//! API (`http/debates/`) list them; the index (`indexing::documents`) makes them searchable.

mod import;
mod line;

pub use import::{Checked, LineError, MAX_LINE_BYTES, check_file, valid_debates};
pub use line::{FIRST_YEAR, MAX_FIELD_CHARS, MAX_TEXT_CHARS, MAX_URL_CHARS, parse_line};

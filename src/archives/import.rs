//! `atelier import debates FILE.jsonl`: the file is read twice, never held in memory. The
//! first pass checks every line and keeps only the refusals (line number and why); the
//! second reads the valid lines again and hands them to the store, which writes them in one
//! transaction. A line that reads differently the second time (the file changed meanwhile)
//! aborts the import: nothing is written.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use std::path::Path;

use time::Date;

use super::line::parse_line;
use crate::store::NewDebate;

/// The longest line read, in bytes: the longest text (200,000 characters of up to 4 bytes) and
/// the other fields, with room for JSON's escapes. A longer line is refused unread.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// A refused line: its number in the file (from 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What the first pass found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Lines holding a debate, valid or not (blank lines are passed over).
    pub lines: u64,
    /// The valid ones.
    pub valid: u64,
    /// The first [`Checked::KEPT`] refusals, in order.
    pub errors: Vec<LineError>,
    /// Every refused line's number.
    refused: BTreeSet<u64>,
}

impl Checked {
    /// Refusals kept with their reasons (the others are counted).
    pub const KEPT: usize = 100;

    pub fn invalid(&self) -> u64 {
        self.refused.len() as u64
    }

    /// The numbers of every refused line (all of them, not only the first kept).
    pub fn refused_lines(&self) -> impl Iterator<Item = u64> + '_ {
        self.refused.iter().copied()
    }
}

fn open(path: &Path) -> anyhow::Result<Lines<BufReader<File>>> {
    let file =
        File::open(path).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    Ok(Lines::new(BufReader::new(file)))
}

/// The first pass: every line checked; `today` bounds the dates.
pub fn check_file(path: &Path, today: Date) -> anyhow::Result<Checked> {
    let mut checked = Checked::default();
    for line in open(path)? {
        let (number, read) = line.map_err(|e| read_error(path, e))?;
        let refusal = match read {
            Got::Blank => continue,
            Got::TooLong => vec![format!("longer than {MAX_LINE_BYTES} bytes")],
            Got::NotUtf8 => vec!["not UTF-8 text".to_owned()],
            Got::Line(text) => match parse_line(&text, today) {
                Ok(_) => {
                    checked.lines += 1;
                    checked.valid += 1;
                    continue;
                }
                Err(reasons) => reasons,
            },
        };
        checked.lines += 1;
        checked.refused.insert(number);
        if checked.errors.len() < Checked::KEPT {
            checked.errors.push(LineError {
                line: number,
                reason: refusal.join("; "),
            });
        }
    }
    Ok(checked)
}

/// The second pass: the valid lines' debates, in order; an error (and the end) when the file
/// cannot be read or no longer reads as the first pass found it.
pub fn valid_debates<'a>(
    path: &Path,
    today: Date,
    checked: &'a Checked,
) -> anyhow::Result<impl Iterator<Item = Result<NewDebate, String>> + 'a> {
    let lines = open(path)?;
    let path = path.display().to_string();
    let changed = move |number: u64| {
        format!("{path} changed while it was imported (line {number}): nothing was imported")
    };
    let mut failed = false;
    Ok(lines.filter_map(move |line| {
        if failed {
            return None;
        }
        let outcome = match line {
            Err(e) => Some(Err(format!("cannot read the file: {e}"))),
            Ok((_, Got::Blank)) => None,
            Ok((number, read)) => {
                let refused = checked.refused.contains(&number);
                match (read, refused) {
                    (Got::Line(text), false) => {
                        Some(parse_line(&text, today).map_err(|_| changed(number)))
                    }
                    (Got::Line(text), true) if parse_line(&text, today).is_err() => None,
                    (Got::TooLong | Got::NotUtf8, true) => None,
                    _ => Some(Err(changed(number))),
                }
            }
        };
        failed = matches!(outcome, Some(Err(_)));
        outcome
    }))
}

fn read_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot read {}: {e}", path.display())
}

/// A line as read: blank, too long (the rest of it skipped), not UTF-8, or its text.
enum Got {
    Blank,
    TooLong,
    NotUtf8,
    Line(String),
}

/// The lines of a file with their numbers, each read up to [`MAX_LINE_BYTES`]; a byte-order
/// mark at the start is dropped.
struct Lines<R> {
    reader: R,
    number: u64,
    buffer: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            number: 0,
            buffer: Vec::new(),
        }
    }

    /// Reads the next line into the buffer (without its end); `false` at the end of the file.
    /// A line over the limit is read to its end and dropped: `Ok(Some(false))`.
    fn read(&mut self) -> std::io::Result<Option<bool>> {
        self.buffer.clear();
        let limit = MAX_LINE_BYTES as u64 + 1;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(None);
        }
        if self.buffer.last() != Some(&b'\n') && self.buffer.len() as u64 == limit {
            // Skip the rest of the line, a block at a time.
            loop {
                let available = self.reader.fill_buf()?;
                if available.is_empty() {
                    break;
                }
                match available.iter().position(|b| *b == b'\n') {
                    Some(at) => {
                        self.reader.consume(at + 1);
                        break;
                    }
                    None => {
                        let n = available.len();
                        self.reader.consume(n);
                    }
                }
            }
            return Ok(Some(false));
        }
        while matches!(self.buffer.last(), Some(b'\n' | b'\r')) {
            self.buffer.pop();
        }
        Ok(Some(true))
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = std::io::Result<(u64, Got)>;

    fn next(&mut self) -> Option<Self::Item> {
        let fits = match self.read() {
            Ok(None) => return None,
            Ok(Some(fits)) => fits,
            Err(e) => return Some(Err(e)),
        };
        self.number += 1;
        if !fits {
            return Some(Ok((self.number, Got::TooLong)));
        }
        let mut bytes: &[u8] = &self.buffer;
        if self.number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let read = match std::str::from_utf8(bytes) {
            Err(_) => Got::NotUtf8,
            Ok(text) if text.trim().is_empty() => Got::Blank,
            Ok(text) => Got::Line(text.to_owned()),
        };
        Some(Ok((self.number, read)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = time::macros::date!(2026 - 03 - 01);

    fn file(contents: &[u8]) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(contents).unwrap();
        file
    }

    const GOOD: &str =
        r#"{"date":"2019-05-12","place":"Paris","speaker":"Louise","title":"Un","text":"x"}"#;

    #[test]
    fn lines_are_numbered_and_bad_ones_kept_with_their_reason() {
        let mut contents = format!("\u{feff}{GOOD}\r\n\n{{oops\n");
        contents.push_str(GOOD);
        contents.push('\n');
        let mut bytes = contents.into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n");
        bytes.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        bytes.extend_from_slice(b"\n");
        bytes.extend_from_slice(GOOD.replace("Un", "Deux").as_bytes());
        let f = file(&bytes);
        let checked = check_file(f.path(), TODAY).unwrap();
        assert_eq!((checked.lines, checked.valid, checked.invalid()), (6, 3, 3));
        let lines: Vec<u64> = checked.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 5, 6]);
        assert!(checked.errors[0].reason.starts_with("not valid JSON"));
        assert_eq!(checked.errors[1].reason, "not UTF-8 text");
        assert!(checked.errors[2].reason.starts_with("longer than"));
        let debates: Vec<_> = valid_debates(f.path(), TODAY, &checked)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let titles: Vec<&str> = debates.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["Un", "Un", "Deux"]);
    }

    #[test]
    fn a_file_changed_between_the_passes_aborts() {
        let f = file(format!("{GOOD}\n{GOOD}\n").as_bytes());
        let checked = check_file(f.path(), TODAY).unwrap();
        std::fs::write(f.path(), format!("{GOOD}\nnope\n")).unwrap();
        let read: Vec<_> = valid_debates(f.path(), TODAY, &checked).unwrap().collect();
        assert_eq!(read.len(), 2);
        assert!(
            read[1]
                .as_ref()
                .unwrap_err()
                .contains("changed while it was imported (line 2)")
        );
    }
}

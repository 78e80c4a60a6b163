//! Bounds on what a peer's sync message may make the server hold, checked before automerge
//! parses, loads or applies anything.
//!
//! automerge's binary format is columnar and run-length encoded, and documents may deflate their
//! columns: a few kilobytes can declare millions of operations (a run of "insert" repeated three
//! million times) or inflate to hundreds of megabytes. Parsing such a chunk costs time and memory
//! in what it declares, not in its size on the wire. So each chunk's structure is read here
//! first: every deflated column is inflated with a bound on the total, and every column's rows
//! are counted from its runs without expanding them. Only a chunk within the limits reaches
//! automerge.
//!
//! The format (automerge's binary document format, "chunks"): 4 magic bytes, a 4-byte checksum,
//! the chunk type, its length (unsigned LEB128), then its data. A change's data is its deps,
//! actor, seq, start op, time, message, other actors, then its op columns; a document's is its
//! actors, heads, the change and op column specifications, then their data; a bundle's is its
//! deps, actors, then the change columns and the op columns, each specification before its data.
//! A column specification is `id << 4 | deflated << 3 | type`.

use std::io::Read;

// Chunk types of automerge's binary format.
pub(super) const DOCUMENT: u8 = 0;
pub(super) const CHANGE: u8 = 1;
pub(super) const COMPRESSED_CHANGE: u8 = 2;
pub(super) const BUNDLE: u8 = 3;

/// Splits an entry of a sync message into automerge chunks: a V2 message puts several changes
/// (or a whole document) in one entry. A chunk is 4 magic bytes, a 4-byte checksum, its type,
/// its length (unsigned LEB128), then its data; the parsers check the magic bytes and checksum.
pub(super) fn split_chunks(mut bytes: &[u8]) -> Result<Vec<&[u8]>, &'static str> {
    const TRUNCATED: &str = "bloc tronqué";
    let mut chunks = Vec::new();
    while !bytes.is_empty() {
        let kind = *bytes.get(8).ok_or(TRUNCATED)?;
        if !matches!(kind, DOCUMENT | CHANGE | COMPRESSED_CHANGE | BUNDLE) {
            return Err("type de bloc inconnu");
        }
        let (mut length, mut shift, mut at) = (0u64, 0u32, 9usize);
        loop {
            let byte = *bytes.get(at).ok_or(TRUNCATED)?;
            at += 1;
            length |= u64::from(byte & 0x7f)
                .checked_shl(shift)
                .ok_or("longueur de bloc invalide")?;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return Err("longueur de bloc invalide");
            }
        }
        let end = usize::try_from(length)
            .ok()
            .and_then(|length| at.checked_add(length))
            .filter(|end| *end <= bytes.len())
            .ok_or(TRUNCATED)?;
        chunks.push(&bytes[..end]);
        bytes = &bytes[end..];
    }
    Ok(chunks)
}

/// What one message may carry, derived from the longest a text may be. A message may declare
/// at most as many operations (and changes) as the longest text has characters, plus some
/// slack: an honest message types or pastes at most a whole text, and a whole document is sent
/// only while its history is short next to what the client sends. Three million characters
/// in a document of a few kilobytes are refused before automerge loads them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest a text may grow, in UTF-16 code units (the document's positions).
    pub max_text_length: usize,
    /// Operations (and changes) one message may declare.
    pub max_ops: u64,
    /// Bytes one message's chunks may inflate to: a few columns of a few bytes per operation.
    pub max_bytes: u64,
}

impl Limits {
    pub fn for_text_length(max_text_length: usize) -> Limits {
        let length = max_text_length as u64;
        Limits {
            max_text_length,
            max_ops: length + 65_536,
            max_bytes: 16 * length + (1 << 20),
        }
    }
}

/// What a message's chunks declare, summed as they are vetted.
#[derive(Debug, Default)]
pub(super) struct Budget {
    ops: u64,
    bytes: u64,
}

/// Why a chunk is refused: either unreadable, or beyond the limits (the peer is told which).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    Unreadable(&'static str),
    TooLarge,
}

type Vetted<T> = Result<T, Refusal>;

const TRUNCATED: Refusal = Refusal::Unreadable("bloc tronqué");

impl Budget {
    fn spend_ops(&mut self, rows: u64, limits: &Limits) -> Vetted<()> {
        self.ops = self.ops.saturating_add(rows);
        if self.ops > limits.max_ops {
            return Err(Refusal::TooLarge);
        }
        Ok(())
    }

    fn spend_bytes(&mut self, bytes: u64, limits: &Limits) -> Vetted<()> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > limits.max_bytes {
            return Err(Refusal::TooLarge);
        }
        Ok(())
    }

    /// Operations (and changes) declared so far.
    pub(super) fn ops(&self) -> u64 {
        self.ops
    }

    /// Vets one chunk of a message (`split_chunks` cut it out and checked its length); how
    /// many changes it declares.
    pub(super) fn vet_chunk(&mut self, chunk: &[u8], limits: &Limits) -> Vetted<u64> {
        let mut reader = Reader(chunk.get(9..).ok_or(TRUNCATED)?);
        let length = reader.uleb()?;
        let data = reader.take(usize::try_from(length).map_err(|_| TRUNCATED)?)?;
        self.spend_bytes(data.len() as u64, limits)?;
        match chunk[8] {
            CHANGE => self.vet_change(data, limits).map(|()| 1),
            COMPRESSED_CHANGE => {
                // Inflated within what is left of the budget; automerge inflates it again.
                let inflated = inflate(data, limits.max_bytes.saturating_sub(self.bytes))?;
                self.spend_bytes(inflated.len() as u64, limits)?;
                self.vet_change(&inflated, limits).map(|()| 1)
            }
            DOCUMENT => {
                let mut r = Reader(data);
                r.skip_actors()?;
                r.skip_hashes()?;
                let change_columns = r.columns()?;
                let op_columns = r.columns()?;
                let changes = self.vet_columns(&mut r, &change_columns, limits)?;
                self.vet_columns(&mut r, &op_columns, limits)?;
                Ok(changes)
            }
            BUNDLE => {
                let mut r = Reader(data);
                r.skip_hashes()?;
                r.skip_actors()?;
                let change_columns = r.columns()?;
                let changes = self.vet_columns(&mut r, &change_columns, limits)?;
                let op_columns = r.columns()?;
                self.vet_columns(&mut r, &op_columns, limits)?;
                Ok(changes)
            }
            _ => Err(Refusal::Unreadable("type de bloc inconnu")),
        }
    }

    fn vet_change(&mut self, data: &[u8], limits: &Limits) -> Vetted<()> {
        let mut r = Reader(data);
        r.skip_hashes()?; // deps
        r.skip_bytes()?; // actor
        r.uleb()?; // seq
        r.uleb()?; // start op
        r.uleb()?; // time (signed, same length)
        r.skip_bytes()?; // message
        r.skip_actors()?; // other actors
        let columns = r.columns()?;
        self.vet_columns(&mut r, &columns, limits).map(|_| ())
    }

    /// Counts the rows of a section's columns (the longest column is how many operations or
    /// changes automerge would iterate), inflating deflated columns within the budget; the
    /// section's rows.
    fn vet_columns(
        &mut self,
        r: &mut Reader,
        columns: &[(u32, u64)],
        limits: &Limits,
    ) -> Vetted<u64> {
        let mut rows = 0u64;
        for &(spec, length) in columns {
            let raw = r.take(usize::try_from(length).map_err(|_| TRUNCATED)?)?;
            let inflated;
            let data = if spec & 0b1000 != 0 {
                inflated = inflate(raw, limits.max_bytes.saturating_sub(self.bytes))?;
                self.spend_bytes(inflated.len() as u64, limits)?;
                &inflated[..]
            } else {
                raw
            };
            // Stop counting once a column alone is over what is left.
            let left = limits.max_ops.saturating_sub(self.ops);
            rows = rows.max(count_rows(spec & 0b111, data, left)?);
        }
        self.spend_ops(rows, limits)?;
        Ok(rows)
    }
}

/// Inflates a deflated column or change, refusing it once it exceeds `limit` bytes.
fn inflate(deflated: &[u8], limit: u64) -> Vetted<Vec<u8>> {
    let mut inflated = Vec::new();
    flate2::read::DeflateDecoder::new(deflated)
        .take(limit.saturating_add(1))
        .read_to_end(&mut inflated)
        .map_err(|_| Refusal::Unreadable("colonne compressée illisible"))?;
    if inflated.len() as u64 > limit {
        return Err(Refusal::TooLarge);
    }
    Ok(inflated)
}

/// The rows a column declares, from its runs; `TooLarge` as soon as they pass `limit`.
fn count_rows(column_type: u32, data: &[u8], limit: u64) -> Vetted<u64> {
    const GROUP: u32 = 0;
    const ACTOR: u32 = 1;
    const INTEGER: u32 = 2;
    const DELTA: u32 = 3;
    const BOOLEAN: u32 = 4;
    const STRING: u32 = 5;
    const VALUE_META: u32 = 6;
    let mut r = Reader(data);
    let mut rows = 0u64;
    let add = |n: u64, rows: &mut u64| {
        *rows = rows.saturating_add(n);
        if *rows > limit {
            Err(Refusal::TooLarge)
        } else {
            Ok(())
        }
    };
    match column_type {
        // Alternating run lengths of false and true.
        BOOLEAN => {
            while !r.is_empty() {
                let run = r.uleb()?;
                add(run, &mut rows)?;
            }
        }
        GROUP | ACTOR | INTEGER | DELTA | STRING | VALUE_META => {
            // Run-length encoding: n > 0 repeats the next value n times, n < 0 is followed by
            // -n literal values, 0 by a count of nulls.
            let skip_value = |r: &mut Reader| -> Vetted<()> {
                if column_type == STRING {
                    r.skip_bytes()
                } else {
                    r.uleb().map(drop)
                }
            };
            while !r.is_empty() {
                let n = r.sleb()?;
                if n > 0 {
                    skip_value(&mut r)?;
                    add(n.unsigned_abs(), &mut rows)?;
                } else if n < 0 {
                    let literals = n.unsigned_abs();
                    add(literals, &mut rows)?;
                    for _ in 0..literals {
                        skip_value(&mut r)?;
                    }
                } else {
                    let nulls = r.uleb()?;
                    add(nulls, &mut rows)?;
                }
            }
        }
        // Raw values: their rows are counted by their metadata column.
        _ => {}
    }
    Ok(rows)
}

/// A cursor over bytes that refuses to read past their end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn take(&mut self, n: usize) -> Vetted<&'a [u8]> {
        if n > self.0.len() {
            return Err(TRUNCATED);
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Vetted<u8> {
        Ok(self.take(1)?[0])
    }

    fn uleb(&mut self) -> Vetted<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Refusal::Unreadable("entier invalide"))
    }

    fn sleb(&mut self) -> Vetted<i64> {
        let mut value = 0i64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= i64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                if shift + 7 < 64 && byte & 0x40 != 0 {
                    value |= -1i64 << (shift + 7);
                }
                return Ok(value);
            }
        }
        Err(Refusal::Unreadable("entier invalide"))
    }

    fn len(&mut self) -> Vetted<usize> {
        usize::try_from(self.uleb()?).map_err(|_| TRUNCATED)
    }

    fn skip_bytes(&mut self) -> Vetted<()> {
        let n = self.len()?;
        self.take(n).map(drop)
    }

    fn skip_actors(&mut self) -> Vetted<()> {
        for _ in 0..self.uleb()? {
            self.skip_bytes()?;
        }
        Ok(())
    }

    fn skip_hashes(&mut self) -> Vetted<()> {
        let n = self.len()?;
        self.take(n.checked_mul(32).ok_or(TRUNCATED)?).map(drop)
    }

    /// A section's column specifications and lengths.
    fn columns(&mut self) -> Vetted<Vec<(u32, u64)>> {
        let count = self.uleb()?;
        let mut columns = Vec::new();
        for _ in 0..count {
            let spec = u32::try_from(self.uleb()?).map_err(|_| TRUNCATED)?;
            columns.push((spec, self.uleb()?));
        }
        Ok(columns)
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};

    use super::*;

    fn vet(chunk: &[u8], limits: &Limits) -> Vetted<()> {
        Budget::default().vet_chunk(chunk, limits).map(|_| ())
    }

    fn typed(length: usize) -> AutoCommit {
        let mut doc = AutoCommit::new();
        let text = doc.put_object(ROOT, "markdown", ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, &"é".repeat(length)).unwrap();
        doc.commit();
        doc
    }

    #[test]
    fn documents_and_changes_within_the_limits_pass_and_beyond_them_are_refused() {
        let limits = Limits::for_text_length(10_000);
        let mut small = typed(9_000);
        let mut big = typed(100_000);
        // A whole document deflates its columns: its few bytes declare 100,000 operations.
        let big_doc = big.save();
        assert!(big_doc.len() < 2_000, "{}", big_doc.len());
        assert_eq!(vet(&small.save(), &limits), Ok(()));
        assert_eq!(vet(&big_doc, &limits), Err(Refusal::TooLarge));
        let mut small_change = small.get_last_local_change().unwrap().clone();
        let mut big_change = big.get_last_local_change().unwrap().clone();
        assert_eq!(vet(small_change.raw_bytes(), &limits), Ok(()));
        assert_eq!(vet(big_change.raw_bytes(), &limits), Err(Refusal::TooLarge));
        // Compressed changes are inflated within the budget.
        assert_eq!(vet(&small_change.bytes(), &limits), Ok(()));
        assert_eq!(vet(&big_change.bytes(), &limits), Err(Refusal::TooLarge));
        // A message's chunks share one budget.
        let mut budget = Budget::default();
        let chunk = small_change.raw_bytes().to_vec();
        let outcomes: Vec<_> = (0..30).map(|_| budget.vet_chunk(&chunk, &limits)).collect();
        assert!(outcomes.contains(&Ok(1)) && outcomes.contains(&Err(Refusal::TooLarge)));
    }

    #[test]
    fn what_the_editors_automerge_package_saves_is_read_as_automerge_reads_it() {
        let document = include_bytes!("../../tests/fixtures/js-document.automerge");
        let change = include_bytes!("../../tests/fixtures/js-change.automerge");
        let loaded = automerge::Automerge::load(document).unwrap();
        let ops: u64 = loaded.get_changes(&[]).iter().map(|c| c.len() as u64).sum();
        assert!(ops > 4_000, "{ops}");
        let within = Limits::for_text_length(10_000);
        assert_eq!(vet(document, &within), Ok(()));
        assert_eq!(vet(change, &within), Ok(()));
        // Its operations are counted: a budget short of them refuses the document.
        let short = Limits {
            max_ops: ops - 1,
            ..within
        };
        assert_eq!(vet(document, &short), Err(Refusal::TooLarge));
        let generous = Limits {
            max_ops: ops + 250,
            ..within
        };
        assert_eq!(vet(document, &generous), Ok(()));
    }

    #[test]
    fn runs_are_counted_without_being_expanded() {
        // Three runs: 5 repeated, 2 literals, 1,000,000,000 nulls.
        let column = [5, 7, 0x7e, 1, 2, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03];
        assert_eq!(count_rows(2, &column, u64::MAX), Ok(1_000_000_007));
        assert_eq!(count_rows(2, &column, 1_000), Err(Refusal::TooLarge));
        assert_eq!(count_rows(4, &[3, 2, 1], u64::MAX), Ok(6));
        assert_eq!(count_rows(2, &[0x7e, 1], u64::MAX), Err(TRUNCATED));
    }

    #[test]
    fn cut_or_damaged_chunks_are_refused_without_panicking() {
        let limits = Limits::for_text_length(10_000);
        let saved = typed(100).save();
        for end in 0..saved.len() {
            let _ = vet(&saved[..end], &limits);
            let mut damaged = saved.clone();
            damaged[end] ^= 0xa5;
            let _ = vet(&damaged, &limits);
        }
        assert_eq!(vet(&saved[..9], &limits), Err(TRUNCATED));
    }
}

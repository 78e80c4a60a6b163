//! Facet counts: how many matching documents per kind, group, theme, status, convention and
//! place, each facet ignoring its own filter (so that the other values can be offered) — all
//! in the same pass as the page ([`Faceted`]).

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::schema::Facet as Path;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::names;

/// The facets a search counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Facet {
    Kind,
    Group,
    Theme,
    Status,
    Convention,
    Place,
}

impl Facet {
    pub const ALL: [Facet; 6] = [
        Facet::Kind,
        Facet::Group,
        Facet::Theme,
        Facet::Status,
        Facet::Convention,
        Facet::Place,
    ];

    fn field(self) -> &'static str {
        match self {
            Facet::Kind => names::KIND,
            Facet::Group => names::GROUP_ID,
            Facet::Theme => names::THEME,
            Facet::Status => names::STATUS,
            Facet::Convention => names::CONVENTION,
            Facet::Place => names::PLACE,
        }
    }
}

/// Counts per value, per facet (a place is counted at its own path only; see [`place_tree`]).
pub(crate) type Counts = BTreeMap<Facet, BTreeMap<String, u64>>;

/// A facet's own filter: a value, or a place and everything below it.
#[derive(Clone, Debug)]
pub(crate) enum FacetFilter {
    Value(String),
    /// The place's facet path, encoded (steps separated by a zero byte; "" for anywhere).
    Place(String),
}

/// The pass that pages and counts: it reads every document matching the query without the
/// facets' own filters, and checks those filters itself, on the fast fields. A document that
/// passes them all is counted in the total and every facet, and goes to `inner` (the page);
/// one that fails a single facet's filter is counted in that facet only — which is what that
/// facet would count without its filter. One pass, however many filters.
pub(crate) struct Faceted<C> {
    pub inner: C,
    pub filters: Vec<(Facet, FacetFilter)>,
}

/// What the pass found: the inner collector's fruit, the total, the counts.
pub(crate) type FacetedFruit<F> = (F, usize, Counts);

pub(crate) struct FacetedSegment<S> {
    inner: S,
    /// Per facet (in [`Facet::ALL`]'s order): its column and its counts per ordinal.
    columns: Vec<(Facet, Option<StrColumn>, Vec<u64>)>,
    /// Per filter: the column it reads (index in `columns`) and the ordinals it lets through.
    filters: Vec<(usize, Allowed)>,
    /// Documents (and their scores) waiting to be read together, column by column: a block
    /// of fast-field reads costs far less than as many single ones.
    docs: Vec<DocId>,
    scores: Vec<Score>,
    /// The block's ordinals, per column.
    ords: Vec<Vec<Option<u64>>>,
    total: usize,
}

/// Documents read together.
const BLOCK: usize = 64;

/// The ordinals of a column a filter lets through, in one segment.
enum Allowed {
    One(Option<u64>),
    Some(Vec<bool>),
}

impl Allowed {
    fn lets(&self, ord: Option<u64>) -> bool {
        match (self, ord) {
            (_, None) => false,
            (Allowed::One(allowed), Some(ord)) => *allowed == Some(ord),
            (Allowed::Some(allowed), Some(ord)) => allowed.get(ord as usize) == Some(&true),
        }
    }
}

fn allowed(column: Option<&StrColumn>, filter: &FacetFilter) -> tantivy::Result<Allowed> {
    let Some(column) = column else {
        return Ok(Allowed::One(None));
    };
    let dictionary = column.dictionary();
    Ok(match filter {
        FacetFilter::Value(value) => Allowed::One(dictionary.term_ord(value.as_bytes())?),
        FacetFilter::Place(prefix) => {
            let mut lets = vec![false; column.num_terms()];
            let mut stream = dictionary.stream()?;
            let mut ord = 0;
            while stream.advance() {
                let path = stream.key();
                let below = prefix.is_empty()
                    || path
                        .strip_prefix(prefix.as_bytes())
                        .is_some_and(|rest| rest.is_empty() || rest[0] == 0);
                if let Some(slot) = lets.get_mut(ord) {
                    *slot = below;
                }
                ord += 1;
            }
            Allowed::Some(lets)
        }
    })
}

impl<C: Collector> Collector for Faceted<C> {
    type Fruit = FacetedFruit<C::Fruit>;
    type Child = FacetedSegment<C::Child>;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let mut columns = Vec::with_capacity(Facet::ALL.len());
        for facet in Facet::ALL {
            // A segment where no document has the field has no column: nothing to count.
            let column = reader.fast_fields().str(facet.field())?;
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            columns.push((facet, column, vec![0; terms]));
        }
        let mut filters = Vec::with_capacity(self.filters.len());
        for (facet, filter) in &self.filters {
            let at = Facet::ALL.iter().position(|f| f == facet).unwrap_or(0);
            filters.push((at, allowed(columns[at].1.as_ref(), filter)?));
        }
        Ok(FacetedSegment {
            inner: self.inner.for_segment(segment, reader)?,
            docs: Vec::with_capacity(BLOCK),
            scores: Vec::with_capacity(BLOCK),
            ords: vec![vec![None; BLOCK]; columns.len()],
            columns,
            filters,
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<FacetedFruit<<C::Child as SegmentCollector>::Fruit>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut inner = Vec::with_capacity(fruits.len());
        let mut total = 0;
        let mut counts = Counts::new();
        for (fruit, found, more) in fruits {
            inner.push(fruit);
            total += found;
            add(&mut counts, more);
        }
        Ok((self.inner.merge_fruits(inner)?, total, counts))
    }
}

/// A collector that keeps nothing (a page of no hits: the total and counts only).
pub(crate) struct Nothing;

pub(crate) struct NothingSegment;

impl Collector for Nothing {
    type Fruit = ();
    type Child = NothingSegment;

    fn for_segment(&self, _: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<NothingSegment> {
        Ok(NothingSegment)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, _: Vec<()>) -> tantivy::Result<()> {
        Ok(())
    }
}

impl SegmentCollector for NothingSegment {
    type Fruit = ();

    fn collect(&mut self, _: DocId, _: Score) {}

    fn harvest(self) {}
}

/// Adds `more` to `counts`.
pub(crate) fn add(counts: &mut Counts, more: Counts) {
    for (facet, values) in more {
        let into = counts.entry(facet).or_default();
        for (value, count) in values {
            *into.entry(value).or_insert(0) += count;
        }
    }
}

impl<S: SegmentCollector> FacetedSegment<S> {
    /// Reads the waiting documents' ordinals, column by column, then counts each document
    /// and passes on those that pass every filter.
    fn flush(&mut self) {
        let n = self.docs.len();
        for ((_, column, _), ords) in self.columns.iter().zip(self.ords.iter_mut()) {
            let ords = &mut ords[..n];
            ords.fill(None);
            if let Some(column) = column {
                // Each field holds one value per document (the writer adds one).
                column.ords().first_vals(&self.docs, ords);
            }
        }
        for i in 0..n {
            // The filter failed, if only one.
            let mut failed = None;
            let mut out = false;
            for (at, allowed) in &self.filters {
                if !allowed.lets(self.ords[*at][i]) {
                    out = failed.is_some();
                    failed = Some(*at);
                }
            }
            if out {
                continue;
            }
            match failed {
                Some(at) => count(&mut self.columns[at].2, self.ords[at][i]),
                None => {
                    self.total += 1;
                    self.inner.collect(self.docs[i], self.scores[i]);
                    for ((_, _, counts), ords) in self.columns.iter_mut().zip(&self.ords) {
                        count(counts, ords[i]);
                    }
                }
            }
        }
        self.docs.clear();
        self.scores.clear();
    }
}

fn count(counts: &mut [u64], ord: Option<u64>) {
    if let Some(count) = ord.and_then(|ord| counts.get_mut(ord as usize)) {
        *count += 1;
    }
}

impl<S: SegmentCollector> SegmentCollector for FacetedSegment<S> {
    type Fruit = FacetedFruit<S::Fruit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.docs.push(doc);
        self.scores.push(score);
        if self.docs.len() == BLOCK {
            self.flush();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.flush();
        let mut fruit = Counts::new();
        for (facet, column, counts) in self.columns {
            let values = fruit.entry(facet).or_default();
            let Some(column) = column else {
                continue;
            };
            let (ords, found): (Vec<u64>, Vec<u64>) = counts
                .iter()
                .enumerate()
                .filter(|(_, count)| **count > 0)
                .map(|(ord, count)| (ord as u64, *count))
                .unzip();
            // One pass over the dictionary for all the ordinals (in order): looking each up on
            // its own decodes its block from the start, every time.
            let mut found = found.into_iter();
            let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                let count = found.next().unwrap_or(0);
                let value = if facet == Facet::Place {
                    // A facet's bytes are its path, its steps separated by a zero byte.
                    Path::from_encoded(bytes.to_vec())
                        .ok()
                        .map(|p| p.to_string())
                } else {
                    std::str::from_utf8(bytes).ok().map(str::to_owned)
                };
                if let Some(value) = value {
                    *values.entry(value).or_insert(0) += count;
                }
            });
        }
        (self.inner.harvest(), self.total, fruit)
    }
}

/// Sorts counts, most frequent first, then by value.
pub(crate) fn most_frequent_first(counts: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// The place counts to show, in tree order: every federation (first level), and under each
/// level of `selected` (the filter's prefix) its children; each level most frequent first.
/// A document counts for its place and every place above it. `counts` holds each document's
/// own place.
pub(crate) fn place_tree(
    counts: &BTreeMap<String, u64>,
    selected: Option<&str>,
) -> Vec<(String, u64)> {
    let mut totals: BTreeMap<Vec<&str>, u64> = BTreeMap::new();
    for (place, count) in counts {
        let parts: Vec<&str> = place.split('/').filter(|p| !p.is_empty()).collect();
        for depth in 1..=parts.len() {
            *totals.entry(parts[..depth].to_vec()).or_insert(0) += count;
        }
    }
    let selected: Vec<&str> = selected
        .unwrap_or("")
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let mut out = Vec::new();
    emit(&totals, &[], &selected, &mut out);
    out
}

fn emit(
    totals: &BTreeMap<Vec<&str>, u64>,
    parent: &[&str],
    selected: &[&str],
    out: &mut Vec<(String, u64)>,
) {
    let mut children: Vec<(&Vec<&str>, u64)> = totals
        .iter()
        .filter(|(path, _)| path.len() == parent.len() + 1 && path.starts_with(parent))
        .map(|(path, count)| (path, *count))
        .collect();
    children.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    for (path, count) in children {
        out.push((format!("/{}", path.join("/")), count));
        if selected.starts_with(path) {
            emit(totals, path, selected, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_count_up_their_tree_and_open_along_the_selection() {
        let counts: BTreeMap<String, u64> = [
            ("/rhone/lyon-3", 3),
            ("/rhone/lyon-7", 1),
            ("/rhone", 1),
            ("/gironde/bordeaux", 4),
            ("/gironde/bordeaux/bastide", 2),
        ]
        .into_iter()
        .map(|(p, c)| (p.to_owned(), c))
        .collect();
        let show = |selected| {
            place_tree(&counts, selected)
                .into_iter()
                .map(|(p, c)| format!("{p}={c}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(show(None), "/gironde=6 /rhone=5");
        assert_eq!(
            show(Some("/rhone")),
            "/gironde=6 /rhone=5 /rhone/lyon-3=3 /rhone/lyon-7=1"
        );
        assert_eq!(
            show(Some("/gironde/bordeaux/")),
            "/gironde=6 /gironde/bordeaux=6 /gironde/bordeaux/bastide=2 /rhone=5"
        );
        assert_eq!(show(Some("/nowhere")), "/gironde=6 /rhone=5");
    }
}

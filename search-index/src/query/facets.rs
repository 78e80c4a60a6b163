//! Facet counts: how many matching documents per kind, group, theme, status, convention and
//! place, each facet ignoring its own filter (so that the other values can be offered).

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::fastfield::FacetReader;
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

/// Counts matching documents per value of some facets, in one pass.
pub(crate) struct FacetCounts(pub Vec<Facet>);

pub(crate) struct FacetCountsSegment {
    columns: Vec<(Facet, Option<StrColumn>, Vec<u64>)>,
}

impl Collector for FacetCounts {
    type Fruit = Counts;
    type Child = FacetCountsSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetCountsSegment> {
        let mut columns = Vec::with_capacity(self.0.len());
        for facet in &self.0 {
            // A segment where no document has the field has no column: nothing to count.
            let column = reader.fast_fields().str(facet.field())?;
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            columns.push((*facet, column, vec![0; terms]));
        }
        Ok(FacetCountsSegment { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged = Counts::new();
        for fruit in fruits {
            add(&mut merged, fruit);
        }
        Ok(merged)
    }
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

impl SegmentCollector for FacetCountsSegment {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (_, column, counts) in &mut self.columns {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(count) = counts.get_mut(ord as usize) {
                        *count += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut fruit = Counts::new();
        for (facet, column, counts) in self.columns {
            let values = fruit.entry(facet).or_default();
            let Some(column) = column else {
                continue;
            };
            let places = (facet == Facet::Place).then(|| FacetReader::new(column.clone()));
            for (ord, &count) in counts.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let value = match &places {
                    Some(places) => {
                        let mut path = Path::root();
                        places
                            .facet_from_ord(ord as u64, &mut path)
                            .ok()
                            .map(|()| path.to_string())
                    }
                    None => {
                        let mut value = String::new();
                        matches!(column.ord_to_str(ord as u64, &mut value), Ok(true))
                            .then_some(value)
                    }
                };
                if let Some(value) = value {
                    *values.entry(value).or_insert(0) += count;
                }
            }
        }
        fruit
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

//! A search split in two parts — what grants shared by many open, and what the searcher's own
//! grants alone open — then joined, is exactly the search made whole: same hits in the same
//! order with the same scores and snippets, same total, same facets, on every page and both
//! orders, with part of the index in the fresh layer.

use std::path::Path;

use atelier_search::corpus::{self, BenchQuery};
use atelier_search::{IndexDoc, SearchIndex, SearchQuery, SearchResults, Sort};

/// Few groups and members, so that own documents are often found.
const GROUPS: usize = 7;
const MEMBERS: usize = 5;

fn narrowed(reader: &str) -> String {
    let narrow = |prefix: &str, n: usize| {
        reader
            .strip_prefix(prefix)
            .and_then(|id| id.parse::<usize>().ok())
            .map(|id| format!("{prefix}{}", id % n))
    };
    narrow("group:", GROUPS)
        .or_else(|| narrow("member:", MEMBERS))
        .unwrap_or_else(|| reader.to_owned())
}

fn docs(alineas: &[corpus::Alinea], from: usize, count: usize) -> Vec<IndexDoc> {
    (from..from + count)
        .map(|n| {
            let mut doc = corpus::paragraph(alineas, n).to_index_doc();
            doc.readers = doc.readers.iter().map(|r| narrowed(r)).collect();
            doc
        })
        .collect()
}

/// The whole search, and the two parts joined.
fn both_ways(index: &SearchIndex, q: &SearchQuery) -> (SearchResults, SearchResults) {
    let whole = index.search(q).unwrap();
    let (own, shared): (Vec<String>, Vec<String>) = q
        .readers
        .iter()
        .cloned()
        .partition(|r| r.starts_with("member:"));
    let depth = SearchQuery {
        offset: 0,
        limit: q.offset + q.limit,
        ..q.clone()
    };
    let shared_part = index
        .search(&SearchQuery {
            readers: shared.clone(),
            ..depth.clone()
        })
        .unwrap();
    let own_part = index
        .search(&SearchQuery {
            readers: own,
            except_readers: shared,
            ..depth
        })
        .unwrap();
    (whole, SearchResults::joined(&shared_part, &own_part, q))
}

#[test]
fn two_parts_joined_are_the_whole_search() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alineas-sample.jsonl");
    let alineas = corpus::read_alineas(&data).unwrap();
    let index = SearchIndex::open_in_ram();
    let mut writer = index.live_writer().unwrap();
    // Two committed segments, then changes in the fresh layer: replaced texts (their disk
    // documents hidden) and new ones.
    for (from, count) in [(0, 1_500), (1_500, 1_500)] {
        for chunk in docs(&alineas, from, count).chunks(10) {
            writer.replace_source(&chunk[0].source, chunk).unwrap();
        }
        writer.commit().unwrap();
    }
    for chunk in docs(&alineas, 3_000, 400).chunks(10) {
        writer.replace_source(&chunk[0].source, chunk).unwrap();
    }
    for text in (0..300).step_by(7) {
        let mut replaced = docs(&alineas, text * 10, 10);
        for doc in &mut replaced {
            doc.body.push_str(" Amendé en séance.");
        }
        writer
            .replace_source(&replaced[0].source, &replaced)
            .unwrap();
    }
    writer.publish().unwrap();

    let queries: Vec<BenchQuery> = corpus::query_mix(&alineas, 7, 150);
    let mut own_found = 0;
    let mut compared = 0;
    for (n, bench) in queries.iter().enumerate() {
        let mut q = bench.to_search_query();
        q.readers = q.readers.iter().map(|r| narrowed(r)).collect();
        q.readers.truncate(3);
        q.readers.push(format!("member:{}", n % MEMBERS));
        for (offset, limit, sort) in [
            (0, 20, Sort::Relevance),
            (20, 20, Sort::Relevance),
            (0, 10, Sort::Date),
            (5, 0, Sort::Relevance),
        ] {
            let q = SearchQuery {
                offset,
                limit,
                sort,
                ..q.clone()
            };
            let (whole, joined) = both_ways(&index, &q);
            let keys = |r: &SearchResults| r.hits.iter().map(|h| h.key.clone()).collect::<Vec<_>>();
            assert_eq!(keys(&joined), keys(&whole), "{q:?}");
            assert_eq!(joined, whole, "{q:?}");
            compared += 1;
            if whole.total > 0 && offset == 0 && limit > 0 {
                let without_own = index
                    .search(&SearchQuery {
                        readers: q.readers[..q.readers.len() - 1].to_vec(),
                        ..q.clone()
                    })
                    .unwrap();
                if without_own.total < whole.total {
                    own_found += 1;
                }
            }
        }
    }
    assert_eq!(compared, 600);
    // The member's own documents counted in a good share of the searches.
    assert!(
        own_found >= 20,
        "own documents found in {own_found} searches"
    );
}

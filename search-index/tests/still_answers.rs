//! An answer found on one state of the index still holds on a later one when no document
//! changed since matches the query, before or after the change
//! (`SearchIndex::still_answers`): whenever it says so, searching again gives the same total,
//! facets and documents; and it says so for most queries while one text is edited. (Scores,
//! and so the order of documents whose scores differ by less than an f32 can tell at 3,000,
//! and the passage a snippet shows, move with the corpus's statistics, as they do with a merge
//! of segments: the pages here hold every hit, and are compared as sets.)

use std::path::Path;

use atelier_search::corpus::{self, Alinea};
use atelier_search::{IndexDoc, IndexVersion, SearchIndex, SearchQuery, SearchResults, Sort};

fn docs(alineas: &[Alinea], from: usize, count: usize) -> Vec<IndexDoc> {
    (from..from + count)
        .map(|n| {
            let mut doc = corpus::paragraph(alineas, n).to_index_doc();
            // Readers among a few grants, so that grants decide some matches.
            doc.readers = vec![if n % 5 == 0 { "group:1" } else { "public" }.to_owned()];
            doc
        })
        .collect()
}

/// What must stay the same: everything but the scores, the snippets (the best passage is
/// chosen by the words' weights in the corpus) and the order of hits; and which
/// hits, when the page does not hold them all (it may be cut among equal scores).
fn comparable(results: &SearchResults) -> SearchResults {
    let mut results = results.clone();
    for hit in &mut results.hits {
        hit.score = 0.0;
        hit.snippet_html.clear();
    }
    results.hits.sort_by(|a, b| a.key.cmp(&b.key));
    if results.total > results.hits.len() {
        results.hits.clear();
    }
    results
}

/// A tiny deterministic generator.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn a_kept_answer_is_said_to_hold_only_when_searching_again_gives_it() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alineas-sample.jsonl");
    let alineas = corpus::read_alineas(&data).unwrap();
    let index = SearchIndex::open_in_ram();
    let mut writer = index.live_writer().unwrap();
    for chunk in docs(&alineas, 0, 2_000).chunks(10) {
        writer.replace_source(&chunk[0].source, chunk).unwrap();
    }
    writer.commit().unwrap();

    let mut queries: Vec<SearchQuery> = corpus::query_mix(&alineas, 3, 40)
        .iter()
        .map(|b| {
            let mut q = b.to_search_query();
            q.readers = vec!["public".to_owned(), "group:1".to_owned()];
            q.limit = 100;
            q
        })
        .collect();
    // A listing (no words: every change to what passes its filters matters) and a date order.
    queries.push(SearchQuery {
        readers: vec!["public".to_owned()],
        limit: 20,
        ..SearchQuery::default()
    });
    queries.push(SearchQuery {
        sort: Sort::Date,
        ..queries[0].clone()
    });

    let mut kept: Vec<(SearchResults, IndexVersion)> = queries
        .iter()
        .map(|q| index.search_versioned(q).unwrap())
        .collect();
    let mut rng = Rng(0x5EED);
    let (mut held, mut checked, mut changed_answers) = (0, 0, 0);
    for round in 0..40 {
        // One text edited (its paragraphs replaced, a word of another paragraph typed in), a
        // paragraph deleted, or a new text; sometimes committed.
        match rng.below(4) {
            0 | 1 => {
                let text = rng.below(200);
                let mut edited = docs(&alineas, text * 10, 10);
                let other = &alineas[rng.below(alineas.len())].text;
                let word = other.split(' ').nth(rng.below(4)).unwrap_or("mot");
                edited[rng.below(10)].body.push_str(&format!(" {word}"));
                writer.replace_source(&edited[0].source, &edited).unwrap();
            }
            2 => {
                let n = rng.below(2_000);
                writer.delete(&docs(&alineas, n, 1)[0].key);
            }
            _ => {
                let fresh = docs(&alineas, 2_000 + round * 10, 10);
                writer.replace_source(&fresh[0].source, &fresh).unwrap();
            }
        }
        if rng.below(3) == 0 {
            writer.commit().unwrap();
        } else {
            writer.publish().unwrap();
        }
        for (q, (answer, then)) in queries.iter().zip(kept.iter_mut()) {
            let (again, now) = index.search_versioned(q).unwrap();
            checked += 1;
            let same = comparable(&again) == comparable(answer);
            if !same {
                changed_answers += 1;
            }
            match index.still_answers(q, *then).unwrap() {
                Some(version) => {
                    assert_eq!(version, now);
                    assert!(
                        same,
                        "said to hold, round {round}: {q:?}\n{again:?}\n{answer:?}"
                    );
                    held += 1;
                }
                None => *answer = again,
            }
            *then = now;
        }
    }
    // Most answers held across the changes; some did not, and those were found again.
    assert!(held * 10 >= checked * 7, "{held} of {checked} held");
    assert!(changed_answers > 0, "no change touched any query");
    assert!(held < checked);
}

#[test]
fn a_state_no_longer_kept_or_a_clear_says_nothing_holds() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alineas-sample.jsonl");
    let alineas = corpus::read_alineas(&data).unwrap();
    let index = SearchIndex::open_in_ram();
    let mut writer = index.live_writer().unwrap();
    for chunk in docs(&alineas, 0, 200).chunks(10) {
        writer.replace_source(&chunk[0].source, chunk).unwrap();
    }
    writer.commit().unwrap();
    let q = SearchQuery {
        text: "article".to_owned(),
        readers: vec!["public".to_owned()],
        limit: 10,
        ..SearchQuery::default()
    };
    let (_, then) = index.search_versioned(&q).unwrap();
    assert_eq!(index.still_answers(&q, then).unwrap(), Some(then));
    // A clear changes everything.
    writer.clear().unwrap();
    writer.publish().unwrap();
    assert_eq!(index.still_answers(&q, then).unwrap(), None);
    // Many states later, the first is forgotten.
    let (_, then) = index.search_versioned(&q).unwrap();
    for n in 0..300 {
        let doc = &docs(&alineas, 1_000 + n, 1)[0];
        writer.upsert(doc).unwrap();
        writer.publish().unwrap();
        index.search_versioned(&q).unwrap();
    }
    assert_eq!(index.still_answers(&q, then).unwrap(), None);
}

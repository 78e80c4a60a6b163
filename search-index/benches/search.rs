//! The search index at a party's scale (issue 14): indexing throughput, index size, and the
//! latency of 1,000 realistic queries, each with a searcher's permission filter.
//!
//! Corpus: `../shared/data/alineas-fr.jsonl` (26,330 real paragraphs of French bills, ODbL)
//! replicated with variations to N paragraphs (`ATELIER_BENCH_PARAGRAPHS`, default 1,000,000;
//! `--quick`: 100,000), each with a group, theme, place, status, date and readers — see
//! `atelier_search::corpus` (`--dump-corpus PATH` and `--dump-queries PATH` write them as JSON
//! Lines).
//!
//! The peers run in the same process on the same corpus and queries, one after the other
//! (`peers`): SQLite FTS5 in a temporary file, and PostgreSQL's French full-text search in a
//! fresh database on the server of `ATELIER_BENCH_DATABASE_URL` (skipped when it is not set;
//! the database is dropped at the end). In-process rather than from the dumped files: the
//! corpus is made once by one function, paragraph by paragraph, so no peer can be fed a stale
//! or different file, the three sit side by side in one table of one run, and 1,000,000
//! paragraphs never need writing out (a gigabyte) or parsing back.
//!
//! Indexing goes the way `atelier reindex` does (a text's paragraphs replaced together, one
//! writer with the server's memory budget, merged into one segment at the end). Queries run one
//! after the other on one thread, after one warm-up pass; each is a page of 20 with its facets.
//! Then related work (« On en parle aussi ailleurs »), as the pages ask for it.
//!
//! Run: `cargo bench -j1 -p atelier-search --bench search [-- --quick] [--queries N]
//! [--dump-corpus PATH] [--dump-queries PATH] [--keep DIR [--reuse]] [--slowest]
//! [--engines tantivy,sqlite,postgres]`: `--keep` builds the index in DIR and leaves it there,
//! `--reuse` measures the queries on the index already in DIR, `--slowest` lists tantivy's 20
//! slowest queries, `--engines` runs only those named (all by default). Debug builds are
//! meaningless.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod peers;

use atelier_search::corpus::{self, Alinea, BenchQuery};
use atelier_search::{Like, RelatedQuery, SearchIndex};
use peers::{Measured, Sample, ms, quantile};

/// The seed of the query mix (the corpus depends on each paragraph's number alone).
const QUERY_SEED: u64 = 14;
/// Paragraphs a text has in the corpus (`corpus::paragraph` gives each its text's source).
const PER_TEXT: usize = 10;

struct Options {
    paragraphs: usize,
    queries: usize,
    dump_corpus: Option<PathBuf>,
    dump_queries: Option<PathBuf>,
    keep: Option<PathBuf>,
    reuse: bool,
    slowest: bool,
    /// Which engines run: "tantivy", "sqlite", "postgres" (`--engines tantivy,sqlite`).
    engines: Vec<String>,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let mut quick = false;
    let mut queries = 1_000;
    let mut dump_corpus = None;
    let mut dump_queries = None;
    let mut keep = None;
    let mut reuse = false;
    let mut slowest = false;
    let mut engines = vec!["tantivy".into(), "sqlite".into(), "postgres".into()];
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--queries" => queries = args.next().and_then(|n| n.parse().ok()).unwrap_or(queries),
            "--dump-corpus" => dump_corpus = args.next().map(PathBuf::from),
            "--dump-queries" => dump_queries = args.next().map(PathBuf::from),
            "--keep" => keep = args.next().map(PathBuf::from),
            "--reuse" => reuse = true,
            "--slowest" => slowest = true,
            "--engines" => {
                if let Some(list) = args.next() {
                    engines = list.split(',').map(str::to_owned).collect();
                }
            }
            // `cargo bench` adds `--bench`; anything else is not ours either.
            _ => {}
        }
    }
    let paragraphs = std::env::var("ATELIER_BENCH_PARAGRAPHS")
        .ok()
        .and_then(|n| n.replace(['_', ','], "").parse().ok())
        .unwrap_or(if quick { 100_000 } else { 1_000_000 });
    Options {
        paragraphs,
        queries,
        dump_corpus,
        dump_queries,
        keep,
        reuse,
        slowest,
        engines,
    }
}

fn main() {
    let options = options();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/alineas-fr.jsonl");
    if !data.is_file() {
        println!(
            "search bench skipped: {} is missing (the shared data folder, beside the project)",
            data.display()
        );
        return;
    }
    let alineas = corpus::read_alineas(&data).expect("alineas-fr.jsonl reads");
    println!(
        "corpus: {} paragraphs from {} real ones; {} queries (seed {QUERY_SEED})",
        options.paragraphs,
        alineas.len(),
        options.queries
    );
    let queries = corpus::query_mix(&alineas, QUERY_SEED, options.queries);
    if let Some(path) = &options.dump_queries {
        write_lines(path, queries.iter().map(BenchQuery::to_json)).expect("queries written");
        println!("queries written to {}", path.display());
    }
    if let Some(path) = &options.dump_corpus {
        let lines = (0..options.paragraphs).map(|n| corpus::paragraph(&alineas, n).to_json());
        write_lines(path, lines).expect("corpus written");
        println!("corpus written to {}", path.display());
    }

    let scratch = tempfile::tempdir().expect("a temporary directory");
    let mut runs = Vec::new();
    if options.engines.iter().any(|e| e == "tantivy") {
        runs.push(tantivy(&options, &alineas, &queries, scratch.path()));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    if options.engines.iter().any(|e| e == "sqlite") {
        let dir = scratch.path().join("sqlite");
        fs::create_dir_all(&dir).expect("a directory for SQLite");
        let run = peers::sqlite::run(&alineas, options.paragraphs, &queries, &dir);
        runs.push(runtime.block_on(run).expect("the SQLite FTS5 peer"));
        let _ = fs::remove_dir_all(&dir);
    }
    if options.engines.iter().any(|e| e == "postgres") {
        match std::env::var("ATELIER_BENCH_DATABASE_URL") {
            Ok(url) => {
                let run = peers::postgres::run(&url, &alineas, options.paragraphs, &queries);
                runs.push(runtime.block_on(run).expect("the PostgreSQL peer"));
            }
            Err(_) => println!(
                "PostgreSQL peer skipped: set ATELIER_BENCH_DATABASE_URL (a server where a \
                 database may be created, e.g. postgres://postgres@127.0.0.1:5432/postgres)"
            ),
        }
    }
    peers::table(&runs);
}

/// Indexes the corpus with tantivy (or reuses a kept index) and runs the queries; prints the
/// table BENCHMARKS.md has kept since before the peers.
fn tantivy(
    options: &Options,
    alineas: &[Alinea],
    queries: &[BenchQuery],
    scratch: &Path,
) -> Measured {
    let dir = options
        .keep
        .clone()
        .unwrap_or_else(|| scratch.join("index"));
    let reused = options.reuse && dir.join("meta.json").is_file();
    let (index, timings) = if reused {
        let index = SearchIndex::open_existing(&dir).expect("the kept index opens");
        (index, None)
    } else {
        let (index, timings) = build(alineas, options.paragraphs, &dir);
        (index, Some(timings))
    };
    let size = directory_size(&dir).expect("index size");
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| paragraphs | {} |", index.doc_count());
    match &timings {
        Some(timings) => {
            let indexing = timings.indexing.as_secs_f64();
            let merging = timings.merging.as_secs_f64();
            println!(
                "| indexing (adds + commit) | {indexing:.1} s, **{:.0} paragraphs/s** |",
                options.paragraphs as f64 / indexing
            );
            println!(
                "| merging into one segment, as a rebuild ends | {merging:.1} s ({:.0} paragraphs/s \
                 overall) |",
                options.paragraphs as f64 / (indexing + merging)
            );
        }
        None => println!(
            "| indexing | (the index kept in {} reused) |",
            dir.display()
        ),
    }
    println!(
        "| index size on disk | {:.0} MB ({:.0} bytes a paragraph), {} segments |",
        size as f64 / 1e6,
        size as f64 / options.paragraphs as f64,
        index_segments(&index)
    );

    // One pass to warm the page cache and tantivy's caches, then the measured one.
    for query in queries {
        index.search(&query.to_search_query()).expect("search");
    }
    let mut samples = Vec::with_capacity(queries.len());
    let mut slowest = Vec::new();
    for query in queries {
        let q = query.to_search_query();
        let start = Instant::now();
        let results = index.search(&q).expect("search");
        let took = start.elapsed();
        samples.push(Sample {
            class: query.class,
            took,
            total: results.total,
        });
        slowest.push((took, query.text.clone(), query.class, results.total));
    }
    if options.slowest {
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        eprintln!("the slowest queries: ms, class, total, text");
        for (took, text, class, total) in slowest.iter().take(20) {
            eprintln!("{:>8} {class:8} {total:>8} {text}", ms(*took));
        }
    }
    let mut all: Vec<Duration> = samples.iter().map(|s| s.took).collect();
    println!(
        "| {} queries (page of 20 + facets + grants), one thread | p50 **{}**, p99 **{}**, max {} ms |",
        queries.len(),
        ms(quantile(&mut all, 0.5)),
        ms(quantile(&mut all, 0.99)),
        ms(quantile(&mut all, 1.0))
    );
    let mut by_class: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for sample in &samples {
        by_class.entry(sample.class).or_default().push(sample.took);
    }
    for (class, times) in &mut by_class {
        println!(
            "| — {class} ({}) | p50 {}, p99 {} ms |",
            times.len(),
            ms(quantile(times, 0.5)),
            ms(quantile(times, 0.99))
        );
    }
    let found: usize = samples.iter().map(|s| s.total).sum();
    let empty = samples.iter().filter(|s| s.total == 0).count();
    println!(
        "| hits per query | {:.0} on average; {empty} queries found nothing |",
        found as f64 / queries.len().max(1) as f64
    );
    related(&index, alineas, queries, options.paragraphs);
    Measured {
        engine: "tantivy",
        paragraphs: options.paragraphs,
        steps: timings.map(|t| {
            vec![
                ("adds and commit".to_owned(), t.indexing),
                ("merge into one segment".to_owned(), t.merging),
            ]
        }),
        bytes: size,
        samples,
        notes: vec![
            "words: each also with a typo (1 edit from 5 letters, 2 from 9), exact matches first"
                .to_owned(),
        ],
    }
}

struct Timings {
    indexing: Duration,
    merging: Duration,
}

/// Indexes `n` paragraphs in `dir` as a rebuild does: each text's paragraphs replace its
/// source together.
fn build(alineas: &[Alinea], n: usize, dir: &Path) -> (SearchIndex, Timings) {
    let _ = fs::remove_dir_all(dir);
    let index = SearchIndex::open_or_create(dir).expect("index opens");
    let mut writer = index.writer().expect("writer");
    let start = Instant::now();
    let mut batch = Vec::with_capacity(PER_TEXT);
    let mut source = String::new();
    let report_every = (n / 10).max(1);
    for i in 0..n {
        let paragraph = corpus::paragraph(alineas, i);
        if paragraph.source != source && !batch.is_empty() {
            writer.replace_source(&source, &batch).expect("indexed");
            batch.clear();
        }
        source.clone_from(&paragraph.source);
        batch.push(paragraph.to_index_doc());
        if (i + 1) % report_every == 0 {
            eprintln!(
                "  {} paragraphs in {:.1} s",
                i + 1,
                start.elapsed().as_secs_f64()
            );
        }
    }
    if !batch.is_empty() {
        writer.replace_source(&source, &batch).expect("indexed");
    }
    writer.commit_at(0).expect("committed");
    let indexing = start.elapsed();
    let start = Instant::now();
    writer.merge_all().expect("merged");
    writer.wait_for_merges().expect("merged");
    let merging = start.elapsed();
    (index, Timings { indexing, merging })
}

fn index_segments(index: &SearchIndex) -> String {
    // The segment files end in ".idx" (one a segment).
    let dir = Path::new(index.location());
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "idx"))
                .count()
                .to_string()
        })
        .unwrap_or_else(|_| "?".into())
}

fn directory_size(dir: &Path) -> io::Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            directory_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

fn write_lines(path: &Path, lines: impl Iterator<Item = String>) -> io::Result<()> {
    let mut out = BufWriter::new(fs::File::create(path)?);
    for line in lines {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// How many related searches of each kind are measured.
const RELATED_RUNS: usize = 200;

/// What the `i`-th related search of a kind looks like.
type LikeOf<'a> = Box<dyn Fn(usize) -> Like + 'a>;

/// « On en parle aussi ailleurs » (`SearchIndex::related`) as the pages run it, each with a
/// searcher's grants, 5 hits of the kinds the pages show, from other groups: like a text's
/// first 6,000 and 2,000 characters (a reading view's source), like one paragraph's text (a
/// paragraph's page, a wording being written), like an indexed paragraph (an amendment's
/// page, by its key).
fn related(index: &SearchIndex, alineas: &[Alinea], queries: &[BenchQuery], paragraphs: usize) {
    let like_text = |i: usize, chars: usize| {
        let mut text = String::new();
        let mut n = i * 37;
        while text.chars().count() < chars {
            text.push_str(&alineas[n % alineas.len()].text);
            text.push('\n');
            n += 1;
        }
        text.chars().take(chars).collect::<String>()
    };
    let query = |i: usize, like: Like| RelatedQuery {
        like,
        readers: queries[i % queries.len()].readers.clone(),
        kinds: ["paragraph", "amendment", "debate"]
            .map(String::from)
            .to_vec(),
        exclude_groups: vec![(i % 200 + 1).to_string()],
        limit: 5,
        ..RelatedQuery::default()
    };
    let cases: [(&str, LikeOf); 4] = [
        (
            "a text's first 6,000 characters",
            Box::new(|i| Like::Text(like_text(i, 6_000))),
        ),
        (
            "a text's first 2,000 characters",
            Box::new(|i| Like::Text(like_text(i, 2_000))),
        ),
        (
            "a paragraph's text",
            Box::new(|i| Like::Text(alineas[(i * 101) % alineas.len()].text.clone())),
        ),
        (
            "an indexed paragraph, by its key",
            Box::new(|i| Like::Key(corpus::paragraph(alineas, (i * 4_999) % paragraphs).key)),
        ),
    ];
    for (name, like) in cases {
        let runs: Vec<RelatedQuery> = (0..RELATED_RUNS).map(|i| query(i, like(i))).collect();
        for q in &runs {
            index.related(q).expect("related");
        }
        let mut times = Vec::with_capacity(runs.len());
        let mut hits = 0;
        for q in &runs {
            let start = Instant::now();
            hits += index.related(q).expect("related").len();
            times.push(start.elapsed());
        }
        println!(
            "| related work like {name} ({RELATED_RUNS}, 5 hits, grants) | p50 **{}**, p99 **{}** ms; {:.1} hits on average |",
            ms(quantile(&mut times, 0.5)),
            ms(quantile(&mut times, 0.99)),
            hits as f64 / RELATED_RUNS as f64
        );
    }
}

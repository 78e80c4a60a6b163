//! The search benchmark's SQL peers (issue 14): SQLite FTS5 and PostgreSQL's French full-text
//! search, each loaded with the very corpus tantivy indexes (made in this process, from the
//! same paragraphs by the same `corpus::paragraph`) and asked the very same queries — a page
//! of 20 by relevance, the searcher's grants, the facets each without its own filter, and the
//! total — one after the other on one connection, after a warm-up pass, as tantivy is.
//!
//! What a peer cannot ask as tantivy does, it asks as closely as it can, and [`Measured`]'s
//! notes say how; the mean hits per class ([`table`]) show how far the answers are apart.

pub mod postgres;
pub mod sqlite;

use std::collections::BTreeMap;
use std::time::Duration;

use atelier_search::corpus::{BenchQuery, Paragraph};

/// The classes of the query mix, in the order the tables show them.
pub const CLASSES: &[&str] = &["words", "phrase", "facets", "fuzzy", "prefix"];
/// A page, as tantivy's run asks for.
pub const PAGE: i64 = 20;

/// One query as run: its class, how long it took, how many documents it found.
pub struct Sample {
    pub class: &'static str,
    pub took: Duration,
    pub total: usize,
}

/// What one engine did: its build (steps and their times), its size, its queries.
pub struct Measured {
    pub engine: &'static str,
    pub paragraphs: usize,
    /// The build's steps and how long each took; `None` when an index was reused.
    pub steps: Option<Vec<(String, Duration)>>,
    pub bytes: u64,
    pub samples: Vec<Sample>,
    /// How the engine asks what it cannot ask as tantivy does, and the answers' checks.
    pub notes: Vec<String>,
}

impl Measured {
    fn build_time(&self) -> Option<Duration> {
        self.steps.as_ref().map(|s| s.iter().map(|(_, d)| *d).sum())
    }

    fn times(&self, class: Option<&str>) -> Vec<Duration> {
        self.samples
            .iter()
            .filter(|s| class.is_none_or(|c| s.class == c))
            .map(|s| s.took)
            .collect()
    }

    pub fn p99(&self) -> Duration {
        quantile(&mut self.times(None), 0.99)
    }
}

/// A peer's answer to one query: the total, the page (keys, best first) and the facets.
#[derive(Default)]
pub struct Answer {
    pub total: usize,
    pub page: Vec<String>,
    /// (facet, value) → documents.
    pub facets: BTreeMap<(String, String), u64>,
}

impl Answer {
    /// Adds one row of a peer's answer: ("total", _, n, _), ("hit", key, _, score) or a
    /// facet's (facet, value, n, _).
    pub fn add(&mut self, facet: &str, value: String, n: Option<i64>) {
        let n = n.unwrap_or(0).max(0) as u64;
        match facet {
            "total" => self.total = n as usize,
            "hit" => self.page.push(value),
            _ => {
                *self.facets.entry((facet.to_owned(), value)).or_default() += n;
            }
        }
    }

    /// Whether the counts hold together: no query of the mix filters by kind, so the kinds'
    /// counts add up to the total; the page is full unless the total is small.
    pub fn consistent(&self) -> bool {
        let kinds: u64 = self
            .facets
            .iter()
            .filter(|((facet, _), _)| facet == "kind")
            .map(|(_, n)| n)
            .sum();
        kinds == self.total as u64 && self.page.len() == self.total.min(PAGE as usize)
    }
}

/// The filters of a query that facets ignore one at a time, as the peers bind them: theme,
/// federation ("/federation-3"), place ("/federation-3/section-2"), status.
pub struct Filters {
    pub theme: Option<String>,
    pub federation: Option<String>,
    pub place: Option<String>,
    pub status: Option<String>,
}

impl Filters {
    pub fn of(query: &BenchQuery) -> Filters {
        let (federation, place) = match &query.place_prefix {
            Some(prefix) => match prefix.trim_matches('/').split_once('/') {
                Some((federation, _)) => (Some(format!("/{federation}")), Some(prefix.clone())),
                None => (Some(prefix.clone()), None),
            },
            None => (None, None),
        };
        Filters {
            theme: query.theme.clone(),
            federation,
            place,
            status: query.status.clone(),
        }
    }
}

/// The federation a paragraph's place is in ("/federation-3" of "/federation-3/section-2"):
/// a column of its own, the first level of the place facet.
pub fn federation(paragraph: &Paragraph) -> &str {
    let rest = paragraph.place.trim_start_matches('/');
    let end = rest.find('/').map_or(paragraph.place.len(), |at| at + 1);
    &paragraph.place[..end]
}

/// The facets of a peer's answer, as SQL over `m` — the matching documents the searcher may
/// read — with the filters as `theme`, `federation`, `place` and `status` parameters
/// (`$theme` etc. replaced by `param`): the total and the page pass every filter, each facet
/// all but its own. Places count by federation, and by section under the federation filtered
/// on, as tantivy's place tree does. One statement, so that the matches are found once.
pub fn facets_sql(param: impl Fn(&str) -> String) -> String {
    let is = |column: &str, name: &str| {
        let p = param(name);
        format!("({p} is null or {column} = {p})")
    };
    let theme = is("theme", "theme");
    let place = format!(
        "{} and {}",
        is("federation", "federation"),
        is("place", "place")
    );
    let status = is("status", "status");
    let all = format!("{theme} and {place} and {status}");
    let federation = param("federation");
    format!(
        "select 'total' as facet, '' as value, count(*) as n, cast(null as double precision) as score
             from m where {all}
         union all select 'kind', kind, count(*), null from m where {all} group by kind
         union all select 'group', group_id, count(*), null from m where {all} group by group_id
         union all select 'theme', theme, count(*), null from m where {place} and {status}
             group by theme
         union all select 'status', status, count(*), null from m where {theme} and {place}
             group by status
         union all select 'place', federation, count(*), null from m where {theme} and {status}
             group by federation
         union all select 'place', place, count(*), null from m
             where {theme} and {status} and federation = {federation} group by place
         union all select * from (select 'hit', key, cast(null as bigint), score from m where {all}
             order by score desc limit {PAGE}) as page"
    )
}

/// Runs each query once to warm the caches, then again, timed; checks each answer holds
/// together.
pub async fn measure<F, E>(
    queries: &[BenchQuery],
    mut ask: F,
    notes: &mut Vec<String>,
) -> Result<Vec<Sample>, E>
where
    F: AsyncFnMut(&BenchQuery) -> Result<Answer, E>,
{
    for query in queries {
        ask(query).await?;
    }
    let mut samples = Vec::with_capacity(queries.len());
    let mut inconsistent = 0;
    for query in queries {
        let start = std::time::Instant::now();
        let answer = ask(query).await?;
        let took = start.elapsed();
        inconsistent += usize::from(!answer.consistent());
        samples.push(Sample {
            class: query.class,
            took,
            total: answer.total,
        });
    }
    notes.push(if inconsistent == 0 {
        "every answer holds together (the kinds' counts add up to the total; pages full)".into()
    } else {
        format!("**{inconsistent} answers do not hold together** (kinds' counts ≠ total)")
    });
    Ok(samples)
}

/// The `q`-quantile of `times` (sorted in place), nearest rank.
pub fn quantile(times: &mut [Duration], q: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort_unstable();
    let rank = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len());
    times[rank - 1]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// The engines side by side: build, size, latency overall and by class, mean hits by class,
/// and the goal (tantivy's p99 < 20 ms and at most half the faster peer's).
pub fn table(runs: &[Measured]) {
    if runs.is_empty() {
        return;
    }
    println!();
    println!(
        "| engine | build, all steps | size | p50 | p99 | max | {} |",
        CLASSES
            .iter()
            .map(|c| format!("{c} p50 / p99"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|---|---|---|---|---|{}", "---|".repeat(CLASSES.len()));
    for run in runs {
        let build = match run.build_time() {
            Some(took) => format!(
                "{:.1} s: {:.0} paragraphs/s",
                took.as_secs_f64(),
                run.paragraphs as f64 / took.as_secs_f64()
            ),
            None => "(reused)".into(),
        };
        let mut all = run.times(None);
        let by_class: Vec<String> = CLASSES
            .iter()
            .map(|c| {
                let mut times = run.times(Some(c));
                format!(
                    "{} / {}",
                    ms(quantile(&mut times, 0.5)),
                    ms(quantile(&mut times, 0.99))
                )
            })
            .collect();
        println!(
            "| {} | {build} | {:.0} MB | {} | **{}** | {} | {} |",
            run.engine,
            run.bytes as f64 / 1e6,
            ms(quantile(&mut all, 0.5)),
            ms(quantile(&mut all, 0.99)),
            ms(quantile(&mut all, 1.0)),
            by_class.join(" | ")
        );
    }
    println!();
    println!(
        "| mean hits (queries finding nothing) | {} |",
        runs.iter()
            .map(|r| r.engine)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---|".repeat(runs.len()));
    for class in CLASSES.iter().map(Some).chain([None]) {
        let cells: Vec<String> = runs
            .iter()
            .map(|run| {
                let totals: Vec<usize> = run
                    .samples
                    .iter()
                    .filter(|s| class.is_none_or(|c| s.class == *c))
                    .map(|s| s.total)
                    .collect();
                let mean = totals.iter().sum::<usize>() as f64 / totals.len().max(1) as f64;
                let none = totals.iter().filter(|t| **t == 0).count();
                format!("{mean:.0} ({none})")
            })
            .collect();
        let count = runs.first().map_or(0, |r| r.times(class.copied()).len());
        println!(
            "| {} ({count}) | {} |",
            class.copied().unwrap_or("all"),
            cells.join(" | ")
        );
    }
    println!();
    for run in runs {
        if let Some(steps) = &run.steps {
            let steps: Vec<String> = steps
                .iter()
                .map(|(step, took)| format!("{step} {:.1} s", took.as_secs_f64()))
                .collect();
            println!("- {} build: {}.", run.engine, steps.join(", "));
        }
        for note in &run.notes {
            println!("- {}: {note}.", run.engine);
        }
    }
    goal(runs);
}

fn goal(runs: &[Measured]) {
    let Some((ours, peers)) = runs
        .split_first()
        .filter(|(ours, _)| ours.engine == "tantivy")
    else {
        return;
    };
    let p99 = ours.p99();
    let under = p99 < Duration::from_millis(20);
    println!(
        "- goal: {} p99 {} ms < 20 ms: **{}**.",
        ours.engine,
        ms(p99),
        if under { "met" } else { "not met" }
    );
    let Some(faster) = peers.iter().min_by_key(|r| r.p99()) else {
        println!("- goal: no peer ran, so « at most half the faster peer's p99 » is not measured.");
        return;
    };
    let ratio = p99.as_secs_f64() / faster.p99().as_secs_f64().max(1e-9);
    println!(
        "- goal: the faster peer is {} (p99 {} ms); {} is {ratio:.2}× its p99, at most 0.5×: \
         **{}**.",
        faster.engine,
        ms(faster.p99()),
        ours.engine,
        if ratio <= 0.5 { "met" } else { "not met" }
    );
}

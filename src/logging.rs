//! The logs of `atelier serve`: what they say by default, and what they never carry.
//!
//! - `ATELIER_LOG` (an `EnvFilter` directive list, default `info,sqlx=warn`) chooses what is
//!   written; `ATELIER_LOG_FORMAT=json` writes one JSON object a line.
//! - The HTML parser behind the sanitiser (html5ever, through ammonia) reports every parse
//!   error of a text at WARN: a 4 KB text of nested tables is some two thousand lines, on every
//!   view. They say nothing an operator can act on, so they are never written unless
//!   `ATELIER_LOG` names their target (`…,html5ever=warn`), and are counted instead in
//!   `atelier_html_parser_warnings_total`.
//! - Request spans carry the route and the path with its secret segments redacted
//!   (`http::trace`); a peer's refused sync message is one WARN per member per minute
//!   (`collab::refusals`).

use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

/// What is written when `ATELIER_LOG` is unset or unreadable.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Targets whose events are noise on every request: silenced unless the filter names them.
const PARSER_TARGETS: [&str; 2] = ["html5ever", "markup5ever"];

/// The counter of the HTML parser's warnings, which the logs leave out.
pub const PARSER_WARNINGS_METRIC: &str = "atelier_html_parser_warnings_total";

/// Installs the process's subscriber: the formatted log on stderr and the parser-noise counter.
pub fn init() {
    let filter = filter(std::env::var("ATELIER_LOG").ok().as_deref());
    let json = std::env::var("ATELIER_LOG_FORMAT").is_ok_and(|f| f == "json");
    let written = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let written: Box<dyn Layer<Registry> + Send + Sync> = if json {
        written.json().with_filter(filter).boxed()
    } else {
        written.with_filter(filter).boxed()
    };
    // A filter by target and level, not a closure: its interest is decided once per callsite,
    // so the debug events of hyper, tower and sqlx stay disabled at no cost per request (a
    // closure made every callsite's interest dynamic, and cost /healthz a third of its rate).
    let counted = ParserNoise.with_filter(
        PARSER_TARGETS
            .iter()
            .fold(Targets::new(), |targets, target| {
                targets.with_target(*target, tracing::Level::WARN)
            }),
    );
    // `init` also routes the `log` crate's records (html5ever's among them) into `tracing`.
    tracing_subscriber::registry()
        .with(written)
        .with(counted)
        .init();
}

/// The filter for a `ATELIER_LOG` value: the parser's targets are turned off unless named.
pub fn filter(spec: Option<&str>) -> EnvFilter {
    let spec = spec
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_FILTER);
    let with_quiet_parser = |spec: &str| {
        let mut directives = spec.to_owned();
        for target in PARSER_TARGETS {
            if !spec.contains(target) {
                directives.push_str(&format!(",{target}=off"));
            }
        }
        directives
    };
    EnvFilter::try_new(with_quiet_parser(spec))
        .unwrap_or_else(|_| EnvFilter::new(with_quiet_parser(DEFAULT_FILTER)))
}

/// Counts the parser's warnings instead of writing them.
struct ParserNoise;

impl<S: tracing::Subscriber> Layer<S> for ParserNoise {
    fn on_event(&self, _event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        metrics::counter!(PARSER_WARNINGS_METRIC).increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parser_is_quiet_unless_named() {
        for spec in [None, Some(""), Some("debug"), Some("info,tower_http=debug")] {
            let filter = filter(spec).to_string();
            assert!(filter.contains("html5ever=off"), "{spec:?}: {filter}");
            assert!(filter.contains("markup5ever=off"), "{spec:?}: {filter}");
        }
        let named = filter(Some("info,html5ever=warn")).to_string();
        assert!(
            named.contains("html5ever=warn") && !named.contains("html5ever=off"),
            "{named}"
        );
        // An unreadable value falls back to the default, still quiet.
        let fallback = filter(Some("=[")).to_string();
        assert!(
            fallback.contains("sqlx=warn") && fallback.contains("html5ever=off"),
            "{fallback}"
        );
    }
}

//! Rendered texts, kept: a convention's readers open the same long text thousands of times
//! between two changes, and rendering 100,000 characters of Markdown (parsing, sanitising,
//! numbering) costs milliseconds each time.
//!
//! A text at given heads never changes, so its wiki links are kept by (text, heads), and its
//! rendering by (text, heads, where its wiki links lead for this reader): the links depend on
//! what the reader may see (`wiki::Resolver`), which is resolved per request (a query only when
//! the text has links) and folded into the key. Nothing here can go stale; old states simply
//! age out, by size.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use automerge::ChangeHash;

use super::{TextContext, wiki};
use crate::collab::DocView;
use crate::error::{AppError, AppResult};
use crate::markup::{self, WikiTarget};
use crate::model::TextId;
use crate::store::Db;

/// The memory the renderings may take (their HTML and paragraphs, roughly).
const MAX_BYTES: u64 = 128 * 1024 * 1024;

/// A state of a text.
type State = (TextId, Vec<ChangeHash>);

/// This server's rendered texts. Cheap to clone.
#[derive(Clone)]
pub struct Renders {
    links: moka::sync::Cache<State, Arc<Vec<WikiTarget>>>,
    rendered: moka::sync::Cache<(State, u64), Arc<markup::Rendered>>,
    /// Pages' bodies made from a rendering (margins, controls), by a digest of the rendering's
    /// key and of all else they were made from.
    decorated: moka::sync::Cache<u64, Arc<String>>,
    /// The digests' keys, random per process: nobody can make two inputs meet on purpose.
    digests: RandomState,
}

/// A text rendered for a reader, and what it was rendered from (for what is made of it).
pub struct Rendering {
    pub rendered: Arc<markup::Rendered>,
    /// A digest of the state and of where its wiki links lead.
    key: u64,
}

impl Default for Renders {
    fn default() -> Self {
        let idle = Duration::from_secs(3600);
        Renders {
            links: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_idle(idle)
                .build(),
            rendered: moka::sync::Cache::builder()
                .weigher(|_, r: &Arc<markup::Rendered>| {
                    let bytes = r.html.len() * 2 + r.paragraphs.len() * 64;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .max_capacity(MAX_BYTES)
                .time_to_idle(idle)
                .build(),
            decorated: moka::sync::Cache::builder()
                .weigher(|_, body: &Arc<String>| u32::try_from(body.len()).unwrap_or(u32::MAX))
                .max_capacity(MAX_BYTES)
                .time_to_idle(idle)
                .build(),
            digests: RandomState::new(),
        }
    }
}

impl Renders {
    /// The text as `view` holds it, rendered for the reader of `ctx` (wiki links leading to
    /// what they may see), off the async workers when it must be rendered.
    pub async fn render(&self, db: &Db, ctx: &TextContext, view: &DocView) -> AppResult<Rendering> {
        let state: State = (ctx.text.text_id, view.heads.clone());
        let links = match self.links.get(&state) {
            Some(links) => links,
            None => {
                let markdown = view.markdown.clone();
                let links = Arc::new(blocking(move || markup::wiki_links(&markdown)).await?);
                self.links.insert(state.clone(), links.clone());
                links
            }
        };
        let resolver =
            wiki::Resolver::for_targets(db, ctx.viewer.as_ref(), ctx.text.group_id, &links).await?;
        let mut where_links_lead = self.digests.build_hasher();
        for target in links.iter() {
            resolver.resolve(target).hash(&mut where_links_lead);
        }
        let key = (state, where_links_lead.finish());
        let digest = self.digests.hash_one(&key);
        if let Some(rendered) = self.rendered.get(&key) {
            return Ok(Rendering {
                rendered,
                key: digest,
            });
        }
        let rendered = Arc::new(rendered_with(resolver, view.markdown.to_string()).await?);
        self.rendered.insert(key, rendered.clone());
        Ok(Rendering {
            rendered,
            key: digest,
        })
    }

    /// What `make` makes of `rendering` and of `inputs` (everything else it reads), made once:
    /// a reading view's body with its margins is the same for every reader with the same
    /// rights and counts, and remaking it costs a pass over hundreds of kilobytes.
    pub fn decorated(
        &self,
        rendering: &Rendering,
        inputs: impl Hash,
        make: impl FnOnce(&markup::Rendered) -> String,
    ) -> Arc<String> {
        let key = self.digests.hash_one((rendering.key, inputs));
        if let Some(body) = self.decorated.get(&key) {
            return body;
        }
        let body = Arc::new(make(&rendering.rendered));
        self.decorated.insert(key, body.clone());
        body
    }
}

/// Renders Markdown that is no kept state of a text (the sides of a comparison), its wiki
/// links resolved for the reader of `ctx`.
pub async fn render(db: &Db, ctx: &TextContext, source: &str) -> AppResult<markup::Rendered> {
    let resolver =
        wiki::Resolver::for_markdown(db, ctx.viewer.as_ref(), ctx.text.group_id, source).await?;
    rendered_with(resolver, source.to_owned()).await
}

/// Renders off the async workers (a long programme takes milliseconds).
async fn rendered_with(resolver: wiki::Resolver, markdown: String) -> AppResult<markup::Rendered> {
    blocking(move || {
        let resolve = |target: &WikiTarget| resolver.resolve(target);
        markup::render(&markdown, &markup::RenderOptions::new(&resolve))
    })
    .await
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

//! The full rebuild: a complete new generation made from the database, then switched to.
//! `atelier reindex` runs it while servers run (they switch without a restart), and a server
//! runs it when it starts without a usable index.

use atelier_search::{Build, IndexHome};

use super::documents::{self, Source};
use crate::collab::{Hub, HubSettings};
use crate::model::DebateId;
use crate::store::Db;

/// Debates read from the database at once.
const DEBATES_PAGE: i64 = 200;

/// What a rebuild made.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// The new generation, now current.
    pub generation: String,
    /// Documents indexed.
    pub documents: u64,
    /// The outbox position it reflects.
    pub position: i64,
}

/// Builds a complete generation from the database and makes it current.
///
/// The position is read before anything else: whatever is written meanwhile comes after it in
/// the outbox, and the consumer, resuming from it, handles it again (handling an event re-reads
/// the current state, so a second time changes nothing).
pub async fn rebuild(db: &Db, hub: &Hub, home: &IndexHome) -> anyhow::Result<Rebuilt> {
    let position = db.last_event_position().await?;
    let home = home.clone();
    let mut build = tokio::task::spawn_blocking(move || home.build()).await??;
    let mut count: u64 = 0;
    // Every group, text and amendment, private ones included: each document carries who may
    // find it.
    for group in db.groups(None).await? {
        let mut sources = vec![Source::Group(group.group_id)];
        for text in db.texts_of_group(group.group_id).await? {
            sources.push(Source::Text(text.text_id));
            for amendment in db.amendments_of_text(text.text_id, None).await? {
                sources.push(Source::Amendment(amendment.amendment_id));
            }
        }
        for source in sources {
            let docs = documents::read(db, hub, source).await?;
            count += docs.len() as u64;
            build = add(build, source, docs).await?;
        }
    }
    // Every debate (all are public), a page at a time.
    let mut after = DebateId(0);
    loop {
        let page = db.debates_after(after, DEBATES_PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.debate_id;
        for debate in page {
            let source = Source::Debate(debate.debate_id);
            let docs = vec![documents::debate_document(db, debate).await?];
            count += 1;
            build = add(build, source, docs).await?;
        }
    }
    let generation = tokio::task::spawn_blocking(move || build.finish(position)).await??;
    Ok(Rebuilt {
        generation,
        documents: count,
        position,
    })
}

/// Adds a source's documents off the async runtime (the writer may wait for its indexing
/// threads).
async fn add(
    mut build: Build,
    source: Source,
    docs: Vec<atelier_search::IndexDoc>,
) -> anyhow::Result<Build> {
    Ok(tokio::task::spawn_blocking(move || {
        build
            .writer()
            .replace_source(&source.key(), &docs)
            .map(|()| build)
    })
    .await??)
}

/// `atelier reindex`: rebuilds the index of the data directory's `dir` and switches to it. A
/// server running on that directory serves the new index within a second, without a restart.
pub async fn reindex(db: &Db, dir: &std::path::Path) -> anyhow::Result<Rebuilt> {
    let home = IndexHome::new(dir);
    // No document is open here: the texts' stored Markdown is read. A running server stores it
    // every two seconds while people type: what it typed since reaches the new index with the
    // text's next event.
    let hub = Hub::new(db.clone(), HubSettings::default());
    let rebuilt = rebuild(db, &hub, &home).await?;
    // Generations a server still writes stay: that server removes them once it has switched.
    if let Err(e) = home.remove_unused(Some(&rebuilt.generation)) {
        tracing::warn!(error = %e, "the previous search indexes could not all be removed");
    }
    Ok(rebuilt)
}

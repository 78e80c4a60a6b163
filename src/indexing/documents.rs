//! What the index holds: the documents made from a group or a text, as anyone may see them.
//!
//! Adding a kind of document is one step here: a [`Source`] variant (what an event makes
//! stale), the documents it makes (`read`), and where the full rebuild finds every one
//! (`super::rebuild`).

use atelier_search::IndexDoc;

use crate::auth::permissions::Access;
use crate::collab::{Hub, HubError};
use crate::markup::{self, RenderOptions, WikiResolution, WikiTarget};
use crate::model::{DebateId, GroupId, TextId};
use crate::store::{Db, DebateRow, GroupRow, TextRow};

/// What documents are made from: replaced together when it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The group's own document.
    Group(GroupId),
    /// The text's title, and one document per paragraph.
    Text(TextId),
    /// An archived debate (all are public): one document.
    Debate(DebateId),
}

impl Source {
    /// The key all of its documents carry ([`IndexDoc::source`]).
    pub fn key(self) -> String {
        match self {
            Source::Group(id) => format!("group:{id}"),
            Source::Text(id) => format!("text:{id}"),
            Source::Debate(id) => format!("debate:{id}"),
        }
    }
}

/// Whether anyone, signed in or not, may see the group: only such groups and their texts are
/// indexed, since the index answers everyone's queries.
pub async fn visible_to_anyone(db: &Db, group: &GroupRow) -> anyhow::Result<bool> {
    let chain: Vec<GroupId> = db
        .ancestors(group.group_id)
        .await?
        .iter()
        .map(|g| g.group_id)
        .collect();
    Ok(Access::to_group(None, group, &chain).can_view)
}

/// The documents of `source` as it is now: none when it is gone or hidden from anyone.
pub async fn read(db: &Db, hub: &Hub, source: Source) -> anyhow::Result<Vec<IndexDoc>> {
    match source {
        Source::Group(id) => {
            let Some(group) = db.group(id).await? else {
                return Ok(Vec::new());
            };
            if !visible_to_anyone(db, &group).await? {
                return Ok(Vec::new());
            }
            Ok(vec![group_document(&group)])
        }
        Source::Text(id) => {
            let Some(text) = db.text(id).await? else {
                return Ok(Vec::new());
            };
            let Some(group) = db.group(text.group_id).await? else {
                return Ok(Vec::new());
            };
            if !visible_to_anyone(db, &group).await? {
                return Ok(Vec::new());
            }
            let Some(markdown) = current_markdown(db, hub, id).await? else {
                return Ok(Vec::new());
            };
            text_documents(text, markdown).await
        }
        Source::Debate(id) => match db.debate(id).await? {
            Some(debate) => Ok(vec![debate_document(db, debate).await?]),
            None => Ok(Vec::new()),
        },
    }
}

/// The text's Markdown now. An open document is read (the stored copy lags the typing by up to
/// two seconds); a text nobody has open is read from the store, whose copy is then current
/// (written at creation and when its document leaves memory), so indexing never loads
/// documents. A document that cannot be read is logged and the stored copy indexed instead:
/// one damaged text must not hold up the index.
async fn current_markdown(db: &Db, hub: &Hub, id: TextId) -> anyhow::Result<Option<String>> {
    if !hub.open_texts().contains(&id) {
        return Ok(db.text_markdown(id).await?);
    }
    match hub.read(id, None).await {
        Ok(view) => Ok(Some(view.markdown.to_string())),
        // The text exists (its row was just read): its document did not answer because the
        // server is stopping. An error, so that the event is handled again, never a removal.
        Err(HubError::Gone) => anyhow::bail!("the text {id}'s document did not answer"),
        Err(e) => {
            tracing::warn!(text = %id, error = %e, "the text's document cannot be read: its stored Markdown is indexed");
            Ok(db.text_markdown(id).await?)
        }
    }
}

pub fn group_document(group: &GroupRow) -> IndexDoc {
    let id = group.group_id.to_string();
    IndexDoc {
        key: Source::Group(group.group_id).key(),
        kind: "group".to_owned(),
        title: group.name.clone(),
        body: group.description.clone(),
        group_id: Some(id.clone()),
        date: Some(group.created_at.unix_timestamp()),
        url: format!("/groups/{id}"),
        ..IndexDoc::default()
    }
}

/// The text's title, then each numbered paragraph (found by its words, shown under the text's
/// title, opening the text at its anchor). Rendering runs off the async runtime.
pub async fn text_documents(text: TextRow, markdown: String) -> anyhow::Result<Vec<IndexDoc>> {
    let docs = tokio::task::spawn_blocking(move || {
        // Only the paragraphs' plain text is kept: where wiki links lead does not matter.
        let resolve = |_: &WikiTarget| WikiResolution::Missing {
            create_href: String::new(),
        };
        let rendered = markup::render(&markdown, &RenderOptions::new(&resolve));
        let id = text.text_id;
        let common = IndexDoc {
            group_id: Some(text.group_id.to_string()),
            status: Some(text.status.code().to_owned()),
            date: Some(text.updated_at.unix_timestamp()),
            ..IndexDoc::default()
        };
        let mut docs = Vec::with_capacity(rendered.paragraphs.len() + 1);
        docs.push(IndexDoc {
            key: Source::Text(id).key(),
            kind: "text".to_owned(),
            title: text.title.clone(),
            url: format!("/texts/{id}"),
            ..common.clone()
        });
        for paragraph in rendered.paragraphs {
            docs.push(IndexDoc {
                key: format!("paragraph:{id}:{}", paragraph.number),
                kind: "paragraph".to_owned(),
                label: Some(text.title.clone()),
                body: paragraph.lines.join(" "),
                url: format!("/texts/{id}#{}", paragraph.anchor),
                ..common.clone()
            });
        }
        docs
    })
    .await?;
    Ok(docs)
}

/// An archived debate: its title, its text, its speaker as author, its day (or moment), and
/// its group and place facet when its place is a group anyone may see.
pub async fn debate_document(db: &Db, debate: DebateRow) -> anyhow::Result<IndexDoc> {
    let group = match debate.group_id {
        Some(id) => match db.group(id).await? {
            Some(group) if visible_to_anyone(db, &group).await? => Some(group),
            _ => None,
        },
        None => None,
    };
    let place = match &group {
        Some(group) => Some(place_of(db, group).await?),
        None => None,
    };
    let date = debate.held_at.map(|at| at.unix_timestamp()).or_else(|| {
        time::Date::parse(
            &debate.held_on,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .map(|day| day.midnight().assume_utc().unix_timestamp())
    });
    Ok(IndexDoc {
        key: Source::Debate(debate.debate_id).key(),
        kind: "debate".to_owned(),
        title: debate.title,
        body: debate.body,
        author: Some(debate.speaker),
        group_id: group.map(|g| g.group_id.to_string()),
        place,
        date,
        url: format!("/debates/{}", debate.debate_id),
        ..IndexDoc::default()
    })
}

/// A group's place in the party, for the hierarchical place facet: the ids from the national
/// group down to it (`/1/4/9`: national, federation, section). Ids rather than names, which a
/// rename would change under the index.
pub async fn place_of(db: &Db, group: &GroupRow) -> anyhow::Result<String> {
    // `ancestors` runs from the root down to the group itself.
    Ok(db
        .ancestors(group.group_id)
        .await?
        .iter()
        .map(|g| format!("/{}", g.group_id))
        .collect())
}

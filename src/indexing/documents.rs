//! What the index holds: the documents made from a group, a text, an amendment or a debate,
//! each with the grants that open it (`auth::readers`): the index holds everything, private
//! groups and drafts included, and a search finds only what its searcher may see.
//!
//! Adding a kind of document is one step here: a [`Source`] variant (what an event makes
//! stale), the documents it makes (`read`, with its readers from `auth::readers`), and where
//! the full rebuild finds every one (`super::rebuild`).

use atelier_search::IndexDoc;

use crate::auth::permissions::Access;
use crate::auth::readers;
use crate::collab::{Hub, HubError};
use crate::markup::{self, RenderOptions, WikiResolution, WikiTarget};
use crate::model::{AmendmentId, AmendmentStatus, DebateId, GroupId, GroupKind, TextId, TextKind};
use crate::store::{AmendmentRow, Db, DebateRow, GroupRow, TextRow};

/// What documents are made from: replaced together when it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The group's own document.
    Group(GroupId),
    /// The text's title, and one document per paragraph.
    Text(TextId),
    /// An amendment: its wording, rationale and the passage it targets.
    Amendment(AmendmentId),
    /// An archived debate (all are public): one document.
    Debate(DebateId),
}

impl Source {
    /// The key all of its documents carry ([`IndexDoc::source`]).
    pub fn key(self) -> String {
        match self {
            Source::Group(id) => format!("group:{id}"),
            Source::Text(id) => format!("text:{id}"),
            Source::Amendment(id) => format!("amendment:{id}"),
            Source::Debate(id) => format!("debate:{id}"),
        }
    }
}

/// Whether anyone, signed in or not, may see the group (what open data publishes).
pub async fn visible_to_anyone(db: &Db, group: &GroupRow) -> anyhow::Result<bool> {
    let chain: Vec<GroupId> = db
        .ancestors(group.group_id)
        .await?
        .iter()
        .map(|g| g.group_id)
        .collect();
    Ok(Access::to_group(None, group, &chain).can_view)
}

/// What a group gives the documents it owns: who may read them, where they are in the party,
/// and their theme.
#[derive(Clone, Debug)]
pub struct Owner {
    pub group_id: String,
    pub readers: Vec<String>,
    pub place: String,
    /// The theme the group is, or is under (a theme's working group).
    pub theme: Option<String>,
}

impl Owner {
    pub async fn of(db: &Db, group: &GroupRow) -> anyhow::Result<Owner> {
        // Root first, the group last.
        let chain = db.ancestors(group.group_id).await?;
        let ids: Vec<GroupId> = chain.iter().map(|g| g.group_id).collect();
        Ok(Owner {
            group_id: group.group_id.to_string(),
            readers: readers::of_group(group, &ids),
            place: ids.iter().map(|id| format!("/{id}")).collect(),
            theme: chain
                .iter()
                .rev()
                .find(|g| g.kind == GroupKind::Theme)
                .map(|g| g.name.clone()),
        })
    }
}

/// How a text's Markdown is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// An open document if there is one, else the stored Markdown: for what did not change the
    /// text itself (its group, its status), and for the full rebuild.
    Cheapest,
    /// The document as stored by every server, loaded if it is not open: for an event that
    /// says the document changed. The stored Markdown lags the document by up to two seconds,
    /// and the event may come from another server (whose change this one's copy may not have
    /// fetched yet).
    Changed,
}

/// The documents of `source` as it is now: none when it is gone.
pub async fn read(db: &Db, hub: &Hub, source: Source) -> anyhow::Result<Vec<IndexDoc>> {
    read_as(db, hub, source, Reading::Cheapest).await
}

/// [`read`], a text's Markdown read as `reading` says.
pub async fn read_as(
    db: &Db,
    hub: &Hub,
    source: Source,
    reading: Reading,
) -> anyhow::Result<Vec<IndexDoc>> {
    match source {
        Source::Group(id) => {
            let Some(group) = db.group(id).await? else {
                return Ok(Vec::new());
            };
            let owner = Owner::of(db, &group).await?;
            Ok(vec![group_document(&group, &owner)])
        }
        Source::Text(id) => {
            let Some(text) = db.text(id).await? else {
                return Ok(Vec::new());
            };
            let Some(group) = db.group(text.group_id).await? else {
                return Ok(Vec::new());
            };
            let owner = Owner::of(db, &group).await?;
            let Some(markdown) = current_markdown(db, hub, id, reading).await? else {
                return Ok(Vec::new());
            };
            text_documents(text, markdown, owner).await
        }
        Source::Amendment(id) => {
            let Some(row) = db.amendment(id).await? else {
                return Ok(Vec::new());
            };
            let Some(text) = db.text(row.text_id).await? else {
                return Ok(Vec::new());
            };
            let Some(group) = db.group(text.group_id).await? else {
                return Ok(Vec::new());
            };
            let owner = Owner::of(db, &group).await?;
            Ok(vec![amendment_document(db, &text, row, &owner).await?])
        }
        Source::Debate(id) => match db.debate(id).await? {
            Some(debate) => Ok(vec![debate_document(db, debate).await?]),
            None => Ok(Vec::new()),
        },
    }
}

/// The text's Markdown now. An open document is read (the stored copy lags the typing by up to
/// two seconds). A text nobody has open here is read from the store, whose copy is then
/// current (written at creation and when its document leaves memory) unless the document was
/// just changed, on another server (`Reading::Changed`): its document is then loaded, and
/// stays open while the edits go on (each fetching only what is new). A document that cannot
/// be read is logged and the stored copy indexed instead: one damaged text must not hold up
/// the index.
async fn current_markdown(
    db: &Db,
    hub: &Hub,
    id: TextId,
    reading: Reading,
) -> anyhow::Result<Option<String>> {
    let read = match reading {
        Reading::Cheapest if !hub.open_texts().contains(&id) => {
            return Ok(db.text_markdown(id).await?);
        }
        Reading::Cheapest => hub.read(id, None).await,
        Reading::Changed => hub.read_stored_everywhere(id).await,
    };
    match read {
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

pub fn group_document(group: &GroupRow, owner: &Owner) -> IndexDoc {
    let id = group.group_id.to_string();
    IndexDoc {
        key: Source::Group(group.group_id).key(),
        kind: "group".to_owned(),
        title: group.name.clone(),
        body: group.description.clone(),
        group_id: Some(id.clone()),
        place: Some(owner.place.clone()),
        theme: owner.theme.clone(),
        readers: owner.readers.clone(),
        date: Some(group.created_at.unix_timestamp()),
        url: format!("/groups/{id}"),
        ..IndexDoc::default()
    }
}

/// An amendment: found by its wording, its rationale, the passage it targets and its
/// reference; shown under « Amendement N — reference ». A draft is its author's alone.
pub async fn amendment_document(
    db: &Db,
    text: &TextRow,
    row: AmendmentRow,
    owner: &Owner,
) -> anyhow::Result<IndexDoc> {
    // Only the section or federation it was filed for, and only when anyone may see that
    // group: a member's name is shown to those who may see the group's directory alone (the
    // amendment's page), and every reader of the text can search the index.
    let author = match row.on_behalf_of {
        Some(group) => match db.group(group).await? {
            Some(group) if visible_to_anyone(db, &group).await? => Some(group.name),
            _ => None,
        },
        None => None,
    };
    let readers = if row.status == AmendmentStatus::Draft {
        row.author_id.map(readers::of_member).unwrap_or_default()
    } else {
        owner.readers.clone()
    };
    let body = [
        row.replacement.as_str(),
        row.rationale.as_str(),
        row.original.as_str(),
    ]
    .iter()
    .filter(|part| !part.trim().is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join("\n\n");
    Ok(IndexDoc {
        key: Source::Amendment(row.amendment_id).key(),
        kind: "amendment".to_owned(),
        title: format!("Amendement {} — {}", row.number, row.reference),
        label: Some(format!(
            "{} — Amendement {} — {}",
            text.title, row.number, row.reference
        )),
        body,
        group_id: Some(owner.group_id.clone()),
        place: Some(owner.place.clone()),
        theme: owner.theme.clone(),
        status: Some(row.status.code().to_owned()),
        author,
        date: Some(row.updated_at.unix_timestamp()),
        url: format!("/amendments/{}", row.amendment_id),
        readers,
        ..IndexDoc::default()
    })
}

/// The text's title, then each numbered paragraph (found by its words, shown under the text's
/// title, opening the text at its anchor). Rendering runs off the async runtime.
pub async fn text_documents(
    text: TextRow,
    markdown: String,
    owner: Owner,
) -> anyhow::Result<Vec<IndexDoc>> {
    let docs = tokio::task::spawn_blocking(move || {
        // Only the paragraphs' plain text is kept: where wiki links lead does not matter.
        let resolve = |_: &WikiTarget| WikiResolution::Missing {
            create_href: String::new(),
        };
        let rendered = markup::render(&markdown, &RenderOptions::new(&resolve));
        let id = text.text_id;
        let common = IndexDoc {
            group_id: Some(owner.group_id),
            place: Some(owner.place),
            theme: owner.theme,
            readers: owner.readers,
            status: Some(text.status.code().to_owned()),
            date: Some(text.updated_at.unix_timestamp()),
            ..IndexDoc::default()
        };
        let mut docs = Vec::with_capacity(rendered.paragraphs.len() + 1);
        docs.push(IndexDoc {
            key: Source::Text(id).key(),
            kind: if text.kind == TextKind::Wiki {
                "wiki"
            } else {
                "text"
            }
            .to_owned(),
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
    // Its group's place and theme only while anyone may see the group (debates are public:
    // they must not carry what only some may know).
    let owner = match debate.group_id {
        Some(id) => match db.group(id).await? {
            Some(group) if visible_to_anyone(db, &group).await? => {
                Some(Owner::of(db, &group).await?)
            }
            _ => None,
        },
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
        convention: debate.convention,
        group_id: owner.as_ref().map(|o| o.group_id.clone()),
        place: owner.as_ref().map(|o| o.place.clone()),
        theme: owner.and_then(|o| o.theme),
        date,
        url: format!("/debates/{}", debate.debate_id),
        readers: vec![readers::PUBLIC.to_owned()],
        ..IndexDoc::default()
    })
}

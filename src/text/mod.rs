//! Texts: programme chapters, motions and wiki pages, each an automerge document edited live
//! (`crate::collab`). This module holds the rules shared by the API and the pages: who may read,
//! write and manage a text, how texts are created, named versions, diffs, the history and wiki
//! links.
//!
//! Rights (also in ARCHITECTURE.md):
//! - Whoever may see a text's group may read its texts.
//! - Writing takes the role `member` or above there (supporters read and, later, comment), and
//!   only while the text is `drafting`: after that, it changes through amendments.
//! - Changing a text's status takes `organiser` or above.

pub mod history;
mod renders;
mod templates;
pub mod wiki;

pub use renders::{Rendering, Renders, render};

use automerge::ChangeHash;

use crate::auth::Viewer;
use crate::auth::permissions::{TextRights, WriteBar};
use crate::collab::{Hub, HubError, derived, doc};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::markup;
use crate::model::{GroupId, MemberId, TextId, TextKind, TextStatus, TextTitle, VersionId};
use crate::organisation::{self, GroupContext};
use crate::store::{Db, NewText, StoreError, TextRow, VersionRow};

pub use templates::Template;

/// The largest Markdown a text may be created or imported with (UTF-8 bytes): a whole
/// programme is about 100 KB; the limit stays under the request body limit.
pub const MAX_MARKDOWN_BYTES: usize = 900 * 1024;

/// A text, its group, and what the viewer may do with it.
pub struct TextContext {
    pub text: TextRow,
    pub group: GroupContext,
    /// Who is reading: what the page shows of other texts and groups (backlinks, wiki links)
    /// is limited to what they may see.
    pub viewer: Option<Viewer>,
    /// May change the text now.
    pub can_write: bool,
    /// Would be allowed to write if the text were drafting (may create texts, name versions).
    pub contributor: bool,
    /// May change its status.
    pub can_manage: bool,
    /// Why a signed-in reader who is not a contributor may not write, and whether joining the
    /// group would let them; `None` for contributors and visitors.
    pub write_bar: Option<WriteBar>,
}

/// Loads a text the viewer may read; 404 when it does not exist or its group is hidden from them.
pub async fn load_text(db: &Db, viewer: Option<&Viewer>, id: TextId) -> AppResult<TextContext> {
    let text = db.text(id).await?.ok_or_else(AppError::not_found)?;
    let group = organisation::load_group(db, viewer, text.group_id).await?;
    let rights = TextRights::in_group(viewer, &group.access);
    Ok(TextContext {
        write_bar: viewer.and_then(|v| rights.write_bar(v, &group.access)),
        can_write: may_write(&rights, text.status),
        contributor: rights.contributor,
        can_manage: rights.can_manage,
        text,
        group,
        viewer: viewer.cloned(),
    })
}

/// Whether someone with `rights` may change a text in `status`. Drafting texts are written by
/// their group's contributors; while amendments run, only the text's organisers may still edit it
/// (a typo, a late correction: amendments stay anchored through their edits), everyone else
/// proposes amendments.
fn may_write(rights: &TextRights, status: TextStatus) -> bool {
    match status {
        TextStatus::Drafting => rights.contributor,
        TextStatus::Amending => rights.contributor && rights.can_manage,
        _ => false,
    }
}

impl TextContext {
    /// Whether the reader is told who wrote what (history, versions): only those who may see
    /// who belongs to the group (its directory). A public text does not make its authors'
    /// membership public.
    pub fn names_authors(&self) -> bool {
        self.group.access.can_see_directory
    }
}

/// Joins the text's group so as to write it (the editor's « Rejoindre ce thème pour modifier »).
/// Nothing to do for a contributor; refused, saying why, when joining would not let them write.
pub async fn join_to_write(db: &Db, viewer: &Viewer, ctx: &TextContext) -> AppResult<()> {
    match ctx.write_bar {
        None => Ok(()),
        Some(WriteBar::JoinToWrite) => organisation::join(db, viewer, &ctx.group).await,
        Some(WriteBar::Supporter) => Err(AppError::forbidden_because(
            "Les sympathisant·es lisent les textes ; les modifier est réservé aux adhérent·es.",
        )),
        Some(WriteBar::NotInGroup) => Err(AppError::forbidden_because(format!(
            "Seuls les membres de « {} » peuvent modifier ce texte, et ce groupe ne se rejoint pas d'un clic.",
            ctx.group.group.name
        ))),
    }
}

/// May this viewer create texts in this group?
pub fn can_create_in(viewer: &Viewer, group: &GroupContext) -> bool {
    TextRights::in_group(Some(viewer), &group.access).contributor
}

/// A new text, parsed.
pub struct NewTextInput {
    pub title: TextTitle,
    pub kind: TextKind,
    pub markdown: String,
}

impl NewTextInput {
    /// Parses a new text. Without Markdown, the text starts from the template of its kind.
    pub fn parse(
        title: &str,
        kind: &str,
        markdown: Option<&str>,
        template: Option<&str>,
    ) -> Result<NewTextInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = TextTitle::parse(title)
            .map_err(|e| errors.insert("title".into(), e.to_string()))
            .ok();
        let kind = TextKind::parse(kind).or_else(|| {
            errors.insert(
                "kind".into(),
                "Le type de texte doit être programme ou wiki.".into(),
            );
            None
        });
        let template = match template.filter(|t| !t.is_empty()) {
            None => None,
            Some(code) => Template::parse(code).or_else(|| {
                errors.insert(
                    "template".into(),
                    "Le modèle doit être motion, chapter ou wiki.".into(),
                );
                None
            }),
        };
        if let Some(m) = markdown
            && m.len() > MAX_MARKDOWN_BYTES
        {
            errors.insert("markdown".into(), "Le texte dépasse 900 Ko.".into());
        }
        // PostgreSQL cannot store U+0000 (an import's file; JSON and forms are refused earlier).
        if markdown.is_some_and(|m| m.contains('\0')) {
            errors.insert(
                "markdown".into(),
                "Le texte contient un caractère nul (U+0000), qui ne peut pas être enregistré."
                    .into(),
            );
        }
        match (title, kind, errors.is_empty()) {
            (Some(title), Some(kind), true) => {
                let markdown = match markdown.filter(|m| !m.trim().is_empty()) {
                    Some(m) => m.replace("\r\n", "\n"),
                    None => template
                        .unwrap_or_else(|| Template::default_for(kind))
                        .markdown(title.as_str()),
                };
                Ok(NewTextInput {
                    title,
                    kind,
                    markdown,
                })
            }
            _ => Err(errors),
        }
    }
}

impl NewTextInput {
    /// Holds a new or imported text to the longest a live text may grow (`doc_max_text_length`,
    /// in UTF-16 code units), so that no text starts beyond what its editors may keep.
    pub fn within(self, max_length: usize) -> Result<NewTextInput, FieldErrors> {
        if self.markdown.encode_utf16().count() <= max_length {
            return Ok(self);
        }
        Err(FieldErrors::from([(
            "markdown".to_owned(),
            format!("Le texte dépasse la longueur maximale ({max_length} caractères)."),
        )]))
    }
}

/// Creates a text in `group` (the caller checked `can_create_in`). Its slug comes from its
/// title, made unique in the group.
pub async fn create_text(
    db: &Db,
    author: Option<MemberId>,
    group: GroupId,
    input: &NewTextInput,
) -> AppResult<TextId> {
    let (mut document, bytes) =
        doc::create(&input.markdown).map_err(|e| AppError::Internal(e.into()))?;
    let heads = doc::heads_to_json(&document.get_heads());
    let base = markup::slugify(input.title.as_str());
    let base = if base.is_empty() {
        "texte".to_owned()
    } else {
        base
    };
    for attempt in 1..=100 {
        let slug = if attempt == 1 {
            base.clone()
        } else {
            format!("{base}-{attempt}")
        };
        let created = db
            .create_text(&NewText {
                group,
                kind: input.kind,
                title: input.title.as_str(),
                slug: &slug,
                markdown: &input.markdown,
                document: &bytes,
                heads: &heads,
                author,
            })
            .await;
        match created {
            Ok(id) => {
                derived::store(db, id, &input.markdown).await?;
                return Ok(id);
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "Trop de textes portent déjà ce titre dans ce groupe.",
    ))
}

/// The statuses a text in `from` may move to. The life is drafting → amending → adopted →
/// archived, one step at a time; two steps back are allowed because organisers need them:
/// amending → drafting reopens a text whose amendments were opened too early, and archived →
/// adopted un-archives. Skipping a step (drafting → adopted) would adopt a text nobody could
/// amend, and reopening an adopted text would change what a convention voted.
pub fn status_moves(from: TextStatus) -> &'static [TextStatus] {
    use TextStatus::*;
    match from {
        Drafting => &[Amending],
        Amending => &[Adopted, Drafting],
        Adopted => &[Archived],
        Archived => &[Adopted],
    }
}

/// Why a move is refused, in the UI's language: which moves the current status allows.
fn status_move_refused(from: TextStatus, to: TextStatus) -> AppError {
    let name = |s: TextStatus| match s {
        TextStatus::Drafting => "« en rédaction » (drafting)",
        TextStatus::Amending => "« en amendement » (amending)",
        TextStatus::Adopted => "« adopté » (adopted)",
        TextStatus::Archived => "« archivé » (archived)",
    };
    let allowed: Vec<&str> = status_moves(from).iter().map(|s| name(*s)).collect();
    AppError::conflict(format!(
        "Un texte {} ne peut pas passer au statut {} : il ne peut passer qu'à {}.",
        name(from),
        name(to),
        allowed.join(" ou ")
    ))
}

/// Changes a text's status along its life (`status_moves`); setting the current status again
/// changes nothing. Live editors reconnect so that their rights are checked again.
pub async fn set_status(db: &Db, ctx: &TextContext, status: TextStatus) -> AppResult<()> {
    if !ctx.can_manage {
        return Err(AppError::forbidden());
    }
    let from = ctx.text.status;
    if status == from {
        return Ok(());
    }
    if !status_moves(from).contains(&status) {
        return Err(status_move_refused(from, status));
    }
    // Conditional on the status the move was checked against: of two organisers moving the
    // same text at once, the second gets a conflict instead of an unchecked move.
    if !db
        .set_text_status(
            ctx.text.text_id,
            from,
            status,
            ctx.viewer.as_ref().map(|v| v.member_id),
        )
        .await?
    {
        return Err(AppError::conflict(
            "Le statut du texte vient de changer ; rechargez la page et réessayez.",
        ));
    }
    // The store announces the new status; the text's live sockets follow (`collab::rights`).
    Ok(())
}

/// Names the document's current state.
pub async fn create_version(
    db: &Db,
    hub: &Hub,
    viewer: &Viewer,
    ctx: &TextContext,
    label: &str,
) -> AppResult<(VersionId, Vec<ChangeHash>)> {
    if !ctx.contributor {
        return Err(AppError::forbidden());
    }
    let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.is_empty() || label.chars().count() > 120 {
        return Err(AppError::invalid_field(
            "label",
            "Le nom de la version est obligatoire (120 caractères au plus).",
        ));
    }
    let view = hub.read(ctx.text.text_id, None).await.map_err(hub_error)?;
    let id = db
        .create_version(
            ctx.text.text_id,
            &label,
            &doc::heads_to_json(&view.heads),
            &view.markdown,
            Some(viewer.member_id),
        )
        .await?;
    Ok((id, view.heads))
}

/// Brings back the Markdown of a version as a new change: history is never rewritten.
pub async fn restore_version(
    hub: &Hub,
    viewer: &Viewer,
    ctx: &TextContext,
    version: &VersionRow,
) -> AppResult<Vec<ChangeHash>> {
    if !ctx.can_write {
        return Err(AppError::forbidden_because(
            "Seul un texte en rédaction peut être modifié directement.",
        ));
    }
    hub.replace(
        ctx.text.text_id,
        version.markdown.clone(),
        Some(viewer.member_id),
        format!("restored version {}", version.text_version_id),
        Some(crate::store::ChunkEvent {
            kind: crate::model::EventKind::TextVersionRestored,
            actor: Some(viewer.member_id),
            payload: serde_json::json!({ "version_id": version.text_version_id.0 }),
        }),
    )
    .await
    .map_err(hub_error)
}

/// How long a diff may take before it settles for a coarser result.
pub const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(500);

/// A word diff between two states, computed off the async runtime.
pub async fn diff(old: String, new: String) -> AppResult<markup::WordDiff> {
    tokio::task::spawn_blocking(move || markup::word_diff(&old, &new, DIFF_DEADLINE))
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// How long reading a past state of a text may take when a client names one.
const READ_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// The Markdown of `text` at `heads` (a state the document lacks is a 422 on `heads`), or as it
/// is now with its heads.
pub async fn markdown_at(
    hub: &Hub,
    text: TextId,
    heads: Option<Vec<ChangeHash>>,
) -> AppResult<(String, Vec<ChangeHash>)> {
    let now = hub.read(text, None).await.map_err(hub_error)?;
    match heads {
        // The text as it is now, kept by its document (most clients name the state they were
        // shown a moment ago).
        None => Ok((now.markdown.to_string(), now.heads)),
        Some(heads) if heads == now.heads => Ok((now.markdown.to_string(), now.heads)),
        Some(heads) => {
            let then = hub
                .read_states(text, vec![heads.clone()], READ_BUDGET)
                .await
                .map_err(hub_error)?
                .pop()
                .flatten()
                .ok_or_else(|| {
                    AppError::invalid_field(
                        "heads",
                        "Ces têtes ne désignent pas un état de ce texte.",
                    )
                })?;
            Ok((then, heads))
        }
    }
}

pub fn hub_error(e: HubError) -> AppError {
    match e {
        HubError::Gone => AppError::not_found(),
        HubError::Refused(m) => AppError::conflict(m),
        HubError::TooLarge(max) => AppError::invalid_field(
            "markdown",
            format!("Le texte dépasserait la longueur maximale ({max} caractères)."),
        ),
        other => AppError::Internal(other.into()),
    }
}

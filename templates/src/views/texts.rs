//! The views of texts: programme chapters, motions, wiki pages — reading, editing, numbered
//! lines, history and comparisons, new texts, wiki links, lists.

use std::collections::BTreeMap;

use rust_i18n::t;

use crate::{GroupKindView, Lang, RelatedWorkView};

coded_enum!(
    /// A programme text (chapters, motions: what conventions amend and adopt) or a wiki page.
    TextKindView {
        Programme => "programme",
        Wiki => "wiki",
    }
);

coded_enum!(
    /// Where a text is in its life: only `drafting` texts are edited freely.
    TextStatusView {
        Drafting => "drafting",
        Amending => "amending",
        Adopted => "adopted",
        Archived => "archived",
    }
);

impl TextKindView {
    /// "Programme", "Wiki".
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            TextKindView::Programme => t!("text_kind.programme", locale = l),
            TextKindView::Wiki => t!("text_kind.wiki", locale = l),
        }
        .into_owned()
    }
}

impl TextStatusView {
    /// "En rédaction", "En amendement", "Adopté", "Archivé".
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            TextStatusView::Drafting => t!("text_status.drafting", locale = l),
            TextStatusView::Amending => t!("text_status.amending", locale = l),
            TextStatusView::Adopted => t!("text_status.adopted", locale = l),
            TextStatusView::Archived => t!("text_status.archived", locale = l),
        }
        .into_owned()
    }

    /// One sentence saying what the status means for the text, for the status form.
    pub fn explanation(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            TextStatusView::Drafting => t!("text_status.drafting.hint", locale = l),
            TextStatusView::Amending => t!("text_status.amending.hint", locale = l),
            TextStatusView::Adopted => t!("text_status.adopted.hint", locale = l),
            TextStatusView::Archived => t!("text_status.archived.hint", locale = l),
        }
        .into_owned()
    }
}

/// What every page of a text shows at its top: title, kind, status, group, and what the viewer
/// may do.
#[derive(Debug, Clone)]
pub struct TextHeaderView {
    pub id: String,
    pub title: String,
    pub kind: TextKindView,
    pub status: TextStatusView,
    pub group_id: String,
    pub group_name: String,
    pub updated_at: time::OffsetDateTime,
    /// May edit the text now (a member of the group, and the text is drafting).
    pub can_write: bool,
    /// May change the text's status.
    pub can_manage: bool,
    /// The statuses the text may move to from its current one (the server refuses others).
    pub status_moves: Vec<TextStatusView>,
    /// Would be allowed to write if the text were drafting: may name versions.
    pub contributor: bool,
}

/// One heading of a text, for its table of contents.
#[derive(Debug, Clone)]
pub struct TocEntryView {
    /// 1 to 6, as in `<h1>`…`<h6>`.
    pub level: u8,
    pub text: String,
    /// The heading's id in the body, without `#`.
    pub anchor: String,
}

/// A link to a text (backlinks, lists).
#[derive(Debug, Clone)]
pub struct TextLinkView {
    pub id: String,
    pub title: String,
    pub group_name: String,
}

/// Reading a text.
#[derive(Debug, Clone)]
pub struct TextReadView {
    pub header: TextHeaderView,
    /// The text as HTML, sanitised by the server (ammonia); its headings should start at `<h2>`
    /// (the page's `<h1>` is the title) and carry the ids of [`TextReadView::toc`].
    pub body_html: String,
    pub toc: Vec<TocEntryView>,
    /// The texts whose wiki links point here.
    pub backlinks: Vec<TextLinkView>,
    /// For who may file an amendment now: what the in-place editor needs.
    pub amend: Option<AmendInPlaceView>,
    /// « On en parle aussi ailleurs »: the most similar work of other groups and themes that
    /// the reader may see.
    pub related: Vec<RelatedWorkView>,
}

/// `/texts/{id}/paragraphs/{n}/related`: one paragraph and the work like it elsewhere.
#[derive(Debug, Clone)]
pub struct ParagraphRelatedView {
    pub header: TextHeaderView,
    /// The paragraph's number (« § n »).
    pub number: usize,
    /// Its anchor in the reading view.
    pub anchor: String,
    /// Its plain text.
    pub text: String,
    pub related: Vec<RelatedWorkView>,
    /// The index is being rebuilt: nothing can be said for a few seconds.
    pub rebuilding: bool,
}

/// What the in-place amendment editor (`amend.js`) reads from the reading view: the document's
/// heads the page shows, at which it fetches the Markdown (the paragraphs' `data-src-*` ranges
/// are UTF-16 offsets into it), so that a passage filed later is anchored in that state.
#[derive(Debug, Clone)]
pub struct AmendInPlaceView {
    /// Hex change hashes, comma-separated.
    pub heads: String,
    pub rationale_required: bool,
}

/// Why a signed-in reader may not write a text, when their role is the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteBarView {
    /// Joining the text's group lets them write: the editor offers the button (a form posting
    /// to `/texts/{id}/join`).
    Join(GroupKindView),
    /// A supporter: writing is for party members.
    Supporter,
    /// Writing is for the group's members, and the group does not open by a click.
    NotInGroup,
}

/// The live editor of a text.
#[derive(Debug, Clone)]
pub struct TextEditView {
    pub header: TextHeaderView,
    /// The editor shows the text live but refuses changes.
    pub readonly: bool,
    /// The editor's WebSocket address.
    pub sync_url: String,
    /// Why the reader may not write, when it is their role (`None` for contributors).
    pub write_bar: Option<WriteBarView>,
}

/// A text with numbered paragraphs and lines, to cite them in amendments.
#[derive(Debug, Clone)]
pub struct TextLinesView {
    pub header: TextHeaderView,
    /// Sanitised by the server: `section.numbered-block[data-paragraph]` holding
    /// `span.paragraph-number` and `span.line[data-line]`.
    pub numbered_html: String,
}

/// A named version of a text.
#[derive(Debug, Clone)]
pub struct VersionView {
    pub id: String,
    pub label: String,
    /// `None`: named by the server.
    pub author_name: Option<String>,
    pub created_at: time::OffsetDateTime,
}

/// Who took part in a session of edits.
#[derive(Debug, Clone)]
pub struct SessionAuthorView {
    /// `None`: the server (an import, a restoration), or an author the reader may not know.
    pub name: Option<String>,
    /// Whether this is the server's own change (else a member, named or not).
    pub server: bool,
    pub changes: i64,
}

/// A session of edits: consecutive batches by the same people without a long pause.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub authors: Vec<SessionAuthorView>,
    pub started_at: time::OffsetDateTime,
    pub ended_at: time::OffsetDateTime,
    /// Stored batches in the session.
    pub batches: usize,
    /// Words added and removed; `None` while not computed (a later view fills it in).
    pub words: Option<(usize, usize)>,
    /// The counts come from a coarser comparison (long texts).
    pub approximate: bool,
    /// The server's messages ("restored version 3").
    pub messages: Vec<String>,
    /// The session's start and end points, as written in a diff's `from` and `to`.
    pub from: String,
    pub to: String,
    /// The page's bound cut it: it began earlier (see the next page).
    pub continues_earlier: bool,
}

/// A text's history: named versions and sessions of edits.
#[derive(Debug, Clone)]
pub struct TextHistoryView {
    pub header: TextHeaderView,
    /// Newest first.
    pub versions: Vec<VersionView>,
    /// Newest first.
    pub sessions: Vec<SessionView>,
    /// This page starts before a batch (not the newest page).
    pub paged: bool,
    /// The `before` of the next, older page.
    pub older: Option<String>,
    /// An already-localised error on the version's name (the form's `label` field).
    pub label_error: Option<String>,
}

/// A point offered by the compare form: its code and its label.
#[derive(Debug, Clone)]
pub struct PointOption {
    pub code: String,
    pub label: String,
}

/// The differences between two states of a text.
#[derive(Debug, Clone)]
pub struct TextDiffView {
    pub header: TextHeaderView,
    pub from_label: String,
    pub to_label: String,
    /// Sanitised by the server: the rendered text with `<del>` and `<ins>` inside; `None` when
    /// the Markdown source diff is shown.
    pub rendered_html: Option<String>,
    /// Sanitised by the server: the Markdown source with `<del>`, `<ins>` and `<mark>` inside.
    pub source_html: Option<String>,
    /// Words added and removed.
    pub insertions: usize,
    pub deletions: usize,
    /// The comparison gave up word-level precision (texts too long).
    pub truncated: bool,
    /// For the compare form.
    pub versions: Vec<VersionView>,
    /// Points offered besides the versions and now (the compared ones when they are not
    /// versions).
    pub extra_points: Vec<PointOption>,
    /// The compared points, as written in `from` and `to`.
    pub from: String,
    pub to: String,
}

/// The form creating a text in a group, and importing one from a Markdown file.
#[derive(Debug, Clone, Default)]
pub struct NewTextView {
    pub group_id: String,
    pub group_name: String,
    /// As typed (or from `?title=`).
    pub title: String,
    /// `programme` or `wiki` (empty: programme).
    pub kind: String,
    /// `chapter`, `motion` or `wiki` (empty: chapter).
    pub template: String,
    pub markdown: String,
    /// Keys of the creation form: `title`, `kind`, `template`, `markdown`; of the import form:
    /// `file`, `import_title`, `import_kind`. Other keys show in the summary only.
    pub errors: BTreeMap<String, String>,
}

/// A wiki link to a page that does not exist yet.
#[derive(Debug, Clone)]
pub struct WikiMissingView {
    pub group_id: String,
    pub group_name: String,
    pub title: String,
    pub can_create: bool,
    pub backlinks: Vec<TextLinkView>,
}

/// A text in a list.
#[derive(Debug, Clone)]
pub struct TextListItem {
    pub id: String,
    pub title: String,
    pub kind: TextKindView,
    pub status: TextStatusView,
    pub updated_at: time::OffsetDateTime,
}

/// A group's texts, by last change.
#[derive(Debug, Clone)]
pub struct GroupChangesView {
    pub group_id: String,
    pub group_name: String,
    /// Most recently changed first.
    pub items: Vec<TextListItem>,
    /// Who made the latest changes of each listed text (by text id), most recent first.
    pub authors: std::collections::HashMap<String, Vec<String>>,
}

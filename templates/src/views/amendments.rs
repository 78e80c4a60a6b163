//! The views of amendments: an amendment's own page (its diff, rationale, authors, supporters,
//! status history, notices, and the forms its viewer may use).

use rust_i18n::t;

use crate::{FormErrors, Lang, RelatedWorkView, TextHeaderView};

coded_enum!(
    /// Where an amendment is in its life (the server's `AmendmentStatus`).
    AmendmentStatusView {
        Draft => "draft",
        Submitted => "submitted",
        Admissible => "admissible",
        Inadmissible => "inadmissible",
        Voting => "voting",
        Adopted => "adopted",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        Merged => "merged",
    }
);

impl AmendmentStatusView {
    /// "Brouillon", "Déposé", …
    pub fn label(self, lang: Lang) -> String {
        let l = lang.code();
        match self {
            AmendmentStatusView::Draft => t!("amendment_status.draft", locale = l),
            AmendmentStatusView::Submitted => t!("amendment_status.submitted", locale = l),
            AmendmentStatusView::Admissible => t!("amendment_status.admissible", locale = l),
            AmendmentStatusView::Inadmissible => t!("amendment_status.inadmissible", locale = l),
            AmendmentStatusView::Voting => t!("amendment_status.voting", locale = l),
            AmendmentStatusView::Adopted => t!("amendment_status.adopted", locale = l),
            AmendmentStatusView::Rejected => t!("amendment_status.rejected", locale = l),
            AmendmentStatusView::Withdrawn => t!("amendment_status.withdrawn", locale = l),
            AmendmentStatusView::Merged => t!("amendment_status.merged", locale = l),
        }
        .into_owned()
    }
}

/// One step of an amendment's status history.
#[derive(Debug, Clone)]
pub struct AmendmentStatusChangeView {
    pub to: AmendmentStatusView,
    /// Who made it, when the viewer may learn names.
    pub actor: Option<String>,
    pub reason: Option<String>,
    pub at: time::OffsetDateTime,
}

/// One wording an amendment had, and what changed from the one before.
#[derive(Debug, Clone)]
pub struct AmendmentRevisionView {
    /// 1 for the wording filed, then 2, 3…
    pub number: usize,
    /// Who wrote it, when the viewer may learn names.
    pub author: Option<String>,
    pub at: time::OffsetDateTime,
    /// The word diff from the previous wording (`<del>`/`<ins>`, sanitised by the server);
    /// `None` for the first.
    pub diff_html: Option<String>,
    /// The rationale changed too.
    pub rationale_changed: bool,
    /// The sub-amendment whose adoption wrote it, if one did.
    pub from_sub: Option<AmendmentLinkView>,
}

/// The no-JavaScript form that rewords an amendment (GET /amendments/{id}/revise).
#[derive(Debug, Clone)]
pub struct AmendmentReviseView {
    pub header: TextHeaderView,
    pub id: String,
    pub number: i64,
    pub reference: String,
    /// The passage it amends, as filed.
    pub original: String,
    pub replacement: String,
    pub rationale: String,
    pub rationale_required: bool,
    pub errors: FormErrors,
}

/// Another amendment whose range overlaps this one's.
#[derive(Debug, Clone)]
pub struct AmendmentLinkView {
    pub id: String,
    pub number: i64,
    pub reference: String,
}

/// Where the amendment's passage stands in the text as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmendmentPlaceView {
    /// Unchanged since filing.
    InPlace,
    /// The passage changed since filing: as it was, as it is now.
    Outdated { then: String, now: String },
    /// Every character of the passage was deleted.
    Orphaned,
}

/// What the viewer may do with the amendment; each form is shown only when true.
#[derive(Debug, Clone, Default)]
pub struct AmendmentActionsView {
    pub can_submit: bool,
    pub can_withdraw: bool,
    pub can_support: bool,
    pub can_unsupport: bool,
    /// Its author may reword it (it is a draft or submitted): « Modifier la rédaction ».
    pub can_revise: bool,
    /// The viewer may file a sub-amendment on it (it is submitted or admissible, no
    /// sub-amendment itself, and the text open to amendments for them).
    pub can_file_sub: bool,
    /// The statuses an organiser may set from here (empty: no screening form).
    pub screen_moves: Vec<AmendmentStatusView>,
    /// An organiser may merge it into the text (it is adopted).
    pub can_merge: bool,
    /// The adopted amendments it overlaps, not merged yet: the organiser resolves each conflict
    /// side by side before merging.
    pub conflicts: Vec<AmendmentLinkView>,
}

/// What organisers see of an amendment's supporters against the text's rules: « N soutiens,
/// dont F femmes », and the minimums for it to be admissible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParityView {
    pub women: i64,
    pub min_supporters: i64,
    pub min_women: i64,
}

/// An amendment's page (GET /amendments/{id}).
#[derive(Debug, Clone)]
pub struct AmendmentPageView {
    pub header: TextHeaderView,
    pub id: String,
    pub number: i64,
    /// « § 12, lignes 3 à 5 », as filed.
    pub reference: String,
    pub status: AmendmentStatusView,
    /// The word diff (`<del>`/`<ins>`), sanitised by the server.
    pub diff_html: String,
    pub rationale: String,
    /// The author's name, when the viewer may learn names; `None` else.
    pub author: Option<String>,
    /// The section or federation it was filed for, shown as its author.
    pub on_behalf_of: Option<String>,
    /// The viewer wrote it.
    pub mine: bool,
    pub supporter_count: usize,
    /// For organisers only: the women among the supporters against the text's minimums.
    pub parity: Option<ParityView>,
    /// The supporters' names, when the viewer may learn names (empty else).
    pub supporters: Vec<String>,
    pub history: Vec<AmendmentStatusChangeView>,
    /// Every wording it had, the first first (one: never reworded).
    pub revisions: Vec<AmendmentRevisionView>,
    /// How many of its supporters signed before its latest rewording (they are kept: see
    /// `amendments::revise`); 0 when none did.
    pub supporters_before_rewording: usize,
    pub place: AmendmentPlaceView,
    pub overlaps: Vec<AmendmentLinkView>,
    /// For a sub-amendment, the amendment it amends.
    pub parent: Option<AmendmentLinkView>,
    /// Its sub-amendments the viewer may see, by number.
    pub subs: Vec<SubAmendmentView>,
    /// Adopted, but set aside for this other amendment, merged in its place.
    pub superseded_by: Option<AmendmentLinkView>,
    pub actions: AmendmentActionsView,
    /// The screening form's errors and what was typed in it.
    pub errors: FormErrors,
    pub reason: String,
    pub chosen_status: Option<AmendmentStatusView>,
    /// « On en parle aussi ailleurs »: the most similar paragraphs, amendments and debates of
    /// other groups that the viewer may see.
    pub related: Vec<RelatedWorkView>,
    /// For a draft its author may submit: the amendments like it (« Des amendements proches
    /// existent déjà »), shown above « Déposer ».
    pub similar: Vec<SimilarAmendmentView>,
}

/// An amendment like the one being written (« Des amendements proches existent déjà »).
#[derive(Debug, Clone)]
pub struct SimilarAmendmentView {
    pub id: String,
    pub number: i64,
    pub reference: String,
    pub status: AmendmentStatusView,
    /// The title of its text.
    pub text_title: String,
    /// Escaped by the index, the shared words in `<mark>`.
    pub snippet_html: String,
}

/// A sub-amendment, nested under its parent on the parent's page.
#[derive(Debug, Clone)]
pub struct SubAmendmentView {
    pub id: String,
    pub number: i64,
    pub reference: String,
    pub status: AmendmentStatusView,
    /// The word diff of the parent's replacement as it is and with the sub-amendment written in
    /// (`<del>`/`<ins>`, sanitised by the server); of its own passage when outdated.
    pub diff_html: String,
    /// Its passage of the parent's wording changed since it was filed.
    pub outdated: bool,
}

/// One passage of an amendment's wording a sub-amendment may amend (the whole, or a paragraph).
#[derive(Debug, Clone)]
pub struct SubPassageView {
    /// Its paragraph's number in the wording, `None` for the whole wording.
    pub paragraph: Option<usize>,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The no-JavaScript form that files a sub-amendment (GET /amendments/{id}/amendments/new).
#[derive(Debug, Clone)]
pub struct SubAmendmentFormView {
    pub header: TextHeaderView,
    pub parent_id: String,
    pub parent_number: i64,
    pub parent_reference: String,
    /// The passages one may choose from (shown when the wording has several paragraphs).
    pub passages: Vec<SubPassageView>,
    /// The range chosen, in UTF-16 units of the parent's replacement.
    pub start: usize,
    pub end: usize,
    /// The passage chosen.
    pub original: String,
    pub replacement: String,
    pub rationale: String,
    pub rationale_required: bool,
    pub errors: FormErrors,
}

/// One amendment in a text's list.
#[derive(Debug, Clone)]
pub struct AmendmentRowView {
    pub id: String,
    pub number: i64,
    pub reference: String,
    pub status: AmendmentStatusView,
    /// The author's name, or the section's it was filed for; `None` when names are not shown.
    pub author: Option<String>,
    pub supporters: usize,
    /// A sub-amendment, listed right under its parent.
    pub sub: bool,
}

/// A text's amendments (GET /texts/{id}/amendments), sorted by position in the text.
#[derive(Debug, Clone)]
pub struct AmendmentListView {
    pub header: TextHeaderView,
    pub rows: Vec<AmendmentRowView>,
    /// The authors one may filter on: (member id, name); empty when names are not shown.
    pub authors: Vec<(String, String)>,
    /// The filters applied (as in the query string).
    pub status: Option<AmendmentStatusView>,
    pub author: Option<String>,
    pub paragraph: Option<i64>,
    /// How many amendments the viewer may see before filtering.
    pub total: usize,
    /// An organiser may merge every adopted amendment at once (some are adopted).
    pub can_merge_all: bool,
    /// The form that sets the text's rules for amendments, for who may set them.
    pub rules_form: Option<AmendmentRulesFormView>,
}

/// The text's rules for amendments as a form (its organisers'): the values as stored, or as
/// typed when the form comes back with its errors.
#[derive(Debug, Clone, Default)]
pub struct AmendmentRulesFormView {
    /// « AAAA-MM-JJ HH:MM » in UTC, empty for no bound.
    pub opens_at: String,
    pub closes_at: String,
    pub min_supporters: String,
    pub min_women: String,
    pub rationale_required: bool,
    /// `group` or `party`.
    pub filers: String,
    pub errors: FormErrors,
}

/// The no-JavaScript form that amends one paragraph, or adds one after it
/// (GET /texts/{id}/amendments/new?paragraph=N, `&add=1` to add).
#[derive(Debug, Clone)]
pub struct AmendmentFormView {
    pub header: TextHeaderView,
    pub paragraph: usize,
    /// Adding a paragraph after `paragraph` rather than replacing it.
    pub add: bool,
    /// The paragraph's Markdown as it is in the state `heads` names.
    pub original: String,
    /// The document's heads the paragraph was read at, sent back with the form.
    pub heads: String,
    pub replacement: String,
    pub rationale: String,
    /// The text requires a rationale.
    pub rationale_required: bool,
    /// The sections and federations the member may file for, as (id, name): a secretary's
    /// choice « Déposer au nom de : moi / … »; empty, no choice.
    pub on_behalf_choices: Vec<(String, String)>,
    /// The group chosen (its id), empty for oneself.
    pub on_behalf_of: String,
    pub errors: FormErrors,
}

/// A run of a paragraph in the provenance view: as typed, or written by merged amendments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvenancePieceView {
    Typed(String),
    /// Written by the change that merged these amendments: (id, number) each.
    Merged {
        text: String,
        amendments: Vec<(String, i64)>,
    },
}

/// A paragraph of the provenance view.
#[derive(Debug, Clone)]
pub struct ProvenanceParagraphView {
    pub number: usize,
    pub pieces: Vec<ProvenancePieceView>,
}

/// An amendment some passage of the text leads back to.
#[derive(Debug, Clone)]
pub struct ProvenanceAmendmentView {
    pub id: String,
    pub number: i64,
    pub reference: String,
    /// Its author's name, or its section's; `None` when names are not shown.
    pub author: Option<String>,
    pub supporters: usize,
}

/// « D'où vient ce passage ? » (GET /texts/{id}/provenance): each paragraph with the passages
/// merged amendments wrote, and those amendments.
#[derive(Debug, Clone)]
pub struct ProvenanceView {
    pub header: TextHeaderView,
    pub paragraphs: Vec<ProvenanceParagraphView>,
    pub amendments: Vec<ProvenanceAmendmentView>,
}

/// One side of a conflict between two adopted amendments.
#[derive(Debug, Clone)]
pub struct ConflictSideView {
    pub id: String,
    pub number: i64,
    pub reference: String,
    /// The word diff of its passage (`<del>`/`<ins>`), sanitised by the server.
    pub diff_html: String,
    pub replacement: String,
}

/// Two adopted amendments that overlap, side by side, with the passage they both amend as it is
/// now (GET /amendments/{id}/conflict/{other}), and the organiser's ways out.
#[derive(Debug, Clone)]
pub struct ConflictView {
    pub header: TextHeaderView,
    pub left: ConflictSideView,
    pub right: ConflictSideView,
    /// The text both ranges cover now.
    pub passage: String,
    /// The combined wording typed (when the form comes back with errors).
    pub combined: String,
    pub errors: FormErrors,
}

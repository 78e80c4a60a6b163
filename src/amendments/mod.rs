//! Amendments (issue 13): the rules shared by the API and, later, the pages. An amendment is
//! filed on a range of a text in `amending`, anchored through the live document so that it
//! follows later edits (`collab::anchor`), numbered per text and cited by the « § n, lignes a à
//! b » of the version it was filed against; it is co-signed, screened by organisers and voted.
//!
//! Rights (`auth::permissions::AmendmentRights`): whoever reads a text reads its amendments but
//! the drafts, which are their author's; the members of the text's group file (or every party
//! member, when the text's rules say so), and a group's secretary files on its behalf; party
//! members co-sign others' amendments; who may change the text's status screens them.
//!
//! Sits above `text` (it loads texts with their rights and renders them) and takes the parts it
//! uses, `&Db` and `&Hub`.

mod export;
mod kept;
mod merge;
mod placement;
mod provenance;
mod reference;
mod sub;

use std::ops::Range;

use automerge::ChangeHash;

use crate::auth::{AmendmentRights, Viewer};
use crate::collab::{AnchorError, Hub, HubError, doc};
use crate::error::{AppError, AppResult};
use crate::markup::{self, RenderOptions, WikiResolution, WikiTarget};
use crate::model::{AmendmentId, AmendmentStatus, GroupId, GroupKind, Role, TextStatus};
use crate::organisation;
use crate::store::{AmendmentRow, AmendmentRules, Db, NewAmendment, Support};
use crate::text::{self, TextContext};

pub use crate::text::markdown_at;
pub use export::{ExportedAmendment, export};
pub use kept::{Kept, Overview, TextAmendments};
pub use merge::{
    MergedAll, keep_one, merge, merge_all_adopted, merge_combined, merge_message, merged_numbers,
};
pub use placement::Placement;
pub use provenance::{ParagraphProvenance, TextProvenance, WrittenPassage, provenance};
pub use reference::{Reference, reference};
pub use sub::{applied, file_sub, open_to_subs, pending_subs, place_sub};

/// The longest replacement or rationale, in characters (a whole article is a few thousand).
pub const MAX_WORDING_CHARS: usize = 100_000;
/// The most amendments one member may file on one text (a national convention's most prolific
/// sections file dozens; a thousand from one hand is an attack on the list).
pub const MAX_PER_MEMBER: i64 = 300;

/// A text with its amendment rules and what the viewer may do with its amendments.
pub struct AmendableText {
    pub text: TextContext,
    pub rules: AmendmentRules,
    pub rights: AmendmentRights,
}

/// Loads a text and its amendment rules for the viewer: 404 when it is hidden from them.
pub async fn load(
    db: &Db,
    viewer: Option<&Viewer>,
    id: crate::model::TextId,
) -> AppResult<AmendableText> {
    let text = text::load_text(db, viewer, id).await?;
    let rules = db.amendment_rules(id).await?;
    let rights = AmendmentRights::on_text(viewer, &text.group.access, rules.filers);
    Ok(AmendableText {
        text,
        rules,
        rights,
    })
}

/// An amendment the viewer may see, with its text: 404 for a hidden text or another's draft.
pub async fn load_amendment(
    db: &Db,
    viewer: Option<&Viewer>,
    id: AmendmentId,
) -> AppResult<(AmendableText, AmendmentRow)> {
    let row = db.amendment(id).await?.ok_or_else(AppError::not_found)?;
    let text = load(db, viewer, row.text_id).await?;
    if !AmendmentRights::may_see(viewer, row.author_id, row.status) {
        return Err(AppError::not_found());
    }
    Ok((text, row))
}

/// What a member files.
#[derive(Debug, Clone)]
pub struct Filing {
    /// The range, in UTF-16 units of the Markdown at `heads` (the current Markdown without).
    pub start: usize,
    pub end: usize,
    pub heads: Option<Vec<ChangeHash>>,
    pub replacement: String,
    pub rationale: String,
    /// Submitted at once rather than kept as a draft.
    pub submit: bool,
    pub on_behalf_of: Option<GroupId>,
}

/// The sections and federations `viewer` may file on behalf of: those they are secretary (or
/// more) of themselves, by name. What the filing form offers, and all it accepts.
pub async fn groups_to_file_for(db: &Db, viewer: &Viewer) -> AppResult<Vec<(GroupId, String)>> {
    let mut groups = Vec::new();
    let held: Vec<GroupId> = viewer
        .memberships()
        .filter(|(_, role)| *role >= Role::Secretary)
        .map(|(group, _)| group)
        .collect();
    for group in held {
        let Ok(found) = organisation::load_group(db, Some(viewer), group).await else {
            continue;
        };
        if matches!(found.group.kind, GroupKind::Section | GroupKind::Federation)
            && AmendmentRights::may_file_for(&found.access)
        {
            groups.push((group, found.group.name));
        }
    }
    groups.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(groups)
}

/// Why filing or submitting is refused now: the text is not open to amendments, or its window
/// is not open. `None` when it is open.
pub fn closed_because(ctx: &AmendableText, now: time::OffsetDateTime) -> Option<String> {
    if ctx.text.text.status != TextStatus::Amending {
        return Some(
            "Ce texte n'est pas ouvert aux amendements : il doit être au statut « en amendement » (amending)."
                .to_owned(),
        );
    }
    let day = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    match (ctx.rules.opens_at, ctx.rules.closes_at) {
        (Some(opens), _) if now < opens => Some(format!(
            "Le dépôt des amendements sur ce texte ouvre le {}.",
            day(opens)
        )),
        (_, Some(closes)) if now >= closes => Some(format!(
            "Le dépôt des amendements sur ce texte est clos depuis le {}.",
            day(closes)
        )),
        _ => None,
    }
}

/// The wording's and the rationale's lengths, each at most [`MAX_WORDING_CHARS`]: the errors
/// by field.
pub fn length_errors(replacement: &str, rationale: &str) -> crate::error::FieldErrors {
    let mut errors = crate::error::FieldErrors::new();
    if replacement.chars().count() > MAX_WORDING_CHARS {
        errors.insert(
            "replacement".into(),
            format!("La nouvelle rédaction dépasse {MAX_WORDING_CHARS} caractères."),
        );
    }
    if rationale.chars().count() > MAX_WORDING_CHARS {
        errors.insert(
            "rationale".into(),
            format!("L'exposé des motifs dépasse {MAX_WORDING_CHARS} caractères."),
        );
    }
    errors
}

fn check_wording(replacement: &str, rationale: &str, rules: &AmendmentRules) -> AppResult<()> {
    let mut errors = length_errors(replacement, rationale);
    if rules.rationale_required && rationale.trim().is_empty() {
        errors.insert(
            "rationale".into(),
            "L'exposé des motifs est obligatoire pour les amendements à ce texte.".into(),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(errors))
    }
}

/// The range checked against the Markdown it refers to: 422 naming the field at fault.
fn check_range(start: usize, end: usize, markdown: &str) -> AppResult<Range<usize>> {
    let length = markdown.encode_utf16().count();
    if start > length {
        return Err(AppError::invalid_field(
            "start",
            format!("Le début du passage est hors du texte (qui compte {length} caractères)."),
        ));
    }
    if end < start {
        return Err(AppError::invalid_field(
            "end",
            "La fin du passage précède son début.",
        ));
    }
    if end > length {
        return Err(AppError::invalid_field(
            "end",
            format!("La fin du passage est hors du texte (qui compte {length} caractères)."),
        ));
    }
    Ok(start..end)
}

/// The UTF-16 range `range` of `markdown`, which `check_range` accepted.
fn slice_utf16(markdown: &str, range: Range<usize>) -> String {
    let units: Vec<u16> = markdown.encode_utf16().collect();
    String::from_utf16_lossy(&units[range])
}

/// The paragraphs of the numbered view of `markdown`, off the runtime. Wiki links are resolved
/// for nobody: a reference is the same for every reader (a link's target changes its address,
/// never its words, so the lines are those every reader's numbered view shows).
async fn numbered_paragraphs(markdown: String) -> AppResult<Vec<markup::Paragraph>> {
    tokio::task::spawn_blocking(move || {
        let resolve = |_: &WikiTarget| WikiResolution::Missing {
            create_href: String::new(),
        };
        markup::render(&markdown, &RenderOptions::new(&resolve)).paragraphs
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

fn anchor_error(e: HubError) -> AppError {
    match e {
        HubError::Anchor(AnchorError::Range(message)) => AppError::invalid_field("start", message),
        HubError::Anchor(AnchorError::UnknownState) => {
            AppError::invalid_field("heads", "Ces têtes ne désignent pas un état de ce texte.")
        }
        other => text::hub_error(other),
    }
}

/// Whether the viewer may file on the text now (a sub-amendment as an amendment): the rights
/// (403), on behalf of a group only as its secretary (403), the text open to amendments and the
/// window (409), at most `MAX_PER_MEMBER` (409), the wording (422).
async fn check_filer(
    db: &Db,
    viewer: &Viewer,
    ctx: &AmendableText,
    filing: &Filing,
) -> AppResult<()> {
    if !ctx.rights.can_file {
        return Err(AppError::forbidden_because(
            "Vous ne pouvez pas déposer d'amendement sur ce texte.",
        ));
    }
    if let Some(group) = filing.on_behalf_of {
        let group = organisation::load_group(db, Some(viewer), group)
            .await
            .map_err(|_| AppError::invalid_field("on_behalf_of", "Ce groupe n'existe pas."))?;
        if !AmendmentRights::may_file_for(&group.access) {
            return Err(AppError::forbidden_because(format!(
                "Seul·es les secrétaires de « {} » déposent en son nom.",
                group.group.name
            )));
        }
    }
    if let Some(reason) = closed_because(ctx, crate::store::now()) {
        return Err(AppError::conflict(reason));
    }
    check_wording(&filing.replacement, &filing.rationale, &ctx.rules)?;
    let id = ctx.text.text.text_id;
    // One member cannot flood a convention's list (nor the server's work of placing them all):
    // checked before filing, so concurrent requests may pass it by a few, never by many.
    if db.amendments_filed_by(id, viewer.member_id).await? >= MAX_PER_MEMBER {
        return Err(AppError::conflict(format!(
            "Vous avez déjà déposé {MAX_PER_MEMBER} amendements sur ce texte, le maximum par \
             adhérent·e."
        )));
    }
    Ok(())
}

/// Files an amendment (a draft, or submitted at once): checks the rights (403), that the text
/// is open to amendments (409), the input (422, naming the field), anchors the range in the
/// real document at the state the client saw, and cites it from that state's numbered view.
pub async fn file(
    db: &Db,
    hub: &Hub,
    viewer: &Viewer,
    ctx: &AmendableText,
    filing: Filing,
) -> AppResult<AmendmentRow> {
    check_filer(db, viewer, ctx, &filing).await?;
    let id = ctx.text.text.text_id;
    // The Markdown the client's positions refer to: at the heads it names (a state the document
    // lacks is refused, not read as an empty text), else as it is now.
    let (markdown, heads) = markdown_at(hub, id, filing.heads).await?;
    let range = check_range(filing.start, filing.end, &markdown)?;
    let original = slice_utf16(&markdown, range.clone());
    if original == filing.replacement {
        return Err(AppError::invalid_field(
            "replacement",
            "La nouvelle rédaction est identique au passage amendé.",
        ));
    }
    // Anchored at the very state read, so that the passage and the reference are of one state
    // even while others type.
    let anchor = hub
        .anchor(id, range.clone(), Some(heads.clone()))
        .await
        .map_err(anchor_error)?;
    let cited = reference(&numbered_paragraphs(markdown).await?, range.clone());
    let wide = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let anchor = anchor.to_string();
    let heads = doc::heads_to_json(&heads);
    let row = db
        .file_amendment(&NewAmendment {
            text: id,
            status: if filing.submit {
                AmendmentStatus::Submitted
            } else {
                AmendmentStatus::Draft
            },
            anchor: &anchor,
            heads: &heads,
            start: wide(range.start),
            end: wide(range.end),
            original: &original,
            replacement: &filing.replacement,
            rationale: &filing.rationale,
            author: Some(viewer.member_id),
            on_behalf_of: filing.on_behalf_of,
            parent: None,
            parent_revision: None,
            paragraph: wide(cited.paragraph),
            first_line: wide(cited.first_line),
            last_line: wide(cited.last_line),
            reference: &cited.text,
        })
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(row)
}

fn is_author(viewer: &Viewer, row: &AmendmentRow) -> bool {
    row.author_id == Some(viewer.member_id)
}

fn refused_move(row: &AmendmentRow, to: AmendmentStatus) -> AppError {
    AppError::conflict(format!(
        "L'amendement {} est {} : il ne peut pas être {}.",
        row.number,
        row.status.label(),
        to.label()
    ))
}

/// Moves `row` to `to` if its status is still the one checked; 409 when someone moved it
/// meanwhile.
async fn move_to(
    db: &Db,
    viewer: &Viewer,
    row: &AmendmentRow,
    to: AmendmentStatus,
    reason: Option<&str>,
) -> AppResult<()> {
    if !row.status.may_move_to(to) {
        return Err(refused_move(row, to));
    }
    if !db
        .move_amendment(
            row.amendment_id,
            row.status,
            to,
            Some(viewer.member_id),
            reason,
        )
        .await?
    {
        return Err(AppError::conflict(
            "Le statut de l'amendement vient de changer ; rechargez la page et réessayez.",
        ));
    }
    Ok(())
}

/// Its author submits a draft, while the text is open to amendments.
pub async fn submit(
    db: &Db,
    viewer: &Viewer,
    ctx: &AmendableText,
    row: &AmendmentRow,
) -> AppResult<()> {
    if !is_author(viewer, row) {
        return Err(AppError::forbidden_because(
            "Seul·e l'auteur·rice d'un amendement le dépose.",
        ));
    }
    if row.status == AmendmentStatus::Draft
        && let Some(reason) = closed_because(ctx, crate::store::now())
    {
        return Err(AppError::conflict(reason));
    }
    // A sub-amendment's parent must still be open to them when it leaves its draft.
    if row.status == AmendmentStatus::Draft
        && let Some(parent) = row.parent_id
    {
        let parent = db
            .amendment(parent)
            .await?
            .ok_or_else(AppError::not_found)?;
        open_to_subs(&parent)?;
    }
    move_to(db, viewer, row, AmendmentStatus::Submitted, None).await
}

/// Its author withdraws an amendment (until a vote starts).
pub async fn withdraw(db: &Db, viewer: &Viewer, row: &AmendmentRow) -> AppResult<()> {
    if !is_author(viewer, row) {
        return Err(AppError::forbidden_because(
            "Seul·e l'auteur·rice d'un amendement le retire.",
        ));
    }
    move_to(db, viewer, row, AmendmentStatus::Withdrawn, None).await
}

/// How many supporters a text may require at most: more than any section has members would
/// make every amendment inadmissible.
pub const MAX_MIN_SUPPORTERS: i64 = 10_000;

/// An organiser of the text sets its rules for amendments: the window, the minimum of supporters
/// (and of women among them), whether a rationale is required, who may file.
pub async fn set_rules(
    db: &Db,
    viewer: &Viewer,
    ctx: &AmendableText,
    rules: &AmendmentRules,
) -> AppResult<()> {
    if !ctx.text.can_manage {
        return Err(AppError::forbidden_because(
            "Seul·es les organisateur·rices du texte en fixent les règles d'amendement.",
        ));
    }
    if let (Some(opens), Some(closes)) = (rules.opens_at, rules.closes_at)
        && closes <= opens
    {
        return Err(AppError::invalid_field(
            "closes_at",
            "La fermeture du dépôt doit suivre son ouverture.",
        ));
    }
    if !(0..=MAX_MIN_SUPPORTERS).contains(&rules.min_supporters) {
        return Err(AppError::invalid_field(
            "min_supporters",
            format!("Le minimum de soutiens va de 0 à {MAX_MIN_SUPPORTERS}."),
        ));
    }
    if !(0..=rules.min_supporters).contains(&rules.min_women) {
        return Err(AppError::invalid_field(
            "min_women",
            "Le minimum de femmes parmi les soutiens va de 0 au minimum de soutiens.",
        ));
    }
    if !db
        .set_amendment_rules(ctx.text.text.text_id, rules, Some(viewer.member_id))
        .await?
    {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// Whether the viewer may reword the amendment now: its author (403 else; a group's secretary
/// does not reword what a fellow secretary filed on the group's behalf, the author does), while
/// it is a draft or submitted (409 once screened).
pub fn may_revise(viewer: &Viewer, row: &AmendmentRow) -> AppResult<()> {
    if !is_author(viewer, row) {
        return Err(AppError::forbidden_because(
            "Seul·e l'auteur·rice d'un amendement le modifie.",
        ));
    }
    if !row.status.revisable() {
        return Err(AppError::conflict(format!(
            "L'amendement {} est {} : sa rédaction ne change plus.",
            row.number,
            row.status.label()
        )));
    }
    Ok(())
}

/// Its author changes the wording of a draft or submitted amendment (each revision is kept).
///
/// Supporters of a submitted amendment stay when its wording changes, as Antragsgrün and
/// OpenSlides keep them: withdrawing every support at each correction of a typo would punish
/// the author and make supporters sign again and again. What they signed is not hidden: every
/// revision is kept with its date, the page shows what changed between consecutive ones and
/// how many supports were given before the latest rewording, and each supporter may withdraw
/// theirs while the amendment is submitted (screening freezes the wording).
pub async fn revise(
    db: &Db,
    viewer: &Viewer,
    ctx: &AmendableText,
    row: &AmendmentRow,
    replacement: &str,
    rationale: &str,
) -> AppResult<i64> {
    may_revise(viewer, row)?;
    check_wording(replacement, rationale, &ctx.rules)?;
    if replacement == row.original {
        return Err(AppError::invalid_field(
            "replacement",
            "La nouvelle rédaction est identique au passage amendé.",
        ));
    }
    db.revise_amendment(
        row.amendment_id,
        replacement,
        rationale,
        Some(viewer.member_id),
    )
    .await?
    .ok_or_else(|| {
        AppError::conflict("Le statut de l'amendement vient de changer ; rechargez la page.")
    })
}

/// A party member co-signs another's submitted amendment.
pub async fn support(
    db: &Db,
    viewer: &Viewer,
    ctx: &AmendableText,
    row: &AmendmentRow,
) -> AppResult<()> {
    if !ctx.rights.can_support {
        return Err(AppError::forbidden_because(
            "Seul·es les adhérent·es soutiennent un amendement.",
        ));
    }
    if is_author(viewer, row) {
        return Err(AppError::conflict(
            "On ne soutient pas son propre amendement : ses soutiens sont d'autres membres.",
        ));
    }
    match db
        .support_amendment(row.amendment_id, viewer.member_id)
        .await?
    {
        Support::Added => Ok(()),
        Support::Already => Err(AppError::conflict(format!(
            "Vous soutenez déjà l'amendement {}.",
            row.number
        ))),
        Support::NotOpen => Err(AppError::conflict(format!(
            "L'amendement {} n'est pas (ou plus) au statut déposé : il ne recueille plus de soutiens.",
            row.number
        ))),
    }
}

/// A supporter withdraws their support while the amendment is submitted.
pub async fn withdraw_support(db: &Db, viewer: &Viewer, row: &AmendmentRow) -> AppResult<()> {
    if db
        .withdraw_support(row.amendment_id, viewer.member_id)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::conflict(format!(
            "Vous ne soutenez pas l'amendement {}, ou il n'est plus au statut déposé.",
            row.number
        )))
    }
}

/// An organiser screens an amendment or records its outcome. Inadmissible needs a reason;
/// admissible needs the text's minimum of supporters.
pub async fn set_status(
    db: &Db,
    viewer: &Viewer,
    ctx: &AmendableText,
    row: &AmendmentRow,
    to: AmendmentStatus,
    reason: Option<&str>,
) -> AppResult<()> {
    if !ctx.rights.can_screen {
        return Err(AppError::forbidden());
    }
    if !to.set_by_organisers() {
        return Err(AppError::invalid_field(
            "status",
            "Les organisateur·rices donnent les statuts admissible, inadmissible, voting, adopted et rejected ; \
             déposer et retirer sont à l'auteur·rice.",
        ));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if to == AmendmentStatus::Inadmissible && reason.is_none() {
        return Err(AppError::invalid_field(
            "reason",
            "Une irrecevabilité se motive : donnez la raison.",
        ));
    }
    if reason.is_some_and(|r| r.chars().count() > 2_000) {
        return Err(AppError::invalid_field(
            "reason",
            "La raison dépasse 2 000 caractères.",
        ));
    }
    if to == AmendmentStatus::Admissible && row.status.may_move_to(to) {
        check_supporters(db, ctx, row).await?;
    }
    // Adopting a sub-amendment writes it into its parent's wording at once.
    if to == AmendmentStatus::Adopted
        && row.status.may_move_to(to)
        && let Some(parent) = row.parent_id
    {
        return sub::adopt_sub(db, viewer, row, parent).await;
    }
    move_to(db, viewer, row, to, reason).await
}

/// Admissible needs the text's minimum of supporters and, of them, of women (parity statutes):
/// 409 naming what is missing. The author does not count, for either minimum: statutes ask for
/// co-signers besides the author, and one cannot support one's own amendment, so the supporters
/// counted are exactly the other members who signed (as the minimum of supporters always was).
/// Women are those supporters who declared so on their own profile; an undeclared supporter
/// counts as a supporter, never as a woman.
async fn check_supporters(db: &Db, ctx: &AmendableText, row: &AmendmentRow) -> AppResult<()> {
    let counts = db.amendment_support_counts(row.amendment_id).await?;
    let needed = ctx.rules.min_supporters;
    if counts.supporters < needed {
        return Err(AppError::conflict(format!(
            "L'amendement {} a {} soutien(s) ; ce texte en demande {needed} pour qu'il soit recevable : \
             il en manque {}.",
            row.number,
            counts.supporters,
            needed - counts.supporters
        )));
    }
    let women = ctx.rules.min_women;
    if counts.women < women {
        return Err(AppError::conflict(format!(
            "L'amendement {} a {} soutien(s) de femmes ; ce texte en demande {women} pour qu'il soit \
             recevable (parité) : il en manque {}.",
            row.number,
            counts.women,
            women - counts.women
        )));
    }
    Ok(())
}

/// A paragraph of the numbered view, as the no-JavaScript form amends it: its Markdown and its
/// UTF-16 range in the Markdown it was read from.
#[derive(Debug, Clone)]
pub struct ParagraphPassage {
    pub number: usize,
    pub markdown: String,
    pub start: usize,
    pub end: usize,
}

/// Paragraph `number` (1-based, as the numbered view and references count) of `markdown`.
pub async fn paragraph_passage(
    markdown: String,
    number: usize,
) -> AppResult<Option<ParagraphPassage>> {
    let paragraphs = numbered_paragraphs(markdown.clone()).await?;
    Ok(paragraphs
        .into_iter()
        .find(|p| p.number == number)
        .map(|p| ParagraphPassage {
            number,
            markdown: markdown[p.source.bytes.clone()].to_owned(),
            start: p.source.utf16.start,
            end: p.source.utf16.end,
        }))
}

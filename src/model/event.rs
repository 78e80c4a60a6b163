//! What kinds of event the outbox records (`store::events`, `crate::events`).

use std::fmt;

/// What happened, named `subject.verb`: the subject's ids are the event's typed columns, the
/// rest is in its small JSON payload (see each variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A text was created (by hand, imported, or by the demo). Payload: `kind`, `slug`, `title`.
    TextCreated,
    /// A text's document changed: at most two a second per text and server while people type,
    /// and one after the last batch of a burst. Payload: `last_edit`, the `text_edit_id` of the
    /// latest batch stored (the history's `e<id>` point); the batches between two such events
    /// say who typed what.
    TextEdited,
    /// A text's status moved. Payload: `from`, `to` (status codes).
    TextStatusChanged,
    /// A version of a text was named. Payload: `version_id`, `label`.
    TextVersionRecorded,
    /// A version's Markdown was brought back as a new change. Payload: `version_id`.
    TextVersionRestored,
    /// An organiser set a text's rules for amendments (the API's `PUT …/amendment_rules` or the
    /// rules form); who is the actor. Payload: the rules as they are now: `opens_at`,
    /// `closes_at` (RFC 3339 or null), `min_supporters`, `min_women`, `rationale_required`,
    /// `filers` (`group` or `party`).
    TextAmendmentRulesSet,
    /// A group was created (the national group included, by the server that created it).
    /// Payload: `kind`, `name`, `parent_id` (null for the national group), `visibility`.
    GroupCreated,
    /// A group's name, description or visibility were set (whether or not they differ).
    /// Payload: `name`, `visibility`, as they are now.
    GroupChanged,
    /// Members were imported into a group (one event per group and import). Payload: `rows`.
    GroupMembersImported,
    /// An amendment was filed on a text (a draft or submitted at once). Payload: `amendment_id`,
    /// `number`, `status`, `reference`. Every amendment event's `member_id` is its author's, or,
    /// for support, the supporter's.
    AmendmentFiled,
    /// An amendment's wording was changed (a new revision kept). Payload: `amendment_id`,
    /// `number`, `revision_id`; when the adoption of a sub-amendment wrote the new wording, also
    /// `from_amendment_id` and `from_number` (that sub-amendment).
    AmendmentRevised,
    /// A draft was submitted. Payload: `amendment_id`, `number`.
    AmendmentSubmitted,
    /// A member co-signed an amendment. Payload: `amendment_id`, `number`, `supporters` (the
    /// count after).
    AmendmentSupported,
    /// A member withdrew their support. Payload: `amendment_id`, `number`, `supporters`.
    AmendmentSupportWithdrawn,
    /// An organiser moved an amendment (screening, voting, the outcome). Payload:
    /// `amendment_id`, `number`, `from`, `to`, `reason` (or null).
    AmendmentStatusChanged,
    /// Its author withdrew an amendment. Payload: `amendment_id`, `number`, `from`.
    AmendmentWithdrawn,
    /// An adopted amendment was written into its text (status `merged`), as one change of the
    /// document whose message names it; appended with that change, and followed by the
    /// `text.version_recorded` of the version named after it. Payload: `amendment_id`, `number`,
    /// `numbers` (every amendment that change merged: two for a combined wording),
    /// `version_id`, `last_edit` (the history's batch holding the change). A sub-amendment is
    /// merged into its parent's wording instead, when an organiser adopts it: `numbers` is its
    /// own, then `parent_id`, `parent_number` and `revision_id` (the parent's new revision).
    AmendmentMerged,
    /// An adopted amendment overlapping one merged was set aside by the organiser: it stays
    /// adopted, superseded (appended with that merge). Payload: `amendment_id`, `number`,
    /// `by_id`, `by_number` (the amendment merged in its place).
    AmendmentSuperseded,
    /// Archived debates were imported (`atelier import debates`): one event per import, whose
    /// debates are all public. Payload: `debate_import_id` (the batch: its debates are
    /// `Db::debate_ids_of_import`), `imported` (debates added), `duplicates` (lines already in
    /// the archives, left out), `skipped` (invalid lines left out).
    DebatesImported,
    /// A kind this server does not know (written by a newer one): consumers pass over it.
    Unknown,
}

impl EventKind {
    /// Every kind this server writes.
    pub const ALL: &'static [EventKind] = &[
        EventKind::TextCreated,
        EventKind::TextEdited,
        EventKind::TextStatusChanged,
        EventKind::TextVersionRecorded,
        EventKind::TextVersionRestored,
        EventKind::TextAmendmentRulesSet,
        EventKind::GroupCreated,
        EventKind::GroupChanged,
        EventKind::GroupMembersImported,
        EventKind::AmendmentFiled,
        EventKind::AmendmentRevised,
        EventKind::AmendmentSubmitted,
        EventKind::AmendmentSupported,
        EventKind::AmendmentSupportWithdrawn,
        EventKind::AmendmentStatusChanged,
        EventKind::AmendmentWithdrawn,
        EventKind::AmendmentMerged,
        EventKind::AmendmentSuperseded,
        EventKind::DebatesImported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::TextCreated => "text.created",
            EventKind::TextEdited => "text.edited",
            EventKind::TextStatusChanged => "text.status_changed",
            EventKind::TextVersionRecorded => "text.version_recorded",
            EventKind::TextVersionRestored => "text.version_restored",
            EventKind::TextAmendmentRulesSet => "text.amendment_rules_set",
            EventKind::GroupCreated => "group.created",
            EventKind::GroupChanged => "group.changed",
            EventKind::GroupMembersImported => "group.members_imported",
            EventKind::AmendmentFiled => "amendment.filed",
            EventKind::AmendmentRevised => "amendment.revised",
            EventKind::AmendmentSubmitted => "amendment.submitted",
            EventKind::AmendmentSupported => "amendment.supported",
            EventKind::AmendmentSupportWithdrawn => "amendment.support_withdrawn",
            EventKind::AmendmentStatusChanged => "amendment.status_changed",
            EventKind::AmendmentWithdrawn => "amendment.withdrawn",
            EventKind::AmendmentMerged => "amendment.merged",
            EventKind::AmendmentSuperseded => "amendment.superseded",
            EventKind::DebatesImported => "debates.imported",
            EventKind::Unknown => "unknown",
        }
    }

    /// The kind named `name`; `None` for a name this server does not write.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::EventKind;

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
            assert!(kind.as_str().contains('.'), "{kind} is dotted");
        }
        assert_eq!(EventKind::parse("unknown"), None);
        assert_eq!(EventKind::parse("text.renamed"), None);
    }
}

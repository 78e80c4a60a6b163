//! Amendments' vocabulary: where an amendment is in its life, and who may file on a text.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::org::coded_enum;

coded_enum!(
    /// Where an amendment is in its life (issue 13, « Lifecycle »): `draft` (private to its
    /// author) → `submitted` → `admissible` | `inadmissible` → `voting` → `adopted` | `rejected`;
    /// `withdrawn` by its author; `merged` once written into the text.
    AmendmentStatus {
        Draft = "draft",
        Submitted = "submitted",
        Admissible = "admissible",
        Inadmissible = "inadmissible",
        Voting = "voting",
        Adopted = "adopted",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Merged = "merged",
    }
);

impl AmendmentStatus {
    /// Every move an amendment may make, in one place. Screening may be corrected
    /// (inadmissible ↔ admissible) until a vote starts; an admissible amendment may be adopted
    /// or rejected without a ballot (a convention's organisers take an amendment over, or a
    /// duplicate falls with its twin); its author withdraws it until a vote starts. Outcomes are
    /// final: a vote's result is not moved by hand, and a merged text is not unmerged.
    pub fn moves(self) -> &'static [AmendmentStatus] {
        use AmendmentStatus::*;
        match self {
            Draft => &[Submitted, Withdrawn],
            Submitted => &[Admissible, Inadmissible, Withdrawn],
            Admissible => &[Inadmissible, Voting, Adopted, Rejected, Withdrawn],
            Inadmissible => &[Admissible, Withdrawn],
            Voting => &[Adopted, Rejected],
            Adopted => &[Merged],
            Rejected | Withdrawn | Merged => &[],
        }
    }

    pub fn may_move_to(self, to: AmendmentStatus) -> bool {
        self.moves().contains(&to)
    }

    /// The statuses an organiser sets by hand (`POST /api/v1/amendments/{id}/status`); the
    /// others are its author's (submit, withdraw) or the merge's.
    pub fn set_by_organisers(self) -> bool {
        use AmendmentStatus::*;
        matches!(
            self,
            Admissible | Inadmissible | Voting | Adopted | Rejected
        )
    }

    /// Whether its wording may still change (its author's revisions).
    pub fn revisable(self) -> bool {
        matches!(self, AmendmentStatus::Draft | AmendmentStatus::Submitted)
    }

    /// Whether the amendment still competes for the text: it counts in others' overlaps.
    pub fn is_live(self) -> bool {
        use AmendmentStatus::*;
        !matches!(self, Draft | Inadmissible | Rejected | Withdrawn | Merged)
    }

    /// Its name in the UI's language, for the reasons a move is refused.
    pub fn label(self) -> &'static str {
        use AmendmentStatus::*;
        match self {
            Draft => "brouillon",
            Submitted => "déposé",
            Admissible => "recevable",
            Inadmissible => "irrecevable",
            Voting => "au vote",
            Adopted => "adopté",
            Rejected => "rejeté",
            Withdrawn => "retiré",
            Merged => "intégré au texte",
        }
    }
}

coded_enum!(
    /// Who may file amendments on a text: the members of its group, or every party member.
    Filers {
        Group = "group",
        Party = "party",
    }
);

#[cfg(test)]
mod tests {
    use super::AmendmentStatus::{self, *};

    #[test]
    fn the_life_of_an_amendment_goes_one_way() {
        assert!(Draft.may_move_to(Submitted));
        assert!(Submitted.may_move_to(Inadmissible));
        assert!(Voting.may_move_to(Adopted));
        assert!(Adopted.may_move_to(Merged));
        assert!(
            !Draft.may_move_to(Admissible),
            "screened only once submitted"
        );
        assert!(!Voting.may_move_to(Withdrawn), "not withdrawn under a vote");
        assert!(!Rejected.may_move_to(Adopted));
        for status in AmendmentStatus::ALL {
            assert!(!status.may_move_to(*status), "{status} to itself");
            assert!(!status.may_move_to(Draft), "nothing goes back to a draft");
        }
        for terminal in [Rejected, Withdrawn, Merged] {
            assert!(terminal.moves().is_empty());
        }
        let by_hand: Vec<_> = AmendmentStatus::ALL
            .iter()
            .filter(|s| s.set_by_organisers())
            .collect();
        assert_eq!(
            by_hand,
            [&Admissible, &Inadmissible, &Voting, &Adopted, &Rejected]
        );
    }
}

//! Texts: programme chapters, motions and wiki pages.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::org::coded_enum;
use super::values::ValueError;

coded_enum!(
    /// A programme text (chapters, motions: the texts conventions amend and adopt) or a wiki
    /// page (the party's shared knowledge, freely written).
    TextKind {
        Programme = "programme",
        Wiki = "wiki",
    }
);

coded_enum!(
    /// Where a text is in its life. Only `drafting` texts are edited freely; after that, the
    /// text changes through amendments, then is adopted and finally archived.
    TextStatus {
        Drafting = "drafting",
        Amending = "amending",
        Adopted = "adopted",
        Archived = "archived",
    }
);

/// A text's title: trimmed, single-spaced, 1 to 200 characters, no `[`, `]`, `|` or `/` (they
/// would break wiki links `[[theme/Title|label]]` to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTitle(String);

impl TextTitle {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<TextTitle, ValueError> {
        let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            return Err(ValueError("Le titre est obligatoire."));
        }
        if title.chars().count() > Self::MAX_CHARS {
            return Err(ValueError("Le titre ne peut pas dépasser 200 caractères."));
        }
        if title.chars().any(char::is_control) {
            return Err(ValueError("Le titre contient des caractères invisibles."));
        }
        if title.contains(['[', ']', '|', '/']) {
            return Err(ValueError(
                "Le titre ne peut pas contenir les caractères [ ] | ou /.",
            ));
        }
        Ok(TextTitle(title))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_tidied_and_checked() {
        assert_eq!(
            TextTitle::parse("  Santé   pour tous ").unwrap().as_str(),
            "Santé pour tous"
        );
        assert!(TextTitle::parse("   ").is_err());
        assert!(TextTitle::parse("a/b").is_err());
        assert!(TextTitle::parse(&"é".repeat(201)).is_err());
        assert_eq!(TextStatus::parse("amending"), Some(TextStatus::Amending));
        assert_eq!(TextKind::parse("motion"), None);
    }
}

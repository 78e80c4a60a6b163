//! Values parsed at the edge. Each `parse` returns a sentence a person can act on.

use std::fmt;

/// Why a value was refused: a sentence for the person who typed it (French, the UI's first
/// language; the API returns it as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError(pub &'static str);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ValueError {}

/// An email address, trimmed and lowercased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, ValueError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(ValueError("L'adresse e-mail est obligatoire."));
        }
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ValueError("Cette adresse e-mail n'est pas valide."));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(ValueError(
                "Une adresse e-mail contient un « @ », par exemple nom@exemple.fr.",
            ));
        };
        if local.is_empty()
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(ValueError(
                "Cette adresse e-mail n'est pas valide, par exemple nom@exemple.fr.",
            ));
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, ValueError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(ValueError("Le nom est obligatoire."));
        }
        if name.chars().count() > 120 {
            return Err(ValueError("Le nom ne peut pas dépasser 120 caractères."));
        }
        if name.chars().any(char::is_control) {
            return Err(ValueError("Le nom contient des caractères invisibles."));
        }
        Ok(DisplayName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A group's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(raw: &str) -> Result<GroupName, ValueError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(ValueError("Le nom du groupe est obligatoire."));
        }
        if name.chars().count() > 160 {
            return Err(ValueError(
                "Le nom du groupe ne peut pas dépasser 160 caractères.",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ValueError(
                "Le nom du groupe contient des caractères invisibles.",
            ));
        }
        Ok(GroupName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, before hashing. Length is what matters (NIST SP 800-63B): at least 10
/// characters, at most 256 so that hashing stays bounded.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(raw: &str) -> Result<Password, ValueError> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(ValueError(
                "Le mot de passe doit contenir au moins 10 caractères.",
            ));
        }
        if count > 256 {
            return Err(ValueError(
                "Le mot de passe ne peut pas dépasser 256 caractères.",
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Never print a password, even in a debug log.
impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Jeanne.Dupont@Exemple.FR ")
                .unwrap()
                .as_str(),
            "jeanne.dupont@exemple.fr"
        );
        for bad in [
            "",
            "jeanne",
            "@exemple.fr",
            "jeanne@exemple",
            "jeanne@.fr",
            "je anne@exemple.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_are_collapsed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Jean   Jaurès ").unwrap().as_str(),
            "Jean Jaurès"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"a".repeat(121)).is_err());
    }

    #[test]
    fn nul_characters_are_refused_by_every_value() {
        // PostgreSQL cannot store U+0000 in text: refused at the edge on both backends.
        assert!(Email::parse("jeanne\0@exemple.fr").is_err());
        assert!(DisplayName::parse("Jean\0 Jaurès").is_err());
        assert!(GroupName::parse("Lille\0").is_err());
        assert!(crate::model::TextTitle::parse("Santé\0").is_err());
    }

    #[test]
    fn passwords_are_bounded_and_never_printed() {
        assert!(Password::parse("court").is_err());
        let password = Password::parse("un mot de passe assez long").unwrap();
        assert_eq!(format!("{password:?}"), "Password(…)");
    }
}

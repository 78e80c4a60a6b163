//! How the party is organised: kinds of group, roles and visibility.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Defines a string-coded enum: `code()`, `parse()`, `ALL`, serde and sqlx as that code.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl sqlx::Type<sqlx::Sqlite> for $name {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <str as sqlx::Type<sqlx::Sqlite>>::type_info()
            }
        }
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
        }
        // Encoded as an owned string: a borrowed `&'static str` would tie every other value bound
        // in the same query to `'static` (SQLite's arguments borrow for `'q`).
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                self.code().to_owned().encode_by_ref(buf)
            }
        }
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let code = <&str as sqlx::Decode<DB>>::decode(value)?;
                $name::parse(code).ok_or_else(|| format!("unknown {} {code:?}", stringify!($name)).into())
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum!(
    /// What a group is. Themes are thematic working groups that belong to no convention and
    /// outlive them; working groups are ad hoc.
    GroupKind {
        National = "national",
        Federation = "federation",
        Section = "section",
        Theme = "theme",
        WorkingGroup = "working_group",
    }
);

coded_enum!(
    /// A member's role in a group, from least to most rights: the order of the variants is the
    /// order of the rights (`Role::Secretary > Role::Member`).
    Role {
        Supporter = "supporter",
        Member = "member",
        Secretary = "secretary",
        Officer = "officer",
        Organiser = "organiser",
        Admin = "admin",
    }
);

coded_enum!(
    /// Who may see a group's page: anyone, the party's members, or the group's own members.
    Visibility {
        Public = "public",
        Members = "members",
        Group = "group",
    }
);

coded_enum!(
    /// Who may see a member's profile, as the member chose: those who share a group with them
    /// (the default: political membership is sensitive), or every party member.
    ProfileVisibility {
        Groups = "groups",
        Party = "party",
    }
);

coded_enum!(
    /// What a member declared of their gender, if anything (none: « ne pas préciser »). Private:
    /// never shown to anyone else, never exported; only the counts of women among an
    /// amendment's supporters read it (parity statutes, `AmendmentRules::min_women`).
    Gender {
        Woman = "woman",
        Man = "man",
        Other = "other",
    }
);

coded_enum!(
    /// A member's free titles: internal functions and elected mandates.
    TitleKind {
        Function = "function",
        Mandate = "mandate",
    }
);

impl Role {
    /// Roles that carry down the tree: a federation's secretary manages its sections, but a
    /// federation's plain member is not thereby a member of every section.
    pub fn inherits_down(self) -> bool {
        self >= Role::Secretary
    }

    /// Whether this role makes its holder a party member rather than a supporter.
    pub fn is_party_member(self) -> bool {
        self >= Role::Member
    }
}

impl GroupKind {
    /// The kinds of group that may be created under a parent of this kind.
    pub fn allowed_children(self) -> &'static [GroupKind] {
        match self {
            GroupKind::National => &[
                GroupKind::Federation,
                GroupKind::Theme,
                GroupKind::WorkingGroup,
            ],
            GroupKind::Federation => &[GroupKind::Section, GroupKind::WorkingGroup],
            GroupKind::Section | GroupKind::Theme => &[GroupKind::WorkingGroup],
            GroupKind::WorkingGroup => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_rights() {
        assert!(Role::Admin > Role::Organiser);
        assert!(Role::Organiser > Role::Officer);
        assert!(Role::Officer > Role::Secretary);
        assert!(Role::Secretary > Role::Member);
        assert!(Role::Member > Role::Supporter);
    }

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(*role));
        }
        for kind in GroupKind::ALL {
            assert_eq!(GroupKind::parse(kind.code()), Some(*kind));
        }
        assert_eq!(Role::parse("king"), None);
    }
}

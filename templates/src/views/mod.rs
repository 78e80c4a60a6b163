//! The view structs: what each page needs, already loaded and checked by the server, one file
//! per feature as in the server's `http` (`common` for what several share).
//!
//! Ids are strings; dates arrive pre-formatted (see [`crate::format_datetime`]) or, in the views
//! of texts, as `time::OffsetDateTime` that the pages format. Every string that comes from a
//! member is escaped when rendered, except the fields whose names end in `_html`: the server
//! sanitised them (ammonia) and the pages insert them as they are.

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code shared with the server and forms.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

mod accounts;
mod admin;
mod amendments;
mod archives;
mod common;
mod groups;
mod home;
mod members;
mod search;
mod texts;

pub use accounts::*;
pub use admin::*;
pub use amendments::*;
pub use archives::*;
pub use common::*;
pub use groups::*;
pub use home::*;
pub use members::*;
pub use search::*;
pub use texts::*;

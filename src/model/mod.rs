//! The domain's vocabulary: ids, roles, kinds of group, and the values that are parsed once at
//! the edge (emails, names, passwords) so that the rest of the code only ever holds valid ones.

mod ids;
mod org;
mod values;

pub use ids::{GroupId, MemberId};
pub use org::{GroupKind, Role, TitleKind, Visibility};
pub use values::{DisplayName, Email, GroupName, Password, ValueError};

//! The domain's vocabulary: ids, roles, kinds of group, and the values that are parsed once at
//! the edge (emails, names, passwords) so that the rest of the code only ever holds valid ones.

mod amendment;
mod event;
mod ids;
mod org;
mod text;
mod values;

pub use amendment::{AmendmentStatus, Filers};
pub use event::EventKind;
pub use ids::{AmendmentId, DebateId, DebateImportId, GroupId, MemberId, TextId, VersionId};
pub use org::{Gender, GroupKind, ProfileVisibility, Role, TitleKind, Visibility};
pub use text::{TextKind, TextStatus, TextTitle};
pub use values::{DisplayName, Email, GroupName, Password, ValueError};

mod common;
mod groups;

pub use common::*;
pub use groups::*;

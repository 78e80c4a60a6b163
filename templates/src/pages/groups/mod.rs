//! The pages of groups: the organisation, a group's page, its directory and management page
//! (`group`); the organisers' pages and parts (`organisers`).

pub mod group;
pub mod organisers;

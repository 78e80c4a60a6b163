//! What the JSON routes of every feature share.

use serde::Serialize;
use utoipa::ToSchema;

/// The answer to a creation: the new thing's id.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

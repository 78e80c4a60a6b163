//! Amendments: the JSON routes of API.md's « Amendments ». The pages (the reading view's
//! margins, an amendment's page) and merging come with the later steps of issue 13.

mod api;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    api::router()
}

//! Amendments: the JSON routes of API.md's « Amendments » (`api.rs`), a text's amendments as
//! CSV and JSON files (`export.rs`) and their pages (`pages.rs`), filing at paragraph level
//! without JavaScript (`filing.rs`), rewording from the amendment's page (`rewording.rs`),
//! filing a sub-amendment without JavaScript (`sub_filing.rs`), merging from the pages, the
//! side-by-side view of conflicts and provenance, page and JSON (`merging.rs`), and the
//! organisers' form of a text's rules for amendments (`rules.rs`), and the amendments like one
//! being written (`similar.rs`: its API route, and the list a draft's page shows).

mod api;
mod export;
mod filing;
mod merging;
mod pages;
mod rewording;
mod rules;
mod similar;
mod sub_filing;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(api::router())
        .merge(export::router())
        .merge(pages::router())
        .merge(filing::router())
        .merge(merging::router())
        .merge(rewording::router())
        .merge(sub_filing::router())
        .merge(rules::router())
        .merge(similar::router())
}

//! Typed path extractors: the ids a route carries, parsed before its handler runs. An id that
//! does not parse answers 404, as an id that names nothing does — a junk id learns no more
//! than an unknown one —, as JSON on the API's routes and as a page elsewhere (`html_errors`
//! decides from the path, as for every `AppError`).
//!
//! Each extractor reads its parameter by name, so a route with two ids takes two extractors
//! (`GroupPath` and `GroupMemberPath` for `/groups/{id}/members/{member_id}`).

use std::str::FromStr;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::error::AppError;
use crate::model::{AmendmentId, DebateId, GroupId, MemberId, TextId, VersionId};

/// The parameter `name` of the matched route, parsed. A value that does not parse (or is not
/// UTF-8 once percent-decoded) is a 404; a route without that parameter is our mistake, a 500.
async fn param<T: FromStr, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<T, AppError> {
    let params = match RawPathParams::from_request_parts(parts, state).await {
        Ok(params) => params,
        Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => {
            return Err(AppError::not_found());
        }
        Err(e) => return Err(AppError::Internal(anyhow::anyhow!("path parameters: {e}"))),
    };
    let Some((_, raw)) = params.iter().find(|(key, _)| *key == name) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "the route has no {{{name}}} parameter"
        )));
    };
    raw.parse().map_err(|_| AppError::not_found())
}

macro_rules! path_id {
    ($(#[$doc:meta])* $name:ident($id:ty) from $param:literal) => {
        $(#[$doc])*
        pub struct $name(pub $id);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
                param(parts, state, $param).await.map($name)
            }
        }
    };
}

path_id!(
    /// The text of `/texts/{id}…` and `/api/v1/texts/{id}…`.
    TextPath(TextId) from "id"
);
path_id!(
    /// The debate of `/debates/{id}` and `/api/v1/debates/{id}`.
    DebatePath(DebateId) from "id"
);
path_id!(
    /// The amendment of `/api/v1/amendments/{id}…`.
    AmendmentPath(AmendmentId) from "id"
);
path_id!(
    /// The other amendment of `/amendments/{id}/conflict/{other}` (the first is an
    /// `AmendmentPath`).
    OtherAmendmentPath(AmendmentId) from "other"
);
path_id!(
    /// The group of `/groups/{id}…` and `/api/v1/groups/{id}…`.
    GroupPath(GroupId) from "id"
);
path_id!(
    /// The member of `/members/{id}…` and `/api/v1/members/{id}…`.
    MemberPath(MemberId) from "id"
);
path_id!(
    /// The member of `/groups/{id}/members/{member_id}…` (the group is a `GroupPath`).
    GroupMemberPath(MemberId) from "member_id"
);
path_id!(
    /// The version of `/texts/{id}/versions/{version}…` (the text is a `TextPath`).
    VersionPath(VersionId) from "version"
);
path_id!(
    /// The invitation of `/groups/{id}/invitations/{invitation_id}…` (the group is a
    /// `GroupPath`).
    InvitationPath(i64) from "invitation_id"
);
path_id!(
    /// The wiki page of `/groups/{id}/wiki/{slug}` (the group is a `GroupPath`).
    WikiSlugPath(String) from "slug"
);
path_id!(
    /// The paragraph number of `/texts/{id}/paragraphs/{n}…` (the text is a `TextPath`).
    ParagraphPath(usize) from "n"
);

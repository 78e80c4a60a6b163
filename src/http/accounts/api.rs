//! `POST /api/v1/session` (bearer tokens for scripts) and `DELETE /api/v1/session`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts;
use crate::app::App;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, AuthVia, ClientIp, CurrentMember};
use crate::model::MemberId;
use crate::secret::hash_secret;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(create_session, delete_session))
}

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberSummary {
    pub id: MemberId,
    pub name: String,
    pub email: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionCreated {
    /// Send it as `Authorization: Bearer <token>`. Valid 90 days, until revoked.
    token: String,
    member: MemberSummary,
}

/// Signs in and returns an API bearer token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = Credentials,
    responses(
        (status = 201, body = SessionCreated),
        (status = 401, description = "Wrong address or password", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody)))]
async fn create_session(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<Credentials>,
) -> AppResult<(StatusCode, Json<SessionCreated>)> {
    let member =
        accounts::sign_in(&app.db, &app.throttle, &body.email, &body.password, &ip).await?;
    let token = accounts::issue_api_token(&app.db, member.member_id).await?;
    let member = MemberSummary {
        id: member.member_id,
        name: member.name,
        email: member.email,
    };
    Ok((StatusCode::CREATED, Json(SessionCreated { token, member })))
}

/// Revokes the bearer token used for this request (or ends the browser session).
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 200, description = "Revoked"), (status = 401, body = ErrorBody)))]
async fn delete_session(
    State(app): State<App>,
    current: CurrentMember,
    headers: HeaderMap,
    session: Session,
) -> AppResult<Json<serde_json::Value>> {
    match current.via {
        AuthVia::Bearer => {
            let token = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once(' '))
                .map(|(_, t)| t.trim())
                .ok_or(AppError::Unauthorized)?;
            app.db.delete_api_token(&hash_secret(token)).await?;
        }
        AuthVia::Cookie => session
            .flush()
            .await
            .map_err(|e| AppError::Internal(e.into()))?,
    }
    Ok(Json(serde_json::json!({})))
}

//! The one error type of the HTTP layer.
//!
//! Handlers return `AppError`; its response carries the JSON body of API.md
//! (`{error, message, fields?}`) and the error itself in the response's extensions, so that the
//! `html_errors` middleware can render a page instead for browser routes. 500s are logged once,
//! here, with their cause, and never shown.
//!
//! Use the named constructors: `not_found()` also for things the caller may not see,
//! `forbidden()` when they may see it but not do this, `invalid(fields)` for form and JSON
//! validation (422), `bad_request(..)` for malformed input (400), `conflict(..)` for a clash
//! with current state (409).

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

const FORBIDDEN: &str = "Vous n'avez pas les droits nécessaires pour cette action.";

/// Field name → message, for validation errors.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("too many attempts")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::BadRequest(message.into())
    }
    pub fn not_found() -> AppError {
        AppError::NotFound
    }
    pub fn forbidden() -> AppError {
        AppError::Forbidden(FORBIDDEN.into())
    }
    /// Forbidden, saying why.
    pub fn forbidden_because(message: impl Into<String>) -> AppError {
        AppError::Forbidden(message.into())
    }
    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::Conflict(message.into())
    }
    pub fn invalid(fields: FieldErrors) -> AppError {
        AppError::Invalid(fields)
    }
    /// One invalid field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(BTreeMap::from([(field.to_owned(), message.into())]))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code of API.md's error body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Invalid(_) => "invalid",
            AppError::TooManyRequests { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// A sentence for a person (French first: the UI's language; the HTML error page localises).
    pub fn message(&self) -> String {
        match self {
            AppError::BadRequest(message)
            | AppError::Conflict(message)
            | AppError::Forbidden(message) => message.clone(),
            AppError::Unauthorized => "Connectez-vous pour continuer.".into(),
            AppError::NotFound => "Cette page n'existe pas, ou vous n'y avez pas accès.".into(),
            AppError::PayloadTooLarge => "La requête est trop volumineuse.".into(),
            AppError::Invalid(fields) if fields.len() == 1 => {
                fields.values().next().cloned().unwrap_or_default()
            }
            AppError::Invalid(_) => "Certains champs sont à corriger.".into(),
            AppError::TooManyRequests {
                retry_after_seconds,
            } => format!("Trop de tentatives : réessayez dans {retry_after_seconds} s."),
            AppError::Internal(_) => {
                "Une erreur inattendue s'est produite ; elle a été enregistrée.".into()
            }
        }
    }

    /// The message, when it says more than the status does (a generic one is left to the
    /// error page, which says it in the reader's language).
    pub fn specific_message(&self) -> Option<String> {
        match self {
            AppError::BadRequest(_) | AppError::Conflict(_) | AppError::Invalid(_) => {
                Some(self.message())
            }
            AppError::Forbidden(message) if message != FORBIDDEN => Some(message.clone()),
            _ => None,
        }
    }

    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(fields) => Some(fields),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict("email") => {
                AppError::invalid_field("email", "Un compte existe déjà avec cette adresse e-mail.")
            }
            StoreError::Conflict(what) => AppError::conflict(format!("{what} est déjà pris.")),
            StoreError::Sqlx(e) => AppError::Internal(e.into()),
            StoreError::Aborted(why) => AppError::Internal(anyhow::anyhow!(why)),
        }
    }
}

/// The JSON error body of API.md.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `payload_too_large`, `invalid`, `rate_limited`, `internal`.
    pub error: &'static str,
    /// A sentence for a person.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
}

/// What the HTML error middleware needs to render a page for this error.
#[derive(Clone, Debug)]
pub struct RenderedError {
    pub status: StatusCode,
    pub specific_message: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let status = self.status();
        let body = ErrorBody {
            error: self.code(),
            message: self.message(),
            fields: self.fields().cloned(),
        };
        let mut response = (status, Json(body)).into_response();
        if let AppError::TooManyRequests {
            retry_after_seconds,
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
        }
        response.extensions_mut().insert(RenderedError {
            status,
            specific_message: self.specific_message(),
        });
        response
    }
}

//! What every HTML page needs: the language, the viewer, the CSRF token, a flash message.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::Markup;
use tower_sessions::Session;

use atelier_templates::{Lang, PageContext, ViewerView};

use super::csrf;
use super::extract::{AuthVia, CurrentMember};
use crate::app::App;
use crate::auth::Viewer;
use crate::error::AppError;

pub const LANG_COOKIE: &str = "atelier_lang";
const FLASH_KEY: &str = "flash";

/// The language: the visitor's choice (a cookie set by the switch), else their browser's.
pub fn lang_from_headers(headers: &HeaderMap) -> Lang {
    let chosen = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|c| {
            c.trim()
                .strip_prefix(LANG_COOKIE)
                .and_then(|rest| rest.strip_prefix('='))
        })
        .find_map(Lang::from_code);
    chosen.unwrap_or_else(|| {
        Lang::negotiate(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        )
    })
}

/// A context for pages shown without a session (error pages).
pub fn anonymous_context(lang: Lang, path: &str) -> PageContext {
    PageContext {
        lang,
        viewer: None,
        csrf_token: None,
        path: path.to_owned(),
        flash: None,
    }
}

/// An HTML page request: extracting it loads the viewer and the CSRF token, and takes the flash.
pub struct Page {
    pub ctx: PageContext,
    pub viewer: Option<Viewer>,
    pub session: Session,
}

impl FromRequestParts<App> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, app)
            .await
            .map_err(|(_, e)| AppError::Internal(anyhow::anyhow!("session layer missing: {e}")))?;
        let (viewer, via) = match CurrentMember::from_request_parts(parts, app).await {
            Ok(current) => (Some(current.viewer), Some(current.via)),
            Err(AppError::Unauthorized) if !parts.headers.contains_key(header::AUTHORIZATION) => {
                (None, None)
            }
            Err(e) => return Err(e),
        };
        let internal = |e: tower_sessions::session::Error| AppError::Internal(e.into());
        // Pages signed in by cookie always carry forms (sign out at least). Anonymous pages get
        // a token only when they have a form (`ensure_csrf`): a visitor who only reads costs no
        // write. A bearer token needs none: no browser attaches it by itself.
        let csrf_token = match via {
            Some(AuthVia::Cookie) => Some(csrf::token(&session).await?),
            _ => session
                .get::<String>(csrf::SESSION_KEY)
                .await
                .map_err(internal)?,
        };
        // Removing marks the session modified, and a modified session is written: only remove
        // a flash that is there.
        let flash: Option<String> = session.get(FLASH_KEY).await.map_err(internal)?;
        if flash.is_some() {
            session
                .remove::<String>(FLASH_KEY)
                .await
                .map_err(internal)?;
        }
        let ctx = PageContext {
            lang: lang_from_headers(&parts.headers),
            viewer: viewer.as_ref().map(|v| ViewerView {
                id: v.member_id.to_string(),
                name: v.name.clone(),
                is_admin: v.is_admin(),
            }),
            csrf_token,
            path: parts.uri.path().to_owned(),
            flash,
        };
        Ok(Page {
            ctx,
            viewer,
            session,
        })
    }
}

impl Page {
    /// The viewer, or a redirect to the sign-in page that comes back here.
    pub fn require_viewer(&self) -> Result<&Viewer, AppError> {
        self.viewer.as_ref().ok_or(AppError::Unauthorized)
    }

    pub fn lang(&self) -> Lang {
        self.ctx.lang
    }

    /// Makes sure this page has a CSRF token, for an anonymous page that shows a form.
    pub async fn ensure_csrf(&mut self) -> Result<(), AppError> {
        if self.ctx.csrf_token.is_none() {
            self.ctx.csrf_token = Some(csrf::token(&self.session).await?);
        }
        Ok(())
    }
}

/// Keeps a one-line message for the next page this visitor sees.
pub async fn flash(session: &Session, message: impl Into<String>) -> Result<(), AppError> {
    session
        .insert(FLASH_KEY, message.into())
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

pub fn html(markup: Markup) -> Response {
    Html(markup.into_string()).into_response()
}

/// A page with another status than 200: a form shown again with its errors (422), a page that
/// does not exist yet (404).
pub fn html_with_status(status: axum::http::StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// After a successful form: back to a page (303, so that reloading does not resubmit).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The sign-in page, coming back to `path` afterwards.
pub fn login_redirect(path: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// A path on this site to go back to; anything else goes home. Only a plain absolute path is
/// followed: browsers drop tabs and newlines from a URL (so `/\t/host` means `//host`, another
/// site) and read `\` as `/`, so no control character, no backslash, no `//` start; and a
/// parse against a placeholder origin must stay on it. The sign-in page itself would loop.
pub fn safe_next(next: Option<&str>) -> String {
    const ORIGIN: &str = "http://atelier.invalid";
    let Some(path) = next else {
        return "/".to_owned();
    };
    let plain = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
        && !path.starts_with("/login");
    let stays_here = url::Url::parse(ORIGIN)
        .and_then(|origin| origin.join(path))
        .is_ok_and(|joined| {
            joined.scheme() == "http" && joined.host_str() == Some("atelier.invalid")
        });
    if plain && stays_here {
        path.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_local_paths_are_followed() {
        for good in ["/", "/groups/3", "/texts/7?tab=versions#p2", "/th%C3%A8mes"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        for bad in [
            "/\t/evil.example/path",
            "/\n/x",
            "/\r\nSet-Cookie: a=b",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            " /groups",
            "/login?next=/login",
            "/a\u{0}b",
            "/a\u{7f}b",
            "/a\u{2028}b",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

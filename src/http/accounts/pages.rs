//! Account pages: sign in and out, registration (confirmed by mail), forgotten password,
//! invitations.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates as tpl;

use crate::accounts::{self, NewAccount, SignInError, registration};
use crate::app::App;
use crate::config::RegistrationMode;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::http::csrf;
use crate::http::extract::{ClientIp, FormData};
use crate::http::page::{Page, flash, html, login_redirect, safe_next, see_other};
use crate::http::views::role_view;
use crate::model::{MemberId, Password};
use crate::store::sessions::MEMBER_KEY;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(show_login, submit_login))
        .routes(routes!(submit_logout))
        .routes(routes!(show_register, submit_register))
        .routes(routes!(
            show_register_confirmation,
            submit_register_confirmation
        ))
        .routes(routes!(show_forgot_password, submit_forgot_password))
        .routes(routes!(show_reset_password, submit_reset_password))
        .routes(routes!(show_invitation, submit_invitation_acceptance))
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

/// Starts a signed-in session: a new session id (against fixation) and a new CSRF token.
async fn start_session(session: &Session, member: MemberId) -> AppResult<()> {
    let internal = |e: tower_sessions::session::Error| AppError::Internal(e.into());
    session.cycle_id().await.map_err(internal)?;
    session
        .remove::<String>(csrf::SESSION_KEY)
        .await
        .map_err(internal)?;
    session
        .insert(MEMBER_KEY, member.to_string())
        .await
        .map_err(internal)?;
    Ok(())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_form(app: &App, email: String, error: Option<String>, next: String) -> tpl::LoginForm {
    tpl::LoginForm {
        email,
        error,
        next,
        registration_open: app.config.registration == RegistrationMode::Open,
    }
}

/// The sign-in page.
#[utoipa::path(get, path = "/login", tag = "pages", params(NextQuery), responses((status = 200, description = "HTML page")))]
async fn show_login(
    State(app): State<App>,
    mut page: Page,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    page.ensure_csrf().await?;
    if page.viewer.is_some() {
        return Ok(see_other(&safe_next(query.next.as_deref())));
    }
    Ok(html(tpl::login(
        &page.ctx,
        &login_form(&app, String::new(), None, safe_next(query.next.as_deref())),
    )))
}

#[derive(Deserialize)]
pub struct LoginFormIn {
    email: String,
    password: String,
    next: Option<String>,
}

/// Signs in with an address and a password.
#[utoipa::path(post, path = "/login", tag = "pages", responses((status = 303, description = "Signed in"), (status = 401, description = "Wrong credentials"), (status = 429, description = "Too many attempts")))]
async fn submit_login(
    State(app): State<App>,
    mut page: Page,
    ClientIp(ip): ClientIp,
    FormData(form): FormData<LoginFormIn>,
) -> AppResult<Response> {
    page.ensure_csrf().await?;
    let next = safe_next(form.next.as_deref());
    match accounts::sign_in(&app.db, &app.throttle, &form.email, &form.password, &ip).await {
        Ok(member) => {
            start_session(&page.session, member.member_id).await?;
            Ok(see_other(&next))
        }
        Err(SignInError::WrongCredentials) => {
            let error = tpl::t(page.lang(), "login.wrong_credentials");
            let form = login_form(&app, form.email, Some(error), next);
            Ok(with_status(
                html(tpl::login(&page.ctx, &form)),
                StatusCode::UNAUTHORIZED,
            ))
        }
        Err(SignInError::Disabled) => {
            let error = tpl::t(page.lang(), "login.disabled");
            let form = login_form(&app, form.email, Some(error), next);
            Ok(with_status(
                html(tpl::login(&page.ctx, &form)),
                StatusCode::FORBIDDEN,
            ))
        }
        Err(SignInError::Throttled {
            retry_after_seconds,
        }) => {
            // The form again, saying how long to wait: a slowed member is not shown an error page.
            let seconds = retry_after_seconds.to_string();
            let error = tpl::t_args(page.lang(), "login.throttled", &[("seconds", &seconds)]);
            let form = login_form(&app, form.email, Some(error), next);
            let mut response = with_status(
                html(tpl::login(&page.ctx, &form)),
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(value) = seconds.parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(SignInError::Other(e)) => Err(e),
    }
}

/// Signs out.
#[utoipa::path(post, path = "/logout", tag = "pages", responses((status = 303, description = "Signed out")))]
async fn submit_logout(page: Page) -> AppResult<Response> {
    page.session
        .flush()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(see_other("/"))
}

fn register_form(
    email: String,
    name: String,
    invited_email: Option<String>,
    token: Option<String>,
) -> tpl::RegisterForm {
    tpl::RegisterForm {
        email,
        name,
        invitation_token: token,
        invited_email,
    }
}

/// Every registration page: a CSRF token, and a 404 unless registration is open.
async fn open_registration(app: &App, page: &mut Page) -> AppResult<()> {
    page.ensure_csrf().await?;
    if app.config.registration != RegistrationMode::Open {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// Creating an account (when registration is open).
#[utoipa::path(get, path = "/register", tag = "pages", responses((status = 200, description = "HTML page"), (status = 404, description = "Registration is not open")))]
async fn show_register(State(app): State<App>, mut page: Page) -> AppResult<Response> {
    open_registration(&app, &mut page).await?;
    Ok(html(tpl::register(
        &page.ctx,
        &register_form(String::new(), String::new(), None, None),
        &FieldErrors::new(),
    )))
}

#[derive(Deserialize)]
pub struct RegisterFormIn {
    email: String,
    name: String,
    password: String,
    password_confirmation: String,
}

fn parse_new_account(
    email: &str,
    name: &str,
    password: &str,
    confirmation: &str,
) -> Result<NewAccount, FieldErrors> {
    let parsed = NewAccount::parse(email, name, Some(password));
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    if password.is_empty() {
        errors.insert(
            "password".into(),
            format!(
                "Choisissez un mot de passe d'au moins {} caractères.",
                Password::MIN_CHARS
            ),
        );
    }
    if password != confirmation {
        errors.insert(
            "password_confirmation".into(),
            "Les deux mots de passe ne sont pas identiques.".into(),
        );
    }
    if errors.is_empty() {
        parsed
    } else {
        Err(errors)
    }
}

/// Mails a confirmation link, or a notice if the address has an account: the page says the same
/// either way (`accounts::registration`).
#[utoipa::path(post, path = "/register", tag = "pages", responses((status = 200, description = "Check your inbox, whatever the address"), (status = 422, description = "Fields to correct")))]
async fn submit_register(
    State(app): State<App>,
    mut page: Page,
    FormData(form): FormData<RegisterFormIn>,
) -> AppResult<Response> {
    open_registration(&app, &mut page).await?;
    let parsed = parse_new_account(
        &form.email,
        &form.name,
        &form.password,
        &form.password_confirmation,
    );
    let account = match parsed {
        Ok(account) => account,
        Err(fields) => {
            let refill = register_form(form.email, form.name, None, None);
            return Ok(with_status(
                html(tpl::register(&page.ctx, &refill, &fields)),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    registration::register(&app.db, &app.mailer, &app.throttle, account).await?;
    Ok(html(tpl::register_sent(&page.ctx)))
}

/// A mailed confirmation link: a button that creates the account.
#[utoipa::path(get, path = "/register/confirm/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "HTML page"), (status = 404, description = "Unknown link"), (status = 409, description = "Expired or used link")))]
async fn show_register_confirmation(
    State(app): State<App>,
    mut page: Page,
    Path(token): Path<String>,
) -> AppResult<Response> {
    open_registration(&app, &mut page).await?;
    let email = registration::pending_registration(&app.db, &token).await?;
    Ok(html(tpl::register_confirm(&page.ctx, &token, &email)))
}

/// Creates the account of a confirmed address, a supporter of the national party, and signs in.
#[utoipa::path(post, path = "/register/confirm/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 303, description = "Account created"), (status = 404, description = "Unknown link"), (status = 409, description = "Expired or used link, or the address has an account")))]
async fn submit_register_confirmation(
    State(app): State<App>,
    mut page: Page,
    Path(token): Path<String>,
) -> AppResult<Response> {
    open_registration(&app, &mut page).await?;
    let member = registration::confirm_registration(&app.db, &token).await?;
    start_session(&page.session, member).await?;
    flash(&page.session, tpl::t(page.lang(), "flash.welcome")).await?;
    Ok(see_other("/"))
}

/// Asking for a password-reset link.
#[utoipa::path(get, path = "/password/forgot", tag = "pages", responses((status = 200, description = "HTML page")))]
async fn show_forgot_password(mut page: Page) -> AppResult<Response> {
    page.ensure_csrf().await?;
    Ok(html(tpl::forgot_password(&page.ctx, false)))
}

#[derive(Deserialize)]
pub struct ForgotFormIn {
    email: String,
}

/// Mails a reset link if the address has an account (the page says the same either way).
#[utoipa::path(post, path = "/password/forgot", tag = "pages", responses((status = 200, description = "HTML page")))]
async fn submit_forgot_password(
    State(app): State<App>,
    mut page: Page,
    FormData(form): FormData<ForgotFormIn>,
) -> AppResult<Response> {
    page.ensure_csrf().await?;
    // Not a sign-in failure: asking for a link must not slow anyone's sign-in (the throttle
    // spaces out the mails themselves).
    accounts::request_password_reset(&app.db, &app.mailer, &app.throttle, &form.email).await?;
    Ok(html(tpl::forgot_password(&page.ctx, true)))
}

/// Choosing a new password from a reset link.
#[utoipa::path(get, path = "/password/reset/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "HTML page"), (status = 404, description = "Unknown link"), (status = 409, description = "Expired or used link")))]
async fn show_reset_password(
    State(app): State<App>,
    mut page: Page,
    Path(token): Path<String>,
) -> AppResult<Response> {
    page.ensure_csrf().await?;
    app.db
        .password_reset_member(&crate::secret::hash_secret(&token))
        .await?
        .map_err(accounts::token_refusal)?;
    Ok(html(tpl::reset_password(
        &page.ctx,
        &token,
        &FieldErrors::new(),
    )))
}

#[derive(Deserialize)]
pub struct ResetFormIn {
    password: String,
    password_confirmation: String,
}

/// Sets the new password, ends every other session, and signs in.
#[utoipa::path(post, path = "/password/reset/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 303, description = "Password changed")))]
async fn submit_reset_password(
    State(app): State<App>,
    mut page: Page,
    Path(token): Path<String>,
    FormData(form): FormData<ResetFormIn>,
) -> AppResult<Response> {
    page.ensure_csrf().await?;
    let mut errors = FieldErrors::new();
    let password = Password::parse(&form.password)
        .map_err(|e| errors.insert("password".into(), e.to_string()))
        .ok();
    if form.password != form.password_confirmation {
        errors.insert(
            "password_confirmation".into(),
            "Les deux mots de passe ne sont pas identiques.".into(),
        );
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return Ok(with_status(
            html(tpl::reset_password(&page.ctx, &token, &errors)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let member = accounts::reset_password(&app.db, &token, password).await?;
    start_session(&page.session, member).await?;
    flash(&page.session, tpl::t(page.lang(), "flash.password_changed")).await?;
    Ok(see_other("/"))
}

async fn invitation_view(
    app: &App,
    page: &Page,
    token: &str,
) -> AppResult<(tpl::InvitationView, crate::store::InvitationRow)> {
    let invitation = accounts::find_invitation(&app.db, token).await?;
    let group = app
        .db
        .group(invitation.group_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let inviter = match invitation.invited_by {
        Some(id) => app.db.member(id).await?.map(|m| m.name),
        None => None,
    };
    let has_account = app
        .db
        .member_by_email(
            &crate::model::Email::parse(&invitation.email).map_err(|_| AppError::not_found())?,
        )
        .await?
        .is_some();
    // An invitation binds to its address: only that account may accept it.
    let for_another_account = page
        .viewer
        .as_ref()
        .is_some_and(|viewer| !viewer.email.eq_ignore_ascii_case(&invitation.email));
    let view = tpl::InvitationView {
        token: token.to_owned(),
        group_name: group.name,
        role: role_view(invitation.role),
        inviter_name: inviter.unwrap_or_default(),
        email: invitation.email.clone(),
        needs_account: !has_account && page.viewer.is_none(),
        needs_login: has_account && page.viewer.is_none(),
        for_another_account,
    };
    Ok((view, invitation))
}

/// An invitation link: join the group, creating an account if needed.
#[utoipa::path(get, path = "/invitations/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "HTML page"), (status = 404, description = "Unknown link"), (status = 409, description = "Expired or used link")))]
async fn show_invitation(
    State(app): State<App>,
    mut page: Page,
    Path(token): Path<String>,
) -> AppResult<Response> {
    page.ensure_csrf().await?;
    let (view, _) = invitation_view(&app, &page, &token).await?;
    Ok(html(tpl::invitation(&page.ctx, &view, &FieldErrors::new())))
}

#[derive(Deserialize)]
pub struct InvitationFormIn {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// Accepts an invitation: as the signed-in member, or by creating the invited account.
#[utoipa::path(post, path = "/invitations/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 303, description = "Joined")))]
async fn submit_invitation_acceptance(
    State(app): State<App>,
    mut page: Page,
    Path(token): Path<String>,
    FormData(form): FormData<InvitationFormIn>,
) -> AppResult<Response> {
    page.ensure_csrf().await?;
    let (view, invitation) = invitation_view(&app, &page, &token).await?;
    if app.config.registration == RegistrationMode::Closed && view.needs_account {
        return Err(AppError::forbidden_because(
            "Les inscriptions sont fermées : demandez à un administrateur de créer votre compte.",
        ));
    }
    let member = match &page.viewer {
        Some(_) if view.for_another_account => {
            return Ok(with_status(
                html(tpl::invitation(&page.ctx, &view, &FieldErrors::new())),
                StatusCode::FORBIDDEN,
            ));
        }
        Some(viewer) => viewer.member_id,
        None if view.needs_login => {
            return Ok(login_redirect(&format!("/invitations/{token}")));
        }
        None => {
            let account = match parse_new_account(
                &invitation.email,
                &form.name,
                &form.password,
                &form.password_confirmation,
            ) {
                Ok(account) => account,
                Err(errors) => {
                    return Ok(with_status(
                        html(tpl::invitation(&page.ctx, &view, &errors)),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    ));
                }
            };
            accounts::create_account(&app.db, account, invitation.invited_by).await?
        }
    };
    accounts::accept_invitation(&app.db, &invitation, member).await?;
    if page.viewer.is_none() {
        start_session(&page.session, member).await?;
    }
    flash(&page.session, tpl::t(page.lang(), "flash.joined")).await?;
    // The welcome page: the texts being drafted where the member now is, one click from each.
    Ok(see_other("/welcome"))
}

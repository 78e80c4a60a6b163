//! Accounts: creating members, signing in (with throttling), registration, invitations and
//! password resets.
//! Shared by the API, the pages and the command line.

pub mod invitations;
pub mod registration;
pub mod throttle;

use std::time::Instant;

use time::Duration;

use crate::auth::{Viewer, password};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::mail::Mailer;
use crate::model::{DisplayName, Email, MemberId, Password};
use crate::organisation::{self, GroupContext};
use crate::secret::{hash_secret, new_secret};
use crate::store::{AuditEvent, Db, InvitationRow, MemberRow, NewMember, TokenUse};
use throttle::SigninThrottle;

pub const INVITATION_LIFETIME: Duration = Duration::days(14);
pub const RESET_LIFETIME: Duration = Duration::hours(2);
pub const API_TOKEN_LIFETIME: Duration = Duration::days(90);

/// Why a sign-in failed.
#[derive(Debug)]
pub enum SignInError {
    WrongCredentials,
    /// The right password of a disabled account: saying so tells nothing to someone who does
    /// not know the password, and spares the owner a useless reset.
    Disabled,
    Throttled {
        retry_after_seconds: u64,
    },
    Other(AppError),
}

impl From<AppError> for SignInError {
    fn from(e: AppError) -> SignInError {
        SignInError::Other(e)
    }
}

impl From<crate::store::StoreError> for SignInError {
    fn from(e: crate::store::StoreError) -> SignInError {
        SignInError::Other(e.into())
    }
}

impl From<SignInError> for AppError {
    fn from(e: SignInError) -> AppError {
        match e {
            SignInError::WrongCredentials => AppError::Unauthorized,
            SignInError::Disabled => AppError::forbidden_because(DISABLED_MESSAGE),
            SignInError::Throttled {
                retry_after_seconds,
            } => AppError::TooManyRequests {
                retry_after_seconds,
            },
            SignInError::Other(e) => e,
        }
    }
}

/// What a disabled account is told when it signs in with its password.
pub const DISABLED_MESSAGE: &str =
    "Ce compte est désactivé. Pour le retrouver, adressez-vous aux responsables du parti.";

/// Checks an address and password, unless the throttle says to wait (`throttle.rs`): then
/// nothing is checked and the answer says how long to wait.
pub async fn sign_in(
    db: &Db,
    throttle: &SigninThrottle,
    email: &str,
    password: &str,
    client_ip: &str,
) -> Result<MemberRow, SignInError> {
    let normalised = email.trim().to_lowercase();
    // No address is longer than 254 characters: a longer one is counted under its start, so
    // that nobody fills the throttle's memory with huge keys.
    let key: String = normalised.chars().take(256).collect();
    let attempt = throttle
        .begin(&key, client_ip, Instant::now())
        .map_err(|wait| SignInError::Throttled {
            retry_after_seconds: wait.as_secs_f64().ceil().max(1.0) as u64,
        })?;
    let member = match Email::parse(&normalised) {
        Ok(email) => db.member_by_email(&email).await?,
        Err(_) => None,
    };
    let stored = member.as_ref().and_then(|m| m.password_hash.clone());
    let matches = password::verify(password.to_owned(), stored)
        .await
        .map_err(AppError::Internal)?;
    match member {
        Some(member) if matches && member.disabled_at.is_none() => {
            throttle.succeeded(attempt, Instant::now());
            Ok(member)
        }
        // Still charged as a failure: a disabled account is no way around the throttle.
        Some(_) if matches => Err(SignInError::Disabled),
        // The attempt stays charged as a failure.
        _ => Err(SignInError::WrongCredentials),
    }
}

/// Issues an API bearer token for a member.
pub async fn issue_api_token(db: &Db, member: MemberId) -> AppResult<String> {
    let token = new_secret();
    db.create_api_token(member, &hash_secret(&token), API_TOKEN_LIFETIME)
        .await?;
    Ok(token)
}

/// A new account's fields, parsed; every problem reported at once, by field.
pub struct NewAccount {
    pub email: Email,
    pub name: DisplayName,
    pub password: Option<Password>,
}

impl NewAccount {
    pub fn parse(
        email: &str,
        name: &str,
        password: Option<&str>,
    ) -> Result<NewAccount, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = Email::parse(email)
            .map_err(|e| errors.insert("email".into(), e.to_string()))
            .ok();
        let name = DisplayName::parse(name)
            .map_err(|e| errors.insert("name".into(), e.to_string()))
            .ok();
        let password = match password.filter(|p| !p.is_empty()) {
            Some(p) => Password::parse(p)
                .map_err(|e| errors.insert("password".into(), e.to_string()))
                .ok(),
            None => None,
        };
        match (email, name) {
            (Some(email), Some(name)) if errors.is_empty() => Ok(NewAccount {
                email,
                name,
                password,
            }),
            _ => Err(errors),
        }
    }
}

/// Creates an account (hashing its password, if any, off the runtime).
pub async fn create_account(
    db: &Db,
    account: NewAccount,
    actor: Option<MemberId>,
) -> AppResult<MemberId> {
    let hash = match account.password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let id = db
        .create_member(&NewMember {
            email: &account.email,
            name: account.name.as_str(),
            password_hash: hash.as_deref(),
        })
        .await?;
    db.record(AuditEvent {
        actor,
        action: "member_created",
        group: None,
        member: Some(id),
        detail: "",
    })
    .await?;
    Ok(id)
}

/// Invites `email` into the group with `role`, and mails the link: for the group's managers, up
/// to their own role.
pub async fn invite(
    db: &Db,
    mailer: &Mailer,
    viewer: &Viewer,
    ctx: &GroupContext,
    email: &str,
    role: &str,
) -> AppResult<()> {
    if !ctx.access.can_manage {
        return Err(AppError::forbidden());
    }
    let email = Email::parse(email).map_err(|e| AppError::invalid_field("email", e.to_string()))?;
    let role = organisation::parse_role(role)?;
    if !ctx.access.can_grant(role) {
        return Err(AppError::forbidden_because(
            "Vous ne pouvez pas inviter avec un rôle supérieur au vôtre.",
        ));
    }
    let group = ctx.group.group_id;
    let token = new_secret();
    db.create_invitation(
        &hash_secret(&token),
        email.as_str(),
        group,
        role,
        Some(viewer.member_id),
        INVITATION_LIFETIME,
    )
    .await?;
    db.record(AuditEvent {
        actor: Some(viewer.member_id),
        action: "invitation_sent",
        group: Some(group),
        member: None,
        detail: role.code(),
    })
    .await?;
    mail_invitation(
        mailer,
        &viewer.name,
        &ctx.group.name,
        email.as_str(),
        &token,
    )
    .await
}

/// Mails an invitation link (`token` in clear: only its hash is stored).
pub(crate) async fn mail_invitation(
    mailer: &Mailer,
    inviter_name: &str,
    group_name: &str,
    email: &str,
    token: &str,
) -> AppResult<()> {
    let link = mailer.link(&format!("/invitations/{token}"));
    let body = format!(
        "Bonjour,\n\n{inviter_name} vous invite à rejoindre « {group_name} » sur Atelier, l'espace où les adhérents écrivent \
         ensemble le programme.\n\nPour accepter, ouvrez ce lien (valable 14 jours, utilisable une fois) :\n{link}\n\n\
         Si vous ne vous attendiez pas à ce message, ignorez-le.\n\n---\n\n{inviter_name} invites you to join \"{group_name}\" \
         on Atelier. To accept, open this link (valid for 14 days, once):\n{link}\n"
    );
    mailer
        .send(email, &format!("Invitation : {group_name}"), body)
        .await?;
    Ok(())
}

/// The invitation behind a link, or a 404/410-like refusal with a sentence.
pub async fn find_invitation(db: &Db, token: &str) -> AppResult<InvitationRow> {
    db.invitation(&hash_secret(token))
        .await?
        .map_err(token_refusal)
}

pub fn token_refusal(reason: TokenUse) -> AppError {
    match reason {
        TokenUse::Unknown => AppError::not_found(),
        TokenUse::Expired => AppError::conflict("Ce lien a expiré. Demandez-en un nouveau."),
        TokenUse::AlreadyUsed => {
            AppError::conflict("Ce lien a déjà servi. Demandez-en un nouveau si besoin.")
        }
        TokenUse::Withdrawn => AppError::conflict(
            "Cette invitation a été retirée par les responsables du groupe. Si vous pensez que c'est \
             une erreur, adressez-vous à eux.",
        ),
        TokenUse::Replaced => AppError::conflict(
            "Cette invitation vous a été envoyée à nouveau : ce lien-ci ne sert plus. Utilisez celui \
             du message le plus récent.",
        ),
    }
}

/// Accepts an invitation for `member`.
pub async fn accept_invitation(
    db: &Db,
    invitation: &InvitationRow,
    member: MemberId,
) -> AppResult<()> {
    // A member already signed in may have texts open: the store announces the new role, and
    // their sockets reconnect with it (`collab::rights`).
    db.accept_invitation(invitation.invitation_id, member)
        .await?
        .map_err(token_refusal)?;
    db.record(AuditEvent {
        actor: Some(member),
        action: "member_joined",
        group: Some(invitation.group_id),
        member: Some(member),
        detail: invitation.role.code(),
    })
    .await?;
    Ok(())
}

/// Mails a reset link if the address has an account; says nothing either way (no enumeration).
pub async fn request_password_reset(
    db: &Db,
    mailer: &Mailer,
    throttle: &SigninThrottle,
    email: &str,
) -> AppResult<()> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let Some(member) = db.member_by_email(&email).await? else {
        return Ok(());
    };
    if member.disabled_at.is_some() {
        return Ok(());
    }
    // A few mails in a row, then further apart (the page says the same either way).
    if !throttle.may_mail_reset(email.as_str(), Instant::now()) {
        tracing::info!("reset mail not sent: asked for too often");
        return Ok(());
    }
    // The new link ends any older one (`create_password_reset`).
    let token = new_secret();
    db.create_password_reset(member.member_id, &hash_secret(&token), RESET_LIFETIME)
        .await?;
    let link = mailer.link(&format!("/password/reset/{token}"));
    let body = format!(
        "Bonjour {name},\n\nPour choisir un nouveau mot de passe sur Atelier, ouvrez ce lien (valable 2 heures, utilisable une \
         fois) :\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.\n\n---\n\n\
         To choose a new password on Atelier, open this link (valid for 2 hours, once):\n{link}\n",
        name = member.name
    );
    mailer
        .send(email.as_str(), "Atelier : nouveau mot de passe", body)
        .await?;
    Ok(())
}

/// Sets a new password through a reset link; ends every session of the member.
pub async fn reset_password(db: &Db, token: &str, new_password: Password) -> AppResult<MemberId> {
    let hash_of_token = hash_secret(token);
    // Refuse dead links before spending an Argon2 hash on them.
    db.password_reset_member(&hash_of_token)
        .await?
        .map_err(token_refusal)?;
    let hash = password::hash(new_password).await?;
    let member = db
        .complete_password_reset(&hash_of_token, &hash)
        .await?
        .map_err(token_refusal)?;
    db.record(AuditEvent {
        actor: Some(member),
        action: "password_reset",
        group: None,
        member: Some(member),
        detail: "",
    })
    .await?;
    Ok(member)
}

/// Disables an account (administrators only; never one's own, so that the party cannot lose its
/// last administrator by a slip): the person can no longer sign in, their sessions, API tokens
/// and live sockets end at once, on every server. Enabling gives the account back as it was
/// (memberships included); the person signs in again with their password.
pub async fn set_account_disabled(
    db: &Db,
    viewer: &Viewer,
    member: MemberId,
    disabled: bool,
) -> AppResult<()> {
    if !viewer.can_administer_accounts() {
        return Err(AppError::forbidden());
    }
    if disabled && member == viewer.member_id {
        return Err(AppError::invalid_field(
            "member_id",
            "Vous ne pouvez pas désactiver votre propre compte.",
        ));
    }
    // Implied by the rule above for one administrator at a time; two disabling each other at
    // once could still pass on PostgreSQL (each sees the other enabled): the command line's
    // `member enable` is the way back.
    if disabled && !db.other_enabled_admin_exists(member).await? {
        return Err(AppError::invalid_field(
            "member_id",
            "C'est le dernier compte d'administration actif : le parti le garde.",
        ));
    }
    if !db.set_member_disabled(member, disabled).await? {
        return Err(AppError::not_found());
    }
    db.record(AuditEvent {
        actor: Some(viewer.member_id),
        action: if disabled {
            "account_disabled"
        } else {
            "account_enabled"
        },
        group: None,
        member: Some(member),
        detail: "",
    })
    .await?;
    Ok(())
}

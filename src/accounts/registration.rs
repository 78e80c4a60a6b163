//! Open registration without an account-existence oracle (issue 10, point 5). The form answers
//! the same for every address: a new address is mailed a single-use confirmation link, and the
//! account is created only when that link is used; an address that already has an account is
//! mailed a notice instead (with links to sign in and to reset the password), and nothing else
//! happens. Links are stored hashed, like invitations and resets (`store::tokens`).

use std::time::Instant;

use time::Duration;

use super::throttle::SigninThrottle;
use super::{NewAccount, token_refusal};
use crate::auth::password;
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;
use crate::model::MemberId;
use crate::secret::{hash_secret, new_secret};
use crate::store::{AuditEvent, Db, RegistrationRefusal, RegistrationRow};

pub const REGISTRATION_LIFETIME: Duration = Duration::hours(24);

/// Registers `account`: mails a confirmation link or, if the address has an account, a notice.
/// The caller answers the same either way.
pub async fn register(
    db: &Db,
    mailer: &Mailer,
    throttle: &SigninThrottle,
    account: NewAccount,
) -> AppResult<()> {
    // Hashed in both cases, so that both answers cost the same work.
    let password_hash = match account.password {
        Some(p) => password::hash(p).await?,
        None => {
            return Err(AppError::invalid_field(
                "password",
                "Choisissez un mot de passe.",
            ));
        }
    };
    let email = account.email.as_str();
    // The same spacing as reset mails (shared with them): nobody floods an inbox through us.
    if !throttle.may_mail_reset(email, Instant::now()) {
        tracing::info!("registration mail not sent: asked for too often");
        return Ok(());
    }
    if let Some(member) = db.member_by_email(&account.email).await? {
        let body = format!(
            "Bonjour {name},\n\nQuelqu'un vient d'essayer de créer un compte Atelier avec cette adresse, qui en a déjà un. \
             Si c'était vous, connectez-vous :\n{login}\n\nMot de passe oublié ? Choisissez-en un nouveau :\n\
             {forgot}\n\nSi ce n'était pas vous, ignorez ce message : votre compte n'a pas changé.\n\n---\n\n\
             Someone just tried to create an Atelier account with this address, which already has one. If it was you, \
             sign in:\n{login}\n\nForgot your password? Choose a new one:\n{forgot}\n\n\
             If it was not you, ignore this message: your account has not changed.\n",
            name = member.name,
            login = mailer.link("/login"),
            forgot = mailer.link("/password/forgot"),
        );
        mailer
            .send(email, "Atelier : vous avez déjà un compte", body)
            .await?;
        return Ok(());
    }
    let token = new_secret();
    let pending = RegistrationRow {
        email: email.to_owned(),
        name: account.name.as_str().to_owned(),
        password_hash,
    };
    db.create_registration(&hash_secret(&token), &pending, REGISTRATION_LIFETIME)
        .await?;
    let link = mailer.link(&format!("/register/confirm/{token}"));
    let body = format!(
        "Bonjour {name},\n\nPour créer votre compte Atelier, confirmez votre adresse en ouvrant ce lien (valable 24 heures, \
         utilisable une fois) :\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : aucun compte ne sera créé.\n\n\
         ---\n\nTo create your Atelier account, confirm your address by opening this link (valid for 24 hours, once):\n\
         {link}\n\nIf you did not ask for anything, ignore this message: no account will be created.\n",
        name = pending.name
    );
    mailer
        .send(email, "Atelier : confirmez votre adresse", body)
        .await?;
    Ok(())
}

/// The address a live confirmation link is for, or a 404/409 refusal with a sentence.
pub async fn pending_registration(db: &Db, token: &str) -> AppResult<String> {
    db.registration_email(&hash_secret(token))
        .await?
        .map_err(token_refusal)
}

/// Uses a confirmation link: creates the account, a supporter of the national party.
pub async fn confirm_registration(db: &Db, token: &str) -> AppResult<MemberId> {
    let national = db.national_group().await?;
    let member = db
        .complete_registration(&hash_secret(token), national)
        .await?
        .map_err(|refusal| match refusal {
            RegistrationRefusal::Link(reason) => token_refusal(reason),
            // Only the owner of the mailbox holds the link: telling them reveals nothing.
            RegistrationRefusal::AccountExists => AppError::conflict(
                "Un compte existe déjà avec cette adresse : connectez-vous, ou choisissez un nouveau mot de passe \
                 depuis « Mot de passe oublié ».",
            ),
        })?;
    db.record(AuditEvent {
        actor: Some(member),
        action: "member_created",
        group: None,
        member: Some(member),
        detail: "registration",
    })
    .await?;
    Ok(member)
}

//! Secrets handed to people: browser sessions, API tokens, password-reset links and
//! registration confirmations (stored as hashes; links single-use and expiring).

use std::collections::HashMap;

use atelier::model::{Email, MemberId, Role};
use atelier::store::{Db, RegistrationRefusal, RegistrationRow, TokenUse};
use time::Duration;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::ExpiredDeletion;

use super::{Raw, new_member, on_both_backends, tree};

on_both_backends!(
    api_tokens_expire_and_revoke,
    password_resets_are_claimed_once,
    a_newer_reset_link_ends_older_ones,
    registrations_create_the_account_once,
);
on_both_backends!(raw: sessions_round_trip_expire_and_are_stored_hashed);

/// A session of `member` living an hour, stored; answers its id.
pub async fn stored_session(db: &Db, member: MemberId) -> Id {
    let mut record = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: time::OffsetDateTime::now_utc() + Duration::hours(1),
    };
    record
        .data
        .insert("member_id".into(), serde_json::json!(member.to_string()));
    db.create(&mut record).await.unwrap();
    record.id
}

pub async fn load(db: &Db, id: &Id) -> Option<Record> {
    db.load(id).await.unwrap()
}

async fn sessions_round_trip_expire_and_are_stored_hashed(db: Db, raw: Raw) {
    let member = new_member(&db, "a@exemple.fr", "A").await;
    let other = new_member(&db, "b@exemple.fr", "B").await;
    let id = stored_session(&db, member).await;
    let others = stored_session(&db, other).await;
    let mut record = load(&db, &id).await.expect("stored");
    assert_eq!(
        record.data["member_id"],
        serde_json::json!(member.to_string())
    );
    record.data.insert("csrf".into(), serde_json::json!("t"));
    db.save(&record).await.unwrap();
    assert_eq!(load(&db, &id).await.unwrap().data.len(), 2);
    // Only a hash of the id is stored.
    let sql = format!("select count(*) from session where session_hash = '{id}'");
    assert_eq!(raw.count(&sql).await, 0);
    assert_eq!(raw.count("select count(*) from session").await, 2);
    assert_eq!(
        db.delete_sessions_of(member).await.unwrap(),
        1,
        "sessions are found by member"
    );
    assert_eq!(db.delete_sessions_of(member).await.unwrap(), 0);
    assert!(load(&db, &id).await.is_none());
    assert!(load(&db, &others).await.is_some(), "the others' stay");
    // An unknown id loads nothing; deleting one is no error.
    assert!(load(&db, &Id::default()).await.is_none());
    db.delete(&Id::default()).await.unwrap();
    db.delete(&others).await.unwrap();
    assert!(load(&db, &others).await.is_none());

    let mut expired = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: time::OffsetDateTime::now_utc() - Duration::seconds(1),
    };
    db.create(&mut expired).await.unwrap();
    let live = stored_session(&db, other).await;
    assert!(
        load(&db, &expired.id).await.is_none(),
        "an expired session does not load"
    );
    assert_eq!(raw.count("select count(*) from session").await, 2);
    db.delete_expired().await.unwrap();
    assert_eq!(
        raw.count("select count(*) from session").await,
        1,
        "the expired row is gone"
    );
    assert!(load(&db, &live).await.is_some());
    raw.close().await;
}

async fn api_tokens_expire_and_revoke(db: Db) {
    let member = new_member(&db, "a@exemple.fr", "A").await;
    db.create_api_token(member, "live", Duration::days(1))
        .await
        .unwrap();
    db.create_api_token(member, "dead", Duration::seconds(-1))
        .await
        .unwrap();
    assert_eq!(db.api_token_member("live").await.unwrap(), Some(member));
    assert_eq!(db.api_token_member("dead").await.unwrap(), None);
    assert_eq!(db.api_token_member("unknown").await.unwrap(), None);
    assert!(db.delete_api_token("live").await.unwrap());
    assert!(!db.delete_api_token("live").await.unwrap(), "deleted once");
    assert_eq!(db.api_token_member("live").await.unwrap(), None);
}

async fn password_resets_are_claimed_once(db: Db) {
    let a = new_member(&db, "a@exemple.fr", "A").await;
    db.create_password_reset(a, "r1", Duration::hours(1))
        .await
        .unwrap();
    db.create_api_token(a, "token", Duration::days(1))
        .await
        .unwrap();
    let session = stored_session(&db, a).await;
    assert_eq!(db.password_reset_member("r1").await.unwrap(), Ok(a));
    assert_eq!(
        db.password_reset_member("nope").await.unwrap(),
        Err(TokenUse::Unknown)
    );
    assert_eq!(
        db.complete_password_reset("r1", "$new").await.unwrap(),
        Ok(a)
    );
    assert_eq!(
        db.complete_password_reset("r1", "$other").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    assert_eq!(
        db.password_reset_member("r1").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    assert_eq!(
        db.member(a)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$new")
    );
    assert_eq!(
        db.api_token_member("token").await.unwrap(),
        None,
        "a reset revokes API tokens"
    );
    assert!(load(&db, &session).await.is_none(), "and ends the sessions");
    db.create_password_reset(a, "r2", Duration::seconds(-1))
        .await
        .unwrap();
    assert_eq!(
        db.password_reset_member("r2").await.unwrap(),
        Err(TokenUse::Expired)
    );
    assert_eq!(
        db.complete_password_reset("r2", "$late").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    // Two uses at once: exactly one wins.
    db.create_password_reset(a, "r3", Duration::hours(1))
        .await
        .unwrap();
    let (first, second) = tokio::join!(
        db.complete_password_reset("r3", "$one"),
        db.complete_password_reset("r3", "$two")
    );
    let results = [first.unwrap(), second.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
}

async fn a_newer_reset_link_ends_older_ones(db: Db) {
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.create_password_reset(a, "old", Duration::hours(1))
        .await
        .unwrap();
    db.create_password_reset(b, "other", Duration::hours(1))
        .await
        .unwrap();
    db.create_password_reset(a, "new", Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        db.password_reset_member("old").await.unwrap(),
        Err(TokenUse::Expired),
        "asking again ends the older link"
    );
    assert_eq!(db.password_reset_member("other").await.unwrap(), Ok(b));
    assert_eq!(
        db.complete_password_reset("old", "$stolen").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    assert_eq!(
        db.complete_password_reset("new", "$new").await.unwrap(),
        Ok(a)
    );
    assert_eq!(
        db.password_reset_member("other").await.unwrap(),
        Ok(b),
        "only the member's own links end"
    );
}

async fn registrations_create_the_account_once(db: Db) {
    let t = tree(&db).await;
    let pending = |email: &str| RegistrationRow {
        email: email.to_owned(),
        name: "Nouvelle".to_owned(),
        password_hash: "$argon2id$new".to_owned(),
    };
    db.create_registration("g1", &pending("new@exemple.fr"), Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        db.registration_email("g1").await.unwrap(),
        Ok("new@exemple.fr".to_owned())
    );
    assert_eq!(
        db.registration_email("nope").await.unwrap(),
        Err(TokenUse::Unknown)
    );
    assert!(
        db.member_by_email(&Email::parse("new@exemple.fr").unwrap())
            .await
            .unwrap()
            .is_none(),
        "no account before the link is used"
    );
    let member = db
        .complete_registration("g1", Some(t.national))
        .await
        .unwrap()
        .expect("created");
    let row = db.member(member).await.unwrap().unwrap();
    assert_eq!(
        (
            row.email.as_str(),
            row.name.as_str(),
            row.password_hash.as_deref()
        ),
        ("new@exemple.fr", "Nouvelle", Some("$argon2id$new"))
    );
    assert_eq!(
        db.role_in(member, t.national).await.unwrap(),
        Some(Role::Supporter)
    );
    assert_eq!(
        db.registration_email("g1").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    assert_eq!(
        db.complete_registration("g1", Some(t.national))
            .await
            .unwrap(),
        Err(RegistrationRefusal::Link(TokenUse::AlreadyUsed))
    );
    // Without a national group, the account is made all the same, in no group.
    db.create_registration("g2", &pending("solo@exemple.fr"), Duration::hours(1))
        .await
        .unwrap();
    let solo = db.complete_registration("g2", None).await.unwrap().unwrap();
    assert!(db.memberships_of(solo).await.unwrap().is_empty());
    // The address got an account meanwhile: nothing changes, and the link stays unused.
    db.create_registration("g3", &pending("taken@exemple.fr"), Duration::hours(1))
        .await
        .unwrap();
    new_member(&db, "taken@exemple.fr", "Déjà").await;
    assert_eq!(
        db.complete_registration("g3", Some(t.national))
            .await
            .unwrap(),
        Err(RegistrationRefusal::AccountExists)
    );
    assert_eq!(
        db.registration_email("g3").await.unwrap(),
        Ok("taken@exemple.fr".to_owned())
    );
    // Expired.
    db.create_registration("g4", &pending("late@exemple.fr"), Duration::seconds(-1))
        .await
        .unwrap();
    assert_eq!(
        db.registration_email("g4").await.unwrap(),
        Err(TokenUse::Expired)
    );
    assert_eq!(
        db.complete_registration("g4", None).await.unwrap(),
        Err(RegistrationRefusal::Link(TokenUse::AlreadyUsed))
    );
    // Two uses at once: one account.
    db.create_registration("g5", &pending("twice@exemple.fr"), Duration::hours(1))
        .await
        .unwrap();
    let before = db.member_count().await.unwrap();
    let (first, second) = tokio::join!(
        db.complete_registration("g5", None),
        db.complete_registration("g5", None)
    );
    let results = [first.unwrap(), second.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(db.member_count().await.unwrap(), before + 1);
}

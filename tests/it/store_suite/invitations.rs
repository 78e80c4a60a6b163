//! Invitations: created, claimed once, listed for the group's managers, sent again (a new link
//! replacing the old) and withdrawn.

use atelier::model::{GroupId, MemberId, Role};
use atelier::store::{Db, TokenUse};
use time::Duration;

use super::{new_member, on_both_backends, tree};

on_both_backends!(
    invitations_are_claimed_once,
    pending_invitations_are_listed_newest_first,
    withdrawn_and_replaced_invitations_say_so,
);

/// Invites `email` as a member, by `by`, for `days` (expired when negative).
async fn invite(db: &Db, hash: &str, email: &str, group: GroupId, by: Option<MemberId>, days: i64) {
    db.create_invitation(hash, email, group, Role::Member, by, Duration::days(days))
        .await
        .unwrap();
}

async fn invitations_are_claimed_once(db: Db) {
    let t = tree(&db).await;
    let a = new_member(&db, "a@exemple.fr", "A").await;
    let b = new_member(&db, "b@exemple.fr", "B").await;
    db.set_membership(a, t.section, Role::Secretary)
        .await
        .unwrap();
    invite(&db, "h1", "a@exemple.fr", t.section, Some(b), 1).await;
    let invitation = db.invitation("h1").await.unwrap().unwrap();
    assert_eq!(
        (
            invitation.email.as_str(),
            invitation.group_id,
            invitation.role,
            invitation.invited_by
        ),
        ("a@exemple.fr", t.section, Role::Member, Some(b))
    );
    assert!(invitation.used_at.is_none() && invitation.withdrawn_reason.is_none());
    db.accept_invitation(invitation.invitation_id, a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.role_in(a, t.section).await.unwrap(),
        Some(Role::Secretary),
        "an invitation never lowers a role"
    );
    assert!(matches!(
        db.invitation("h1").await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    ));
    assert!(matches!(
        db.invitation("nope").await.unwrap(),
        Err(TokenUse::Unknown)
    ));
    assert_eq!(
        db.accept_invitation(invitation.invitation_id, b)
            .await
            .unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    // Two acceptances at once: exactly one wins, and the membership is there.
    invite(&db, "h2", "b@exemple.fr", t.other, None, 1).await;
    let id = db.invitation("h2").await.unwrap().unwrap().invitation_id;
    let (first, second) = tokio::join!(db.accept_invitation(id, b), db.accept_invitation(id, b));
    let wins = [first.unwrap(), second.unwrap()]
        .iter()
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(wins, 1);
    assert_eq!(db.role_in(b, t.other).await.unwrap(), Some(Role::Member));
    // The accepted membership is in the member's cached scope at once.
    let scope = db.active_member_with_scope(b).await.unwrap().unwrap().2;
    assert!(scope.iter().any(|s| s.via_group_id == t.other));
    invite(&db, "h3", "c@exemple.fr", t.other, None, -1).await;
    assert!(matches!(
        db.invitation("h3").await.unwrap(),
        Err(TokenUse::Expired)
    ));
    let expired = db.pending_invitations(t.other, 10).await.unwrap()[0].invitation_id;
    assert_eq!(
        db.accept_invitation(expired, b).await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
}

async fn pending_invitations_are_listed_newest_first(db: Db) {
    let t = tree(&db).await;
    let sender = new_member(&db, "s@exemple.fr", "Sabine").await;
    let taker = new_member(&db, "t@exemple.fr", "T").await;
    invite(&db, "p1", "un@exemple.fr", t.section, Some(sender), 7).await;
    invite(&db, "p2", "deux@exemple.fr", t.section, None, -1).await;
    invite(&db, "p3", "trois@exemple.fr", t.section, Some(sender), -31).await;
    invite(&db, "p4", "quatre@exemple.fr", t.section, Some(sender), 7).await;
    invite(&db, "p5", "cinq@exemple.fr", t.other, Some(sender), 7).await;
    let accepted = db.invitation("p4").await.unwrap().unwrap().invitation_id;
    db.accept_invitation(accepted, taker)
        .await
        .unwrap()
        .unwrap();
    let pending = db.pending_invitations(t.section, 10).await.unwrap();
    let listed: Vec<(&str, Option<&str>)> = pending
        .iter()
        .map(|p| (p.email.as_str(), p.inviter_name.as_deref()))
        .collect();
    // Live and recently expired ones, newest first; not the long expired nor the accepted.
    assert_eq!(
        listed,
        vec![("deux@exemple.fr", None), ("un@exemple.fr", Some("Sabine"))]
    );
    assert!(
        pending
            .iter()
            .all(|p| p.group_id == t.section && p.role == Role::Member)
    );
    assert!(
        pending[0].expires_at < pending[0].created_at,
        "the expired one is listed"
    );
    assert_eq!(db.pending_invitations(t.section, 1).await.unwrap().len(), 1);
    assert!(
        db.pending_invitations(t.federation, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // One of them, through its own group only, expired ones included, accepted ones not.
    let one = pending[1].invitation_id;
    let found = db
        .pending_invitation(t.section, one)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.email.as_str(), found.invited_by),
        ("un@exemple.fr", Some(sender))
    );
    assert!(db.pending_invitation(t.other, one).await.unwrap().is_none());
    assert!(
        db.pending_invitation(t.section, pending[0].invitation_id)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        db.pending_invitation(t.section, accepted)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.pending_invitation(t.section, 999_999)
            .await
            .unwrap()
            .is_none()
    );
}

async fn withdrawn_and_replaced_invitations_say_so(db: Db) {
    let t = tree(&db).await;
    let sender = new_member(&db, "s@exemple.fr", "Sabine").await;
    let again = new_member(&db, "r@exemple.fr", "Rémi").await;
    let taker = new_member(&db, "w@exemple.fr", "W").await;
    invite(&db, "w1", "w@exemple.fr", t.section, Some(sender), 7).await;
    let id = db.invitation("w1").await.unwrap().unwrap().invitation_id;
    assert!(
        !db.withdraw_invitation(t.other, id).await.unwrap(),
        "not of that group"
    );
    assert!(db.withdraw_invitation(t.section, id).await.unwrap());
    assert!(
        !db.withdraw_invitation(t.section, id).await.unwrap(),
        "withdrawn once"
    );
    assert!(matches!(
        db.invitation("w1").await.unwrap(),
        Err(TokenUse::Withdrawn)
    ));
    assert_eq!(
        db.accept_invitation(id, taker).await.unwrap(),
        Err(TokenUse::AlreadyUsed)
    );
    assert!(
        db.pending_invitation(t.section, id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.replace_invitation(t.section, id, "w1b", again, Duration::days(7))
            .await
            .unwrap()
            .is_none()
    );

    // Sent again: a new link to the same address, with the same role, from its new sender.
    db.create_invitation(
        "r1",
        "x@exemple.fr",
        t.section,
        Role::Secretary,
        Some(sender),
        Duration::days(-2),
    )
    .await
    .unwrap();
    let old = db.pending_invitations(t.section, 10).await.unwrap()[0].invitation_id;
    assert!(
        db.replace_invitation(t.other, old, "r2", again, Duration::days(7))
            .await
            .unwrap()
            .is_none()
    );
    let new = db
        .replace_invitation(t.section, old, "r2", again, Duration::days(7))
        .await
        .unwrap()
        .expect("replaced");
    assert_ne!(new, old);
    assert!(matches!(
        db.invitation("r1").await.unwrap(),
        Err(TokenUse::Replaced)
    ));
    let live = db.invitation("r2").await.unwrap().unwrap();
    assert_eq!(
        (
            live.invitation_id,
            live.email.as_str(),
            live.role,
            live.invited_by
        ),
        (new, "x@exemple.fr", Role::Secretary, Some(again))
    );
    let pending: Vec<i64> = db
        .pending_invitations(t.section, 10)
        .await
        .unwrap()
        .iter()
        .map(|p| p.invitation_id)
        .collect();
    assert_eq!(pending, vec![new], "the old one is no longer pending");
    assert!(
        db.replace_invitation(t.section, old, "r3", again, Duration::days(7))
            .await
            .unwrap()
            .is_none()
    );

    // An acceptance and a withdrawal at once: one wins.
    invite(&db, "race", "w@exemple.fr", t.other, None, 7).await;
    let race = db.invitation("race").await.unwrap().unwrap().invitation_id;
    let (accepted, withdrawn) = tokio::join!(
        db.accept_invitation(race, taker),
        db.withdraw_invitation(t.other, race)
    );
    assert!(accepted.unwrap().is_ok() != withdrawn.unwrap());
}

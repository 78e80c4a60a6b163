//! What one member can make the server hold: amendments filed on a text are bounded per member
//! (the attack: filing until refused), and the others file on as before.

use serde_json::json;

use crate::amendments::{ORIGINAL, range_of, start};
use crate::harness::Backend;
use atelier::amendments::MAX_PER_MEMBER;

async fn one_member_cannot_flood_a_text(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let trains = range_of(ORIGINAL, "trains de nuit");
    let filing = |i: i64| {
        json!({"start": trains.start, "end": trains.end,
               "replacement": format!("trains numéro {i}"), "rationale": "Encore."})
    };
    for i in 0..MAX_PER_MEMBER {
        let (status, body) = f.file(&f.bob, filing(i)).await;
        assert_eq!(status, 201, "filing {i}: {body}");
    }
    let (status, body) = f.file(&f.bob, filing(MAX_PER_MEMBER)).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("{MAX_PER_MEMBER} amendements"))),
        "{body}"
    );
    // Only the culprit is refused.
    let (status, body) = f.file(&f.alice, filing(0)).await;
    assert_eq!(status, 201, "{body}");
    let listed = f
        .bob
        .get_json(&format!("/api/v1/texts/{}/amendments", f.id), 200)
        .await;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(usize::try_from(MAX_PER_MEMBER).unwrap()),
        "Bob's drafts (Alice's is hers)"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn one_member_cannot_flood_a_text_on_sqlite() {
    one_member_cannot_flood_a_text(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn one_member_cannot_flood_a_text_on_postgres() {
    one_member_cannot_flood_a_text(Backend::Postgres).await;
}

//! A text's rules for amendments, enforced (issue 13, point 4): the minimum of women among an
//! amendment's supporters, counted from a private, self-declared field of the members' own
//! profiles — declared only by each member for themself, never shown to anyone else nor
//! exported —; the organisers' count on the amendment's page; screening refused (409) while a
//! minimum is not met, naming how many are missing.

use atelier::model::{EventKind, GroupKind, Role, Visibility};
use serde_json::{Value, json};

use crate::amendments::{Fixture, ORIGINAL, start};
use crate::harness::{Backend, Browser};

pub async fn signed_in(f: &Fixture, email: &str) -> Browser {
    let browser = f.app.browser();
    let response = browser.login(email).await;
    assert_eq!(response.status().as_u16(), 303, "{email} signs in");
    browser
}

pub async fn post(
    browser: &Browser,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let response = browser.submit(from, to, fields).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The profile form as its owner sends it, with `gender`.
fn profile_fields<'a>(name: &'a str, gender: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("functions", ""),
        ("mandates", ""),
        ("profile_visibility", "groups"),
        ("gender", gender),
    ]
}

async fn gender_is_private_and_declared_only_for_oneself(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let me = f.alice.get_json("/api/v1/me", 200).await;
    assert_eq!(me["gender"], Value::Null, "« ne pas préciser » by default");
    let alice_id = me["id"].as_str().expect("id").to_owned();

    // Declared through the API, for oneself.
    let response = f
        .alice
        .patch("/api/v1/me", json!({"gender": "woman"}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["gender"], json!("woman"), "{me}");
    // Nonsense is refused naming the field, and changes nothing.
    let response = f
        .alice
        .patch("/api/v1/me", json!({"gender": "femme"}))
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let refused: Value = response.json().await.unwrap();
    assert!(refused["fields"]["gender"].is_string(), "{refused}");
    // Other fields leave it as it is.
    let response = f
        .alice
        .patch("/api/v1/me", json!({"name": "Alice R."}))
        .await;
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["gender"], json!("woman"), "unchanged: {me}");

    // The attack: Bob tries to declare for Alice, through the API and through her form.
    let response = f
        .bob
        .patch(
            "/api/v1/me",
            json!({"gender": "man", "member_id": alice_id, "id": alice_id}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200, "only his own changes");
    assert_eq!(
        f.alice.get_json("/api/v1/me", 200).await["gender"],
        json!("woman")
    );
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let alice_page = format!("/members/{alice_id}");
    let (status, _) = post(
        &bob,
        &alice_page,
        &format!("{alice_page}/profile"),
        &profile_fields("Alice", "man"),
    )
    .await;
    assert_eq!(status, 403, "nobody declares for another member");
    assert_eq!(
        f.alice.get_json("/api/v1/me", 200).await["gender"],
        json!("woman")
    );

    // Nobody else learns it: not through her profile, page or API, nor through the exports of
    // an amendment she signed.
    let seen = f
        .bob
        .get_json(&format!("/api/v1/members/{alice_id}"), 200)
        .await;
    assert!(seen.get("gender").is_none(), "{seen}");
    assert!(!seen.to_string().contains("woman"), "{seen}");
    let (status, html) = bob.get_text(&alice_page).await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("name=\"gender\"") && !html.contains("Femme"),
        "{html}"
    );
    let filed = f.file_on(&f.bob, "trains de nuit", "trains de jour").await;
    assert_eq!(
        f.act(&f.alice, &filed["id"], "support", json!({})).await.0,
        200
    );
    for export in ["amendments.csv", "amendments.json"] {
        for who in [&f.bob, &f.olga, &f.alice] {
            let response = who.get(&format!("/api/v1/texts/{}/{export}", f.id)).await;
            assert_eq!(response.status().as_u16(), 200);
            let body = response.text().await.unwrap();
            assert!(body.contains("Alice"), "she is named: {body}");
            assert!(
                !body.contains("woman") && !body.contains("gender") && !body.contains("femme"),
                "{export}: {body}"
            );
        }
    }
    let listed = f
        .olga
        .get_json(
            &format!("/api/v1/amendments/{}", filed["id"].as_str().unwrap()),
            200,
        )
        .await;
    assert!(!listed.to_string().contains("woman"), "{listed}");

    // Her own profile page offers the choice, « ne pas préciser » first, hers checked.
    let alice = signed_in(&f, "alice@exemple.fr").await;
    let (_, html) = alice.get_text(&alice_page).await;
    assert!(html.contains("Ne pas préciser"), "{html}");
    assert!(
        html.contains("id=\"field-gender-woman\" name=\"gender\" value=\"woman\" checked"),
        "{html}"
    );
    // Withdrawn through the form: back to « ne pas préciser ».
    let (status, _) = post(
        &alice,
        &alice_page,
        &format!("{alice_page}/profile"),
        &profile_fields("Alice", ""),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        f.alice.get_json("/api/v1/me", 200).await["gender"],
        Value::Null
    );
    f.app.stop().await;
}

#[tokio::test]
async fn gender_is_private_and_declared_only_for_oneself_on_sqlite() {
    gender_is_private_and_declared_only_for_oneself(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn gender_is_private_and_declared_only_for_oneself_on_postgres() {
    gender_is_private_and_declared_only_for_oneself(Backend::Postgres).await;
}

async fn admissible_needs_the_minimum_of_women_among_supporters(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    // The author is a woman: she does not count (supporters are the other members).
    let response = f
        .alice
        .patch("/api/v1/me", json!({"gender": "woman"}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let rules = format!("/api/v1/texts/{}/amendment_rules", f.id);
    let response = f
        .olga
        .put(
            &rules,
            json!({"filers": "group", "min_supporters": 2, "min_women": 1}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let filed = f
        .file_on(&f.alice, "trains de nuit", "trains de jour")
        .await;
    let id = &filed["id"];
    let admissible = json!({"status": "admissible"});

    assert_eq!(f.act(&f.bob, id, "support", json!({})).await.0, 200);
    let (status, refused) = f.act(&f.olga, id, "status", admissible.clone()).await;
    assert_eq!(status, 409, "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("1 soutien(s)") && message.contains("il en manque 1"),
        "{message}"
    );

    let carla = f.app.api_as("carla@exemple.fr").await;
    assert_eq!(f.act(&carla, id, "support", json!({})).await.0, 200);
    let (status, refused) = f.act(&f.olga, id, "status", admissible.clone()).await;
    assert_eq!(
        status, 409,
        "two supporters, no woman among them: {refused}"
    );
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("femmes") && message.contains("il en manque 1"),
        "{message}"
    );

    // The organiser's page counts the women against the minimums; a member's only supporters.
    let path = format!("/amendments/{}", id.as_str().unwrap());
    let olga = signed_in(&f, "olga@exemple.fr").await;
    let (_, html) = olga.get_text(&path).await;
    assert!(
        html.contains("2 soutien(s), dont 0 femme(s)"),
        "the organiser's count: {html}"
    );
    assert!(
        html.contains("Minimums pour la recevabilité : 2 soutien(s), dont 1 femme(s)."),
        "{html}"
    );
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let (_, html) = bob.get_text(&path).await;
    assert!(html.contains("2 soutiens"), "{html}");
    assert!(
        !html.contains("femme"),
        "a member sees no count of women: {html}"
    );

    // Carla declares herself a woman on her own profile: now it is admissible.
    let carla_page = signed_in(&f, "carla@exemple.fr").await;
    let carla_id = carla.get_json("/api/v1/me", 200).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let profile = format!("/members/{carla_id}");
    let (status, html) = post(
        &carla_page,
        &profile,
        &format!("{profile}/profile"),
        &profile_fields("Carla Santé", "woman"),
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let (_, html) = olga.get_text(&path).await;
    assert!(html.contains("2 soutien(s), dont 1 femme(s)"), "{html}");
    let (status, admitted) = f.act(&f.olga, id, "status", admissible).await;
    assert_eq!((status, &admitted["status"]), (200, &json!("admissible")));
    f.app.stop().await;
}

#[tokio::test]
async fn admissible_needs_the_minimum_of_women_among_supporters_on_sqlite() {
    admissible_needs_the_minimum_of_women_among_supporters(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn admissible_needs_the_minimum_of_women_among_supporters_on_postgres() {
    admissible_needs_the_minimum_of_women_among_supporters(Backend::Postgres).await;
}

/// Setting a text's rules is an event of the outbox (who, when, the new rules), through the API
/// and through the organisers' form on the text's list of amendments — a form that members do
/// not get, whose errors come back next to their fields.
async fn rules_changes_are_events_and_organisers_have_a_form(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let db = f.app.app.db.clone();
    let since = db.last_event_position().await.unwrap();
    let api = format!("/api/v1/texts/{}/amendment_rules", f.id);
    let response = f
        .olga
        .put(
            &api,
            json!({"filers": "party", "min_supporters": 3, "min_women": 1,
                   "closes_at": "2031-05-01T12:00:00Z"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);

    let list = format!("/texts/{}/amendments", f.id);
    let form = format!("{list}/rules");
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let (_, html) = bob.get_text(&list).await;
    assert!(!html.contains(&form), "no rules form for a member");
    let (status, _) = post(&bob, &list, &form, &[("filers", "group")]).await;
    assert_eq!(status, 403, "nor its post");

    let olga = signed_in(&f, "olga@exemple.fr").await;
    let (_, html) = olga.get_text(&list).await;
    assert!(html.contains(&format!("action=\"{form}\"")), "{html}");
    assert!(
        html.contains("value=\"2031-05-01 12:00\""),
        "the window as stored: {html}"
    );
    // Nonsense comes back next to its field, what was typed kept, nothing stored.
    let (status, html) = post(
        &olga,
        &list,
        &form,
        &[
            ("opens_at", "demain"),
            ("closes_at", ""),
            ("min_supporters", "2"),
            ("min_women", "1"),
            ("filers", "group"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("AAAA-MM-JJ HH:MM (en UTC)"), "{html}");
    assert!(html.contains("value=\"demain\""), "{html}");
    let (status, html) = post(
        &olga,
        &list,
        &form,
        &[
            ("min_supporters", "1"),
            ("min_women", "2"),
            ("filers", "group"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("Le minimum de femmes parmi les soutiens va de 0 au minimum de soutiens."),
        "{html}"
    );
    // Saved: back to the list, the flash, the API's rules, and the event.
    let (status, _) = post(
        &olga,
        &list,
        &form,
        &[
            ("opens_at", "2030-01-02 08:00"),
            ("closes_at", "2030-02-01T18:30"),
            ("min_supporters", "4"),
            ("min_women", "2"),
            ("rationale_required", "1"),
            ("filers", "group"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = olga.get_text(&list).await;
    assert!(
        html.contains("Règles des amendements enregistrées."),
        "{html}"
    );
    let set = f.bob.get_json(&api, 200).await;
    assert_eq!(
        set,
        json!({"opens_at": "2030-01-02T08:00:00Z", "closes_at": "2030-02-01T18:30:00Z",
               "min_supporters": 4, "min_women": 2, "rationale_required": true,
               "filers": "group"})
    );

    let events: Vec<_> = db
        .events_after(since, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::TextAmendmentRulesSet)
        .collect();
    assert_eq!(
        events.len(),
        2,
        "the PUT and the form, nothing refused: {events:?}"
    );
    assert!(events[0].position < events[1].position, "in order");
    for event in &events {
        assert_eq!(
            (event.text_id, event.group_id, event.actor_id),
            (Some(f.text), Some(f.theme), Some(f.olga_id))
        );
    }
    assert_eq!(
        events[0].payload,
        json!({"opens_at": null, "closes_at": "2031-05-01T12:00:00Z", "min_supporters": 3,
               "min_women": 1, "rationale_required": false, "filers": "party"})
    );
    assert_eq!(
        events[1].payload, set,
        "the new rules, as the API gives them"
    );
    f.app.stop().await;
}

#[tokio::test]
async fn rules_changes_are_events_and_organisers_have_a_form_on_sqlite() {
    rules_changes_are_events_and_organisers_have_a_form(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn rules_changes_are_events_and_organisers_have_a_form_on_postgres() {
    rules_changes_are_events_and_organisers_have_a_form(Backend::Postgres).await;
}

/// Posts `to` from the amendment's page `path` and follows the 303 back: the page's HTML.
async fn refused_back_to(
    browser: &Browser,
    path: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> String {
    let (status, body) = post(browser, path, to, fields).await;
    assert_eq!(status, 303, "{to}: a refusal goes back to the page: {body}");
    let (status, html) = browser.get_text(path).await;
    assert_eq!(status, 200);
    html
}

/// The no-JavaScript forms of an amendment's page answer a refusal with the page again (303)
/// and the reason as its flash, in the member's language; the API keeps its statuses.
async fn refused_actions_come_back_to_the_page_saying_why(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let response = f
        .olga
        .put(
            &format!("/api/v1/texts/{}/amendment_rules", f.id),
            json!({"filers": "group", "min_supporters": 2}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let filed = f
        .file_on(&f.alice, "trains de nuit", "trains de jour")
        .await;
    let id = filed["id"].as_str().unwrap().to_owned();
    let path = format!("/amendments/{id}");
    let alice = signed_in(&f, "alice@exemple.fr").await;
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let olga = signed_in(&f, "olga@exemple.fr").await;
    let refused = |html: &str, reason: &str| {
        assert!(
            html.contains("Action refusée : ") && html.contains(reason),
            "{reason}: {html}"
        );
    };

    // The attack: supporting one's own amendment by posting the form.
    let html = refused_back_to(&alice, &path, &format!("{path}/support"), &[]).await;
    refused(&html, "On ne soutient pas son propre amendement");
    assert!(html.contains("0 soutien"), "nothing changed");
    // Withdrawing a support never given.
    let html = refused_back_to(&bob, &path, &format!("{path}/unsupport"), &[]).await;
    refused(&html, "Vous ne soutenez pas l'amendement 1");
    // Supporting twice.
    assert_eq!(
        post(&bob, &path, &format!("{path}/support"), &[]).await.0,
        303
    );
    let html = refused_back_to(&bob, &path, &format!("{path}/support"), &[]).await;
    refused(&html, "Vous soutenez déjà l'amendement 1.");
    // Submitting or withdrawing another's amendment.
    let html = refused_back_to(&bob, &path, &format!("{path}/submit"), &[]).await;
    refused(&html, "Seul·e l'auteur·rice d'un amendement le dépose.");
    let html = refused_back_to(&bob, &path, &format!("{path}/withdraw"), &[]).await;
    refused(&html, "Seul·e l'auteur·rice d'un amendement le retire.");
    // Screening without the right: the generic refusal, in the member's language.
    let html = refused_back_to(
        &bob,
        &path,
        &format!("{path}/status"),
        &[("status", "admissible"), ("reason", "")],
    )
    .await;
    refused(
        &html,
        "vous n'avez pas les droits nécessaires pour cette action.",
    );
    assert_eq!(bob.get("/lang/en?next=/").await.status().as_u16(), 303);
    let html = refused_back_to(
        &bob,
        &path,
        &format!("{path}/status"),
        &[("status", "admissible"), ("reason", "")],
    )
    .await;
    assert!(
        html.contains("Action refused: you do not have the rights needed for this action."),
        "{html}"
    );
    // Screening it admissible with one supporter of the two required; merging it unadopted.
    let html = refused_back_to(
        &olga,
        &path,
        &format!("{path}/status"),
        &[("status", "admissible"), ("reason", "")],
    )
    .await;
    refused(&html, "il en manque 1");
    let html = refused_back_to(&olga, &path, &format!("{path}/merge"), &[]).await;
    refused(&html, "L'amendement 1");
    // Nothing of it happened, and the API still answers with its statuses.
    let (status, body) = f
        .act(
            &f.olga,
            &filed["id"],
            "status",
            json!({"status": "admissible"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        f.act(&f.alice, &filed["id"], "support", json!({})).await.0,
        409
    );
    assert_eq!(
        f.act(&f.bob, &filed["id"], "withdraw", json!({})).await.0,
        403
    );
    let now = f
        .alice
        .get_json(&format!("/api/v1/amendments/{id}"), 200)
        .await;
    assert_eq!(now["status"], json!("submitted"));
    assert_eq!(now["supporters"], json!([f.bob_id.to_string()]));
    f.app.stop().await;
}

#[tokio::test]
async fn refused_actions_come_back_to_the_page_saying_why_on_sqlite() {
    refused_actions_come_back_to_the_page_saying_why(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn refused_actions_come_back_to_the_page_saying_why_on_postgres() {
    refused_actions_come_back_to_the_page_saying_why(Backend::Postgres).await;
}

/// The no-JavaScript filing form's fields, submitted at once, for `group` (empty: oneself).
fn filing_fields(group: &str) -> Vec<(&str, &str)> {
    vec![
        ("paragraph", "2"),
        ("replacement", "Nous voulons des trains de jour partout."),
        ("rationale", "La section le demande."),
        ("action", "submit"),
        ("on_behalf_of", group),
    ]
}

/// A section's secretary files from the page on behalf of their section, which is then shown
/// as the author on the page, in the list and in the exports; a forged group is refused.
async fn secretaries_file_for_their_section_from_the_page(backend: Backend) {
    let Some(f) = start(backend, ORIGINAL).await else {
        return;
    };
    let (federation, lyon) = f
        .app
        .federation_and_section("Fédération du Rhône", "Section Lyon 1er")
        .await;
    let lille = f
        .app
        .group(
            GroupKind::Section,
            "Section Lille",
            federation,
            Visibility::Public,
        )
        .await;
    f.app.grant(f.bob_id, lyon, Role::Secretary).await;
    f.app.grant(f.bob_id, lille, Role::Member).await;
    let new = format!("/texts/{}/amendments/new", f.id);
    let form = format!("{new}?paragraph=2");

    // Bob is offered himself and Lyon, where he is secretary; not Lille, where he is a member.
    let bob = signed_in(&f, "bob@exemple.fr").await;
    let (status, html) = bob.get_text(&form).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Déposer au nom de :"), "{html}");
    assert!(
        html.contains("name=\"on_behalf_of\" value=\"\" checked"),
        "himself by default: {html}"
    );
    assert!(html.contains(&format!("value=\"{lyon}\"")) && html.contains("Section Lyon 1er"));
    assert!(!html.contains("Section Lille"), "{html}");
    // Alice is secretary of nothing: no choice.
    let alice = signed_in(&f, "alice@exemple.fr").await;
    let (_, html) = alice.get_text(&form).await;
    assert!(!html.contains("Déposer au nom de"), "{html}");

    // Forged: a section he is only a member of, junk, one Alice does not hold.
    let lille_id = lille.to_string();
    let lyon_id = lyon.to_string();
    let lyon_id = lyon_id.as_str();
    for (who, group) in [
        (&bob, lille_id.as_str()),
        (&bob, "abc"),
        (&bob, "999999"),
        (&alice, lyon_id),
    ] {
        let (status, html) = post(who, &form, &new, &filing_fields(group)).await;
        assert_eq!(status, 422, "{group}: {html}");
        assert!(
            html.contains("au nom d'une section ou fédération dont vous êtes secrétaire"),
            "{html}"
        );
        assert!(html.contains("trains de jour"), "what was typed is kept");
    }
    assert!(f.list(&f.bob, "").await.is_empty(), "nothing filed");

    // For Lyon: the section is the author everywhere.
    let (status, _) = post(&bob, &form, &new, &filing_fields(lyon_id)).await;
    assert_eq!(status, 303);
    let listed = f.list(&f.bob, "").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["on_behalf_of"], json!(lyon_id));
    let path = format!("/amendments/{}", listed[0]["id"].as_str().unwrap());
    for who in [&bob, &alice] {
        let (_, html) = who.get_text(&path).await;
        assert!(html.contains("déposé au nom de Section Lyon 1er"), "{html}");
    }
    let (_, html) = alice.get_text(&format!("/texts/{}/amendments", f.id)).await;
    assert!(html.contains("Section Lyon 1er"), "in the list: {html}");
    let csv = f
        .alice
        .get(&format!("/api/v1/texts/{}/amendments.csv", f.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Section Lyon 1er"), "{csv}");
    f.app.stop().await;
}

#[tokio::test]
async fn secretaries_file_for_their_section_from_the_page_on_sqlite() {
    secretaries_file_for_their_section_from_the_page(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn secretaries_file_for_their_section_from_the_page_on_postgres() {
    secretaries_file_for_their_section_from_the_page(Backend::Postgres).await;
}

//! The main pages, in French (default) and English, snapshotted with insta (tokens and dates
//! redacted), on the demo party.

use crate::harness::{Browser, TestApp};

/// Filters that make a page stable across runs: CSRF tokens, dates, the server's port.
fn settings(app: &TestApp) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r#"content="[A-Za-z0-9_-]{43}""#, r#"content="[csrf]""#);
    settings.add_filter(r#"value="[A-Za-z0-9_-]{43}""#, r#"value="[csrf]""#);
    settings.add_filter(r"\d{1,2}(er)? [a-zéû]+ \d{4} à \d{1,2} h \d{2}", "[date]");
    settings.add_filter(r"\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}", "[date]");
    settings.add_filter(r#"datetime="[0-9T:Z-]+""#, r#"datetime="[date]""#);
    settings.add_filter(&regex_escape(&app.url), "[server]");
    // Asset URLs carry their file's hash (tests/it/assets.rs checks them): shown plain here, so
    // a change of the stylesheet does not touch every snapshot.
    settings.add_filter(r"(/assets/[a-z]+)\.[0-9a-f]{16}(\.[a-z]+)", "$1$2");
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

async fn demo_app() -> TestApp {
    let app = TestApp::start().await;
    assert!(atelier::demo::load(&app.app.db).await.unwrap());
    app
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    let r = browser
        .submit(
            "/login",
            "/login",
            &[("email", email), ("password", atelier::demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303, "demo sign-in of {email}");
    browser
}

async fn section_id(app: &TestApp, name: &str) -> String {
    let groups = app.api().get_json("/api/v1/groups?kind=section", 200).await;
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .expect("demo section")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn pages_are_french_by_default_and_english_on_request() {
    let app = demo_app().await;
    let (status, page) = app.browser().get_text("/").await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"fr\""));
    assert!(page.contains("Se connecter"));

    let english = app
        .get("/")
        .header("accept-language", "en-GB,en;q=0.9,fr;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("Sign in"));

    // The switch sets a cookie that wins over the browser's languages, and comes back.
    let browser = app.browser();
    let r = browser.get("/lang/en?next=/groups").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/groups");
    let (_, groups) = browser.get_text("/groups").await;
    assert!(groups.contains("<html lang=\"en\""));
    let r = browser.get("/lang/en?next=https://ailleurs.example/").await;
    assert_eq!(r.headers()["location"], "/", "never an open redirect");
    assert_eq!(browser.get("/lang/de").await.status(), 404);

    // Assets come from the binary.
    let css = app.get("/assets/atelier.css").send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        !css.text().await.unwrap().contains("http"),
        "no other origin"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_group_activity_is_shown_only_to_those_who_see_its_directory() {
    let app = demo_app().await;
    let lille = section_id(&app, "Lille-Centre").await;
    let (_, visitor) = app.browser().get_text(&format!("/groups/{lille}")).await;
    assert!(
        !visitor.contains("Récemment dans ce groupe"),
        "the activity names members"
    );
    let member = signed_in(&app, "adherente@exemple.fr").await;
    let (_, page) = member.get_text(&format!("/groups/{lille}")).await;
    assert!(page.contains("Récemment dans ce groupe"));
    assert!(page.contains("a rejoint Lille-Centre"));
    app.stop().await;
}

#[tokio::test]
async fn snapshots_of_the_main_pages() {
    let app = demo_app().await;
    let lille = section_id(&app, "Lille-Centre").await;
    let visitor = app.browser();
    let member = signed_in(&app, "adherente@exemple.fr").await;
    let secretary = signed_in(&app, "secretaire@exemple.fr").await;
    let admin = signed_in(&app, "admin@exemple.fr").await;
    let pages = [
        ("home_visitor", visitor.get_text("/").await),
        ("login", visitor.get_text("/login").await),
        ("groups_visitor", visitor.get_text("/groups").await),
        (
            "group_section_visitor",
            visitor.get_text(&format!("/groups/{lille}")).await,
        ),
        ("home_member", member.get_text("/").await),
        (
            "group_section_member",
            member.get_text(&format!("/groups/{lille}")).await,
        ),
        (
            "directory_member",
            member.get_text(&format!("/groups/{lille}/members")).await,
        ),
        (
            "manage_section_secretary",
            secretary.get_text(&format!("/groups/{lille}/manage")).await,
        ),
        ("admin", admin.get_text("/admin").await),
        ("not_found", visitor.get_text("/nulle-part").await),
    ];
    let settings = settings(&app);
    for (name, (status, html)) in pages {
        assert!(status == 200 || name == "not_found", "{name}: {status}");
        settings.bind(|| insta::assert_snapshot!(name, html));
    }
    app.stop().await;
}

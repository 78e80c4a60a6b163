//! A newcomer's way to the texts (issue 11, point 4): an accepted invitation lands on a welcome
//! page listing the texts being drafted, each with « Lire » and « Contribuer »; the home page
//! leads with the member's work and what changed since their last visit; a reader who may not
//! write is told why, with the one button that fixes it when there is one. On both backends.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Api, Backend, Browser, PASSWORD, TestApp};
use atelier::model::{GroupId, GroupKind, MemberId, Role, Visibility};

/// A party: a section with a secretary and a drafting motion, a public theme with a drafting
/// chapter (« Hôpital public »), an amended chapter and a wiki page, another theme, and a
/// national admin who writes them.
pub struct Party {
    pub app: TestApp,
    pub section: GroupId,
    pub theme: GroupId,
    pub admin: Api,
    pub section_text: String,
    pub theme_text: String,
    pub amending_text: String,
    pub wiki_text: String,
}

pub async fn party(backend: Backend) -> Option<Party> {
    let app = TestApp::start_with(backend, |_| {}).await?;
    let national = app.national().await;
    let (_, section) = app
        .federation_and_section("Fédération du Nord", "Lille-Centre")
        .await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    app.group(GroupKind::Theme, "Culture", national, Visibility::Public)
        .await;
    let admin_id = app.member("admin@exemple.fr", "Ada Admin").await;
    app.grant(admin_id, national, Role::Admin).await;
    let secretary = app
        .member("secretaire@exemple.fr", "Sacha Secrétaire")
        .await;
    app.grant(secretary, section, Role::Secretary).await;
    let admin = app.api_as("admin@exemple.fr").await;
    let theme_text = admin.create_text(theme, "Hôpital public").await;
    let amending_text = admin.create_text(theme, "Déserts médicaux").await;
    let r = admin
        .post(
            &format!("/api/v1/texts/{amending_text}/status"),
            json!({ "status": "amending" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let wiki = admin
        .post(
            "/api/v1/texts",
            json!({ "group_id": theme.to_string(), "title": "Lexique", "kind": "wiki" }),
        )
        .await;
    assert_eq!(wiki.status(), 201);
    let wiki_text = wiki.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Created last: the most recently changed text of the new member's groups.
    let section_text = admin.create_text(section, "Motion de la section").await;
    Some(Party {
        app,
        section,
        theme,
        admin,
        section_text,
        theme_text,
        amending_text,
        wiki_text,
    })
}

/// The list item (`<li class="work-item">…</li>`) of the text whose page is `/texts/{id}`.
fn work_item<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let link = format!("href=\"/texts/{id}\"");
    let at = html.find(&link)?;
    let start = html[..at].rfind("<li class=\"work-item\">")?;
    let end = at + html[at..].find("</li>")?;
    Some(&html[start..end])
}

/// Accepts an invitation to the section as a new account; the browser is then signed in.
async fn invited_newcomer(p: &Party, email: &str) -> (Browser, reqwest::Response) {
    let secretary = p.app.api_as("secretaire@exemple.fr").await;
    let r = secretary
        .post(
            &format!("/api/v1/groups/{}/invitations", p.section),
            json!({ "email": email, "role": "member" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let path = p.app.last_mailed_path();
    let browser = p.app.browser();
    let r = browser
        .submit(
            &path,
            &path,
            &[
                ("name", "Nina Nouvelle"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    (browser, r)
}

async fn an_accepted_invitation_lands_on_the_texts_being_drafted(backend: Backend) {
    let Some(p) = party(backend).await else {
        return;
    };
    let (browser, r) = invited_newcomer(&p, "nina@exemple.fr").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/welcome");

    let (status, page) = browser.get_text("/welcome").await;
    assert_eq!(status, 200);
    assert!(page.contains("Bienvenue, Nina Nouvelle !"), "{page}");
    assert!(page.contains("Vous avez rejoint le groupe."), "the flash");
    assert!(page.contains("Vous faites maintenant partie de Lille-Centre."));
    // The section's motion, with « Lire » and « Contribuer » (the editor).
    let motion = work_item(&page, &p.section_text).expect("the section's motion is listed");
    assert!(motion.contains("Motion de la section") && motion.contains("Lille-Centre"));
    assert!(motion.contains(&format!("href=\"/texts/{}/edit\"", p.section_text)));
    assert!(motion.contains(">Lire<") && motion.contains(">Contribuer<"));
    // The open theme's chapter, after the section's: « Contribuer » leads to its editor, which
    // offers to join the theme.
    let chapter = work_item(&page, &p.theme_text).expect("the open theme's chapter is listed");
    assert!(chapter.contains("Hôpital public") && chapter.contains("Santé"));
    assert!(chapter.contains(&format!("href=\"/texts/{}/edit\"", p.theme_text)));
    assert!(page.find(motion) < page.find(chapter));
    // Neither a text no longer drafted nor a wiki page.
    assert!(work_item(&page, &p.amending_text).is_none());
    assert!(work_item(&page, &p.wiki_text).is_none());

    // The home page lists the section's motion first too, and the welcome page is the newcomer's
    // first visit: no "since your last visit" yet.
    let (_, home) = browser.get_text("/").await;
    assert!(work_item(&home, &p.section_text).is_some());
    assert!(home.contains("Récemment dans vos groupes"));
    assert!(!home.contains("Depuis votre dernière visite"));
    p.app.stop().await;
}

#[tokio::test]
async fn an_accepted_invitation_lands_on_the_texts_being_drafted_on_sqlite() {
    an_accepted_invitation_lands_on_the_texts_being_drafted(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn an_accepted_invitation_lands_on_the_texts_being_drafted_on_postgres() {
    an_accepted_invitation_lands_on_the_texts_being_drafted(Backend::Postgres).await;
}

/// Dates are stored to the second: waiting past the next second orders two writes.
async fn next_second() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

async fn the_home_page_leads_with_work_and_news_since_the_last_visit(backend: Backend) {
    let Some(p) = party(backend).await else {
        return;
    };
    let member = p.app.member("louise@exemple.fr", "Louise Michel").await;
    p.app.grant(member, p.section, Role::Member).await;
    p.app.grant(member, p.theme, Role::Member).await;
    let browser = p.app.browser();
    assert_eq!(browser.login("louise@exemple.fr").await.status(), 303);

    // A previous visit that ended after every text of the party was written, and a current
    // visit under way (its last view is in the future, so the page's own view writes nothing).
    next_second().await;
    let ended = atelier::store::now();
    let db = &p.app.app.db;
    db.record_visit(member, ended).await.unwrap();
    db.record_visit(member, ended + time::Duration::minutes(31))
        .await
        .unwrap();
    next_second().await;
    // Since then: a new chapter in the theme, and someone joined it.
    let fresh = p.admin.create_text(p.theme, "Santé mentale").await;
    let newcomer = p.app.member("paul@exemple.fr", "Paul Nouveau").await;
    p.app.grant(newcomer, p.section, Role::Member).await;
    let paul = p.app.api_as("paul@exemple.fr").await;
    let r = paul
        .post(&format!("/api/v1/groups/{}/join", p.theme), json!({}))
        .await;
    assert_eq!(r.status(), 200);

    let (status, home) = browser.get_text("/").await;
    assert_eq!(status, 200);
    let at = |needle: &str| {
        home.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {home}"))
    };
    assert!(at("Vos textes en cours d’écriture") < at("Depuis votre dernière visite"));
    assert!(at("Depuis votre dernière visite") < at("Vos thèmes"));
    assert!(at("Vos thèmes") < at("Vos groupes"));
    assert!(at("Vos groupes") < at("Thèmes à rejoindre"));
    // Her work: the drafting programme texts of her section and theme, each to read or write.
    let news = &home[at("Depuis votre dernière visite")..at("Vos thèmes")];
    let work = &home[..at("Depuis votre dernière visite")];
    for id in [&p.section_text, &p.theme_text, &fresh] {
        let item = work_item(work, id).unwrap_or_else(|| panic!("text {id} in {work}"));
        assert!(
            item.contains(&format!("href=\"/texts/{id}/edit\"")),
            "{item}"
        );
    }
    assert!(work_item(work, &p.amending_text).is_none());
    // What changed since her last visit is marked, and listed with what happened.
    let fresh_item = work_item(work, &fresh).unwrap();
    assert!(fresh_item.contains("Nouveau depuis votre dernière visite"));
    assert!(
        !work_item(work, &p.theme_text)
            .unwrap()
            .contains("Nouveau depuis votre dernière visite")
    );
    assert!(work_item(news, &fresh).is_some(), "{news}");
    assert!(work_item(news, &p.theme_text).is_none());
    assert!(news.contains("Paul Nouveau a rejoint Santé"), "{news}");

    // The page's view was not written down (the current visit's last view is recent), and the
    // visit as stored says where the news start.
    let visit = db.visit(member).await.unwrap();
    assert_eq!(visit.previous_visit_at, Some(ended));
    assert_eq!(visit.since(atelier::store::now()), Some(ended));
    p.app.stop().await;
}

#[tokio::test]
async fn the_home_page_leads_with_work_and_news_since_the_last_visit_on_sqlite() {
    the_home_page_leads_with_work_and_news_since_the_last_visit(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn the_home_page_leads_with_work_and_news_since_the_last_visit_on_postgres() {
    the_home_page_leads_with_work_and_news_since_the_last_visit(Backend::Postgres).await;
}

async fn signed_in(
    p: &Party,
    email: &str,
    name: &str,
    section_role: Option<Role>,
) -> (MemberId, Browser) {
    let id = p.app.member(email, name).await;
    if let Some(role) = section_role {
        p.app.grant(id, p.section, role).await;
    }
    let browser = p.app.browser();
    assert_eq!(browser.login(email).await.status(), 303);
    (id, browser)
}

const JOIN_BUTTON: &str = "Rejoindre ce thème pour modifier";

async fn a_reader_joins_the_theme_from_the_editor_or_is_told_why_not(backend: Backend) {
    let Some(p) = party(backend).await else {
        return;
    };
    let editor = format!("/texts/{}/edit", p.theme_text);
    let join = format!("/texts/{}/join", p.theme_text);

    // A party member of a section: the editor is read-only, says why, and offers the button.
    let (member, browser) =
        signed_in(&p, "louise@exemple.fr", "Louise Michel", Some(Role::Member)).await;
    let (status, page) = browser.get_text(&editor).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-readonly=\"true\""));
    assert!(page.contains("Pour le modifier, rejoignez le thème « Santé »"));
    assert!(page.contains(&format!("method=\"post\" action=\"{join}\"")));
    assert!(page.contains(JOIN_BUTTON));
    // The form is a real form: without the session's CSRF token it is refused.
    assert_eq!(browser.submit_without_token(&join, &[]).await.status(), 403);
    assert_eq!(p.app.app.db.role_in(member, p.theme).await.unwrap(), None);
    let r = browser.submit(&editor, &join, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], editor.as_str());
    assert_eq!(
        p.app.app.db.role_in(member, p.theme).await.unwrap(),
        Some(Role::Member)
    );
    let (_, page) = browser.get_text(&editor).await;
    assert!(page.contains("data-readonly=\"false\""), "now she writes");
    assert!(page.contains("Vous avez rejoint « Santé » : à vous d’écrire."));
    assert!(!page.contains(JOIN_BUTTON));
    // Again: nothing to do, back to the editor.
    assert_eq!(browser.submit(&editor, &join, &[]).await.status(), 303);

    // A supporter: told why, no button, and the form is refused.
    let (supporter, browser) = signed_in(
        &p,
        "sam@exemple.fr",
        "Sam Sympathisant",
        Some(Role::Supporter),
    )
    .await;
    let (_, page) = browser.get_text(&editor).await;
    assert!(page.contains("réservé aux adhérent·es du parti"), "{page}");
    assert!(!page.contains(JOIN_BUTTON) && !page.contains(&join));
    assert_eq!(browser.submit(&editor, &join, &[]).await.status(), 403);
    assert_eq!(
        p.app.app.db.role_in(supporter, p.theme).await.unwrap(),
        None
    );

    // A party member reading another section's motion: writing is for its members; no button.
    let other_section = p
        .app
        .group(
            GroupKind::Section,
            "Roubaix",
            p.app.national().await,
            Visibility::Public,
        )
        .await;
    let (outsider, browser) = signed_in(&p, "remi@exemple.fr", "Rémi Roubaix", None).await;
    p.app.grant(outsider, other_section, Role::Member).await;
    let motion_editor = format!("/texts/{}/edit", p.section_text);
    let (_, page) = browser.get_text(&motion_editor).await;
    assert!(
        page.contains("Seuls les membres de « Lille-Centre »"),
        "{page}"
    );
    assert!(!page.contains("Rejoindre ce"));
    let r = browser
        .submit(
            &motion_editor,
            &format!("/texts/{}/join", p.section_text),
            &[],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        p.app.app.db.role_in(outsider, p.section).await.unwrap(),
        None
    );

    // A text no longer drafted: its status is the reason, and joining would not help.
    let (_, browser) = signed_in(&p, "ines@exemple.fr", "Inès Autre", Some(Role::Member)).await;
    let (_, page) = browser
        .get_text(&format!("/texts/{}/edit", p.amending_text))
        .await;
    assert!(page.contains("il ne change plus que par des amendements"));
    assert!(!page.contains(JOIN_BUTTON));
    p.app.stop().await;
}

#[tokio::test]
async fn a_reader_joins_the_theme_from_the_editor_or_is_told_why_not_on_sqlite() {
    a_reader_joins_the_theme_from_the_editor_or_is_told_why_not(Backend::Sqlite).await;
}

#[ignore = "needs PostgreSQL: set ATELIER_TEST_DATABASE_URL (.ci/run does)"]
#[tokio::test]
async fn a_reader_joins_the_theme_from_the_editor_or_is_told_why_not_on_postgres() {
    a_reader_joins_the_theme_from_the_editor_or_is_told_why_not(Backend::Postgres).await;
}

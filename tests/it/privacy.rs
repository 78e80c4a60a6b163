//! Membership is private (issue 10, point 5): profiles are seen only by those who share a group
//! with the member (or as the member chose), walking ids learns nothing, and no answer tells
//! whether an address has an account.

use serde_json::{Value, json};

use crate::harness::{Api, Backend, Browser, TestApp};
use atelier::config::RegistrationMode;
use atelier::model::{GroupId, GroupKind, MemberId, Role, Visibility};

struct Members {
    app: TestApp,
    section: GroupId,
    other_section: GroupId,
    supporter: MemberId,
    neighbour: MemberId,
    stranger: MemberId,
    fedsec: MemberId,
    outsider: MemberId,
}

/// Two sections of one federation; a supporter and a member in the first, a member in the
/// second, the federation's secretary, an admin, and someone in no group.
async fn members() -> Members {
    members_with(RegistrationMode::InviteOnly).await
}

async fn members_with(registration: RegistrationMode) -> Members {
    let app = TestApp::start_with(Backend::Sqlite, |c| c.registration = registration)
        .await
        .expect("sqlite is always there");
    let national = app.national().await;
    let (federation, section) = app
        .federation_and_section("Fédération du Nord", "Lille-Centre")
        .await;
    let other_section = app
        .group(
            GroupKind::Section,
            "Roubaix",
            federation,
            Visibility::Public,
        )
        .await;
    let supporter = app.member("supporter@exemple.fr", "Sam Sympathisant").await;
    let neighbour = app.member("voisine@exemple.fr", "Valérie Voisine").await;
    let stranger = app.member("roubaix@exemple.fr", "Rémi Roubaix").await;
    let fedsec = app.member("fedsec@exemple.fr", "Farid Fédéral").await;
    let admin = app.member("admin@exemple.fr", "Ada Admin").await;
    let outsider = app.member("outsider@exemple.fr", "Olivier Dehors").await;
    app.grant(supporter, section, Role::Supporter).await;
    app.grant(neighbour, section, Role::Member).await;
    app.grant(stranger, other_section, Role::Member).await;
    app.grant(fedsec, federation, Role::Secretary).await;
    app.grant(admin, national, Role::Admin).await;
    Members {
        app,
        section,
        other_section,
        supporter,
        neighbour,
        stranger,
        fedsec,
        outsider,
    }
}

async fn status_and_body(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The ids (among 1..=max + 20) whose profile `api` gets; every other answer must be the same
/// 404, byte for byte, whether the id exists or not.
async fn walk_ids(api: &Api, max: i64) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut refusal: Option<String> = None;
    for id in (1..=max + 20).chain([0, -1, 999_999_999_999]) {
        let (status, body) = status_and_body(api.get(&format!("/api/v1/members/{id}")).await).await;
        match status {
            200 => seen.push(id),
            404 => match &refusal {
                None => refusal = Some(body),
                Some(first) => assert_eq!(&body, first, "the 404 of id {id} differs"),
            },
            other => panic!("GET /api/v1/members/{id}: {other} {body}"),
        }
    }
    seen
}

fn ids(members: &[MemberId]) -> Vec<i64> {
    let mut ids: Vec<i64> = members.iter().map(|m| m.0).collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn walking_member_ids_shows_only_those_who_share_a_group() {
    let m = members().await;
    let max = m.outsider.0;
    // A supporter: themself and the other member of their section, nobody else — not the
    // federation's secretary, not the other section, not the admin, not the outsider.
    let supporter = m.app.api_as("supporter@exemple.fr").await;
    assert_eq!(
        walk_ids(&supporter, max).await,
        ids(&[m.supporter, m.neighbour])
    );
    // A member of the other section sees only themself.
    let stranger = m.app.api_as("roubaix@exemple.fr").await;
    assert_eq!(walk_ids(&stranger, max).await, ids(&[m.stranger]));
    // Someone in no group sees only themself.
    let outsider = m.app.api_as("outsider@exemple.fr").await;
    assert_eq!(walk_ids(&outsider, max).await, ids(&[m.outsider]));
    // The federation's secretary sees the members of the sections they manage.
    let fedsec = m.app.api_as("fedsec@exemple.fr").await;
    assert_eq!(
        walk_ids(&fedsec, max).await,
        ids(&[m.supporter, m.neighbour, m.stranger, m.fedsec])
    );
    // The pages answer the same way: 404 for a hidden profile as for an unknown one.
    let browser = m.app.browser();
    assert_eq!(browser.login("supporter@exemple.fr").await.status(), 303);
    for (id, expected) in [
        (m.neighbour.0, 200),
        (m.stranger.0, 404),
        (m.fedsec.0, 404),
        (m.outsider.0, 404),
        (max + 7, 404),
    ] {
        let (status, page) = browser.get_text(&format!("/members/{id}")).await;
        assert_eq!(status, expected, "page /members/{id}");
        if expected == 404 {
            assert!(!page.contains("Roubaix") && !page.contains("Farid"));
        }
    }
    m.app.stop().await;
}

#[tokio::test]
async fn directories_list_only_the_group_own_members() {
    let m = members().await;
    let national = m.app.national().await;
    // A section's members do not browse the national party's list, nor a federation's.
    let supporter = m.app.api_as("supporter@exemple.fr").await;
    for group in [national, m.other_section] {
        let status = supporter
            .get(&format!("/api/v1/groups/{group}/members"))
            .await
            .status();
        assert_eq!(status, 403, "directory of {group}");
    }
    let own = supporter
        .get_json(&format!("/api/v1/groups/{}/members", m.section), 200)
        .await;
    assert_eq!(own["total"], 2);
    m.app.stop().await;
}

async fn patch_me(api: &Api, body: Value) -> reqwest::Response {
    api.client
        .patch(format!("{}/api/v1/me", api.url))
        .bearer_auth(api.token())
        .json(&body)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn members_choose_to_open_their_profile_to_the_party() {
    let m = members().await;
    let path = format!("/api/v1/members/{}", m.stranger);
    let neighbour = m.app.api_as("voisine@exemple.fr").await;
    let supporter = m.app.api_as("supporter@exemple.fr").await;
    assert_eq!(neighbour.get(&path).await.status(), 404);
    // The private choice is the default, and says so.
    let stranger = m.app.api_as("roubaix@exemple.fr").await;
    let me = stranger.get_json("/api/v1/me", 200).await;
    assert_eq!(me["profile_visibility"], "groups");
    let r = patch_me(&stranger, json!({ "profile_visibility": "everyone" })).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.expect("json");
    assert!(body["fields"]["profile_visibility"].is_string(), "{body}");
    // Opened to the party: party members see it, a supporter elsewhere still does not.
    let r = patch_me(&stranger, json!({ "profile_visibility": "party" })).await;
    assert_eq!(r.status(), 200);
    assert_eq!(neighbour.get_json(&path, 200).await["name"], "Rémi Roubaix");
    assert_eq!(supporter.get(&path).await.status(), 404);
    // Back to private through the profile page's form.
    let browser: Browser = m.app.browser();
    assert_eq!(browser.login("roubaix@exemple.fr").await.status(), 303);
    let profile = format!("/members/{}", m.stranger);
    let (_, page) = browser.get_text(&profile).await;
    assert!(page.contains("name=\"profile_visibility\" value=\"party\" checked"));
    let r = browser
        .submit(
            &profile,
            &format!("{profile}/profile"),
            &[("name", "Rémi Roubaix"), ("profile_visibility", "groups")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(neighbour.get(&path).await.status(), 404);
    m.app.stop().await;
}

#[tokio::test]
async fn adding_by_address_invites_known_and_unknown_addresses_alike() {
    let m = members().await;
    let browser = m.app.browser();
    assert_eq!(browser.login("fedsec@exemple.fr").await.status(), 303);
    let manage = format!("/groups/{}/manage", m.section);
    let add = format!("/groups/{}/members", m.section);
    let mut answers = Vec::new();
    for email in ["roubaix@exemple.fr", "nobody@exemple.fr"] {
        let mails_before = m.app.mails().len();
        let r = browser
            .submit(&manage, &add, &[("email", email), ("role", "member")])
            .await;
        assert_eq!(r.status(), 303, "adding {email}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        // The page after the redirect, with its flash message: the whole answer.
        let (_, page) = browser.get_text(&location).await;
        answers.push((location, page));
        let mails = m.app.mails();
        assert_eq!(mails.len(), mails_before + 1, "one invitation to {email}");
    }
    // The pending invitations listed on the page differ by the addresses invited, and by
    // nothing else: both are pending alike, the known address's as the unknown one's.
    let without_pending = |page: &str| {
        let start = page
            .find("<section class=\"section\" aria-labelledby=\"pending-title\">")
            .expect("the pending invitations");
        let end = start + page[start..].find("</section>").expect("its end");
        let pending = page[start..end].to_owned();
        (format!("{}{}", &page[..start], &page[end..]), pending)
    };
    let (first, first_pending) = without_pending(&answers[0].1);
    let (second, second_pending) = without_pending(&answers[1].1);
    assert_eq!(
        (&answers[0].0, first),
        (&answers[1].0, second),
        "the same answer for both addresses"
    );
    assert!(first_pending.contains("roubaix@exemple.fr"));
    assert!(
        second_pending.contains("roubaix@exemple.fr")
            && second_pending.contains("nobody@exemple.fr")
    );
    // The invitations went to their addresses: the existing account accepts its own, signed in.
    let mails = m.app.mails();
    let to_existing = mails
        .iter()
        .find(|mail| mail.contains("To: roubaix@exemple.fr"))
        .expect("the existing account was mailed");
    let link = to_existing[to_existing.find(&m.app.url).unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let path = link.trim_start_matches(&m.app.url).to_owned();
    let invited = m.app.browser();
    assert_eq!(invited.login("roubaix@exemple.fr").await.status(), 303);
    let r = invited.submit(&path, &path, &[]).await;
    assert_eq!(r.status(), 303);
    let me = m
        .app
        .api_as("roubaix@exemple.fr")
        .await
        .get_json("/api/v1/me", 200)
        .await;
    let groups: Vec<&str> = me["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|ms| ms["group_id"].as_str())
        .collect();
    assert!(groups.contains(&m.section.to_string().as_str()), "{me}");
    m.app.stop().await;
}

#[tokio::test]
async fn the_management_page_is_shown_to_managers_only() {
    let m = members().await;
    let browser = m.app.browser();
    assert_eq!(browser.login("voisine@exemple.fr").await.status(), 303);
    let group_page = format!("/groups/{}", m.section);
    let section = m.section.to_string();
    // Adding by address, a bad address, a sub-group with no name: refused, and never the
    // management page with its member table and forms.
    for (to, fields) in [
        (
            format!("/groups/{}/members", m.section),
            vec![("email", "roubaix@exemple.fr"), ("role", "member")],
        ),
        (
            format!("/groups/{}/members", m.section),
            vec![("email", "pas une adresse"), ("role", "member")],
        ),
        (
            "/groups".to_owned(),
            vec![
                ("kind", "working_group"),
                ("name", ""),
                ("parent_id", section.as_str()),
            ],
        ),
    ] {
        let (status, page) = status_and_body(browser.submit(&group_page, &to, &fields).await).await;
        assert!(
            status == 403 || status == 422,
            "POST {to} {fields:?} as a plain member: {status}"
        );
        // The management page's title and its member table (the supporter's name).
        assert!(
            !page.contains("Gérer") && !page.contains("Sam Sympathisant"),
            "POST {to} rendered the management page to a non-manager"
        );
    }
    assert!(m.app.mails().is_empty(), "nobody was invited");
    m.app.stop().await;
}

#[tokio::test]
async fn managers_set_roles_only_of_members_they_may_see() {
    let m = members().await;
    let api = m.app.api_as("fedsec@exemple.fr").await;
    let path = format!("/api/v1/groups/{}/members", m.other_section);
    // Someone in no group and an id nobody has: the same refusal.
    let mut refusals = Vec::new();
    for id in [m.outsider.0, m.outsider.0 + 1000] {
        let (status, body) = status_and_body(
            api.post(
                &path,
                json!({ "member_id": id.to_string(), "role": "member" }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "member {id}");
        refusals.push(body);
    }
    assert_eq!(refusals[0], refusals[1]);
    // A member of a section they manage: done.
    let r = api
        .post(
            &path,
            json!({ "member_id": m.neighbour.to_string(), "role": "member" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    m.app.stop().await;
}

/// A page without its long attribute values (CSRF tokens): what two answers may differ by.
pub fn without_tokens(page: String) -> String {
    page.split('"')
        .filter(|part| part.len() < 40 || part.contains(' '))
        .collect::<Vec<_>>()
        .join("\"")
}

/// Sign-in, password reset, registration, invitations: nothing tells a known address from an
/// unknown one.
#[tokio::test]
async fn no_answer_reveals_whether_an_account_exists() {
    let m = members_with(RegistrationMode::Open).await;
    let known = "voisine@exemple.fr";
    let unknown = "personne@exemple.fr";
    // API sign-in with a wrong password.
    let api = m.app.api();
    let mut answers = Vec::new();
    for email in [known, unknown] {
        answers.push(
            status_and_body(
                api.post(
                    "/api/v1/session",
                    json!({ "email": email, "password": "pas le bon mot de passe" }),
                )
                .await,
            )
            .await,
        );
    }
    assert_eq!(answers[0], answers[1], "API sign-in");
    assert_eq!(answers[0].0, 401);
    // The sign-in page and the reset request (their CSRF tokens aside).
    for (form, fields) in [
        ("/login", vec![("password", "pas le bon mot de passe")]),
        ("/password/forgot", vec![]),
    ] {
        let mut pages = Vec::new();
        for email in [known, unknown] {
            let browser = m.app.browser();
            let mut all = fields.clone();
            all.push(("email", email));
            let (status, page) = status_and_body(browser.submit(form, form, &all).await).await;
            pages.push((status, without_tokens(page.replace(email, "ADDRESS"))));
        }
        assert_eq!(pages[0], pages[1], "{form}");
    }
    // Registration (open on this server): the same page, headers and status.
    let (_, known_answer) = crate::registration::register(&m.app, known, "Val").await;
    let (_, unknown_answer) = crate::registration::register(&m.app, unknown, "Val").await;
    assert_eq!(known_answer, unknown_answer, "registration");
    assert_eq!(known_answer.0, 200);
    // Invitations through the API: the same 201.
    let fedsec = m.app.api_as("fedsec@exemple.fr").await;
    let path = format!("/api/v1/groups/{}/invitations", m.section);
    let mut answers = Vec::new();
    for email in [known, unknown] {
        answers.push(
            status_and_body(
                fedsec
                    .post(&path, json!({ "email": email, "role": "member" }))
                    .await,
            )
            .await,
        );
    }
    assert_eq!(answers[0], answers[1], "invitations");
    assert_eq!(answers[0].0, 201);
    m.app.stop().await;
}

/// A public text does not make its authors' membership public: history and versions name them
/// only to those who may see the group's directory.
#[tokio::test]
async fn history_and_versions_name_authors_only_to_the_group() {
    let m = members().await;
    let national = m.app.national().await;
    let theme = m
        .app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    m.app.grant(m.neighbour, theme, Role::Member).await;
    let writer = m.app.api_as("voisine@exemple.fr").await;
    let text = writer.create_text(theme, "Programme santé").await;
    let r = writer
        .post(
            &format!("/api/v1/texts/{text}/versions"),
            json!({ "label": "Première" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let history = format!("/api/v1/texts/{text}/history");
    let versions = format!("/api/v1/texts/{text}/versions");
    let named = writer.get_json(&history, 200).await;
    assert_eq!(named[0]["author_name"], "Valérie Voisine", "{named}");
    for api in [m.app.api(), m.app.api_as("roubaix@exemple.fr").await] {
        for path in [&history, &versions] {
            let body = api.get_json(path, 200).await;
            assert!(
                !body.to_string().contains("Valérie") && body[0]["author_id"].is_null(),
                "{path}: {body}"
            );
        }
        let (status, page) =
            status_and_body(api.get(&format!("/texts/{text}/history")).await).await;
        assert_eq!(status, 200);
        assert!(
            !page.contains("Valérie"),
            "the history page names the author"
        );
    }
    m.app.stop().await;
}

//! The role × route matrix of every route of the foundation: who gets what status. Private
//! groups and directories must not leak to non-members.

use serde_json::{Value, json};

use crate::harness::{Api, Browser, TestApp};
use atelier::model::{GroupId, GroupKind, MemberId, Role, Visibility};

struct Party {
    app: TestApp,
    federation: GroupId,
    section: GroupId,
    private_section: GroupId,
    members_only: GroupId,
    theme: GroupId,
    private_wg: GroupId,
    outsider: MemberId,
    s1_member: MemberId,
}

/// Who is asking.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    Outsider,
    Supporter,
    SectionMember,
    PrivateMember,
    FederationSecretary,
    Admin,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Outsider,
    Who::Supporter,
    Who::SectionMember,
    Who::PrivateMember,
    Who::FederationSecretary,
    Who::Admin,
];

impl Who {
    fn email(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Outsider => Some("outsider@exemple.fr"),
            Who::Supporter => Some("supporter@exemple.fr"),
            Who::SectionMember => Some("s1@exemple.fr"),
            Who::PrivateMember => Some("s2@exemple.fr"),
            Who::FederationSecretary => Some("fedsec@exemple.fr"),
            Who::Admin => Some("admin@exemple.fr"),
        }
    }
}

async fn party() -> Party {
    let app = TestApp::start().await;
    let national = app.national().await;
    let federation = app
        .group(
            GroupKind::Federation,
            "Fédération du Nord",
            national,
            Visibility::Public,
        )
        .await;
    let section = app
        .group(
            GroupKind::Section,
            "Lille-Centre",
            federation,
            Visibility::Public,
        )
        .await;
    let private_section = app
        .group(
            GroupKind::Section,
            "Tourcoing",
            federation,
            Visibility::Group,
        )
        .await;
    let members_only = app
        .group(
            GroupKind::Section,
            "Roubaix",
            federation,
            Visibility::Members,
        )
        .await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let private_wg = app
        .group(
            GroupKind::WorkingGroup,
            "Statuts",
            national,
            Visibility::Group,
        )
        .await;
    let outsider = app.member("outsider@exemple.fr", "Olivier Dehors").await;
    let supporter = app.member("supporter@exemple.fr", "Sam Sympathisant").await;
    let s1_member = app.member("s1@exemple.fr", "Sophie Lille").await;
    let s2_member = app.member("s2@exemple.fr", "Tom Tourcoing").await;
    let fedsec = app.member("fedsec@exemple.fr", "Farid Fédéral").await;
    let admin = app.member("admin@exemple.fr", "Ada Admin").await;
    app.grant(supporter, section, Role::Supporter).await;
    app.grant(s1_member, section, Role::Member).await;
    app.grant(s2_member, private_section, Role::Member).await;
    app.grant(fedsec, federation, Role::Secretary).await;
    app.grant(admin, national, Role::Admin).await;
    Party {
        app,
        federation,
        section,
        private_section,
        members_only,
        theme,
        private_wg,
        outsider,
        s1_member,
    }
}

impl Party {
    async fn api(&self, who: Who) -> Api {
        match who.email() {
            Some(email) => self.app.api_as(email).await,
            None => self.app.api(),
        }
    }

    async fn browser(&self, who: Who) -> Browser {
        let browser = self.app.browser();
        if let Some(email) = who.email() {
            assert_eq!(browser.login(email).await.status(), 303);
        }
        browser
    }
}

/// Checks one route for everyone: `expected` gives the status for each `Who`.
async fn check_get(party: &Party, path: &str, expected: impl Fn(Who) -> u16) {
    for who in EVERYONE {
        let status = party.api(who).await.get(path).await.status().as_u16();
        assert_eq!(status, expected(who), "GET {path} as {who:?}");
    }
}

async fn check_page(party: &Party, path: &str, expected: impl Fn(Who) -> u16) {
    for who in EVERYONE {
        let status = party.browser(who).await.get(path).await.status().as_u16();
        assert_eq!(status, expected(who), "page {path} as {who:?}");
    }
}

#[tokio::test]
async fn group_visibility_matrix() {
    let p = party().await;
    // Public groups: everyone.
    check_get(&p, &format!("/api/v1/groups/{}", p.section), |_| 200).await;
    // A group-only section: its members and those above; 404 (not 403) for everyone else.
    check_get(
        &p,
        &format!("/api/v1/groups/{}", p.private_section),
        |who| match who {
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    // Members-only: the party's members, not supporters or visitors.
    check_get(
        &p,
        &format!("/api/v1/groups/{}", p.members_only),
        |who| match who {
            Who::Anonymous | Who::Outsider | Who::Supporter => 404,
            _ => 200,
        },
    )
    .await;
    check_get(
        &p,
        &format!("/api/v1/groups/{}", p.private_wg),
        |who| match who {
            Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    check_get(&p, "/api/v1/groups/999999", |_| 404).await;
    // The same on the pages.
    check_page(
        &p,
        &format!("/groups/{}", p.private_section),
        |who| match who {
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    check_page(&p, &format!("/groups/{}", p.theme), |_| 200).await;
    p.app.stop().await;
}

#[tokio::test]
async fn lists_do_not_leak_private_groups() {
    let p = party().await;
    for who in EVERYONE {
        let groups: Value = p.api(who).await.get_json("/api/v1/groups", 200).await;
        let ids: Vec<&str> = groups
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap())
            .collect();
        let sees_private = ids.contains(&p.private_section.to_string().as_str());
        assert_eq!(
            sees_private,
            matches!(
                who,
                Who::PrivateMember | Who::FederationSecretary | Who::Admin
            ),
            "{who:?}"
        );
        let federation: Value = p
            .api(who)
            .await
            .get_json(&format!("/api/v1/groups/{}", p.federation), 200)
            .await;
        let children: Vec<&str> = federation["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            children.contains(&"Tourcoing"),
            sees_private,
            "children of the federation as {who:?}"
        );
        let (_, page) = p.browser(who).await.get_text("/groups").await;
        assert_eq!(
            page.contains("Tourcoing"),
            sees_private,
            "the organisation page as {who:?}"
        );
    }
    let sections: Value = p
        .api(Who::Admin)
        .await
        .get_json("/api/v1/groups?kind=section", 200)
        .await;
    assert_eq!(sections.as_array().unwrap().len(), 3);
    p.app.stop().await;
}

#[tokio::test]
async fn directories_are_for_members_of_the_group() {
    let p = party().await;
    check_get(
        &p,
        &format!("/api/v1/groups/{}/members", p.section),
        |who| match who {
            Who::Anonymous => 401,
            Who::Supporter | Who::SectionMember | Who::FederationSecretary | Who::Admin => 200,
            Who::Outsider | Who::PrivateMember => 403,
        },
    )
    .await;
    check_get(
        &p,
        &format!("/api/v1/groups/{}/members", p.private_section),
        |who| match who {
            Who::Anonymous => 401,
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    check_page(
        &p,
        &format!("/groups/{}/members", p.section),
        |who| match who {
            Who::Anonymous => 303,
            Who::Supporter | Who::SectionMember | Who::FederationSecretary | Who::Admin => 200,
            Who::Outsider | Who::PrivateMember => 403,
        },
    )
    .await;
    let directory = p
        .api(Who::SectionMember)
        .await
        .get_json(&format!("/api/v1/groups/{}/members?q=soph", p.section), 200)
        .await;
    assert_eq!(directory["total"], 1);
    assert_eq!(directory["members"][0]["name"], "Sophie Lille");
    assert!(
        directory["members"][0].get("email").is_none(),
        "the directory never shows addresses"
    );
    p.app.stop().await;
}

#[tokio::test]
async fn roles_are_granted_by_managers_within_their_own_rights() {
    let p = party().await;
    let path = format!("/api/v1/groups/{}/members", p.section);
    // The outsider is in no group: the federation's secretary may not see them, so may not give
    // them a role (the admin may: they see everyone). Once in the section, they may.
    for (who, role, expected) in [
        (Who::FederationSecretary, "member", 422),
        (Who::Admin, "supporter", 200),
    ] {
        let body = json!({ "member_id": p.outsider.to_string(), "role": role });
        let r = p.api(who).await.post(&path, body).await;
        assert_eq!(
            r.status().as_u16(),
            expected,
            "{who:?} gives the outsider {role}"
        );
    }
    for (who, role, expected) in [
        (Who::Anonymous, "member", 401),
        (Who::Outsider, "member", 403),
        (Who::SectionMember, "member", 403),
        (Who::PrivateMember, "member", 403),
        (Who::FederationSecretary, "admin", 403),
        (Who::FederationSecretary, "secretary", 200),
        (Who::Admin, "organiser", 200),
    ] {
        let r = p
            .api(who)
            .await
            .post(
                &path,
                json!({ "member_id": p.outsider.to_string(), "role": role }),
            )
            .await;
        assert_eq!(r.status().as_u16(), expected, "{who:?} grants {role}");
    }
    // The organiser role given by the admin is above the federation secretary: they cannot lower it.
    let r = p
        .api(Who::FederationSecretary)
        .await
        .post(
            &path,
            json!({ "member_id": p.outsider.to_string(), "role": "member" }),
        )
        .await;
    assert_eq!(r.status(), 403);
    // Through the management page's form, as a secretary.
    let browser = p.browser(Who::FederationSecretary).await;
    let manage = format!("/groups/{}/manage", p.section);
    assert_eq!(browser.get(&manage).await.status(), 200);
    let r = browser
        .submit(
            &manage,
            &format!("/groups/{}/members", p.section),
            &[
                ("member_id", &p.s1_member.to_string()),
                ("role", "secretary"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let me = p
        .app
        .api_as("s1@exemple.fr")
        .await
        .get_json("/api/v1/me", 200)
        .await;
    assert_eq!(me["memberships"][0]["role"], "secretary");
    // The outsider is an organiser there now, and s1 a secretary: both manage the section.
    check_page(&p, &manage, |who| match who {
        Who::Anonymous => 303,
        Who::FederationSecretary | Who::Admin | Who::SectionMember | Who::Outsider => 200,
        _ => 403,
    })
    .await;
    p.app.stop().await;
}

#[tokio::test]
async fn groups_are_created_where_one_has_the_rights() {
    let p = party().await;
    let section = |parent: GroupId| json!({ "kind": "section", "name": "Nouvelle section", "parent_id": parent.to_string() });
    for (who, body, expected) in [
        (Who::Anonymous, section(p.federation), 401),
        (Who::SectionMember, section(p.federation), 403),
        (Who::FederationSecretary, section(p.federation), 201),
        (
            Who::FederationSecretary,
            json!({ "kind": "federation", "name": "Fédération du Var" }),
            403,
        ),
        (
            Who::FederationSecretary,
            json!({ "kind": "theme", "name": "Logement" }),
            403,
        ),
        (
            Who::Admin,
            json!({ "kind": "federation", "name": "Fédération du Var" }),
            201,
        ),
        (
            Who::Admin,
            json!({ "kind": "section", "name": "Sous un thème", "parent_id": p.theme.to_string() }),
            422,
        ),
        (
            Who::Admin,
            json!({ "kind": "national", "name": "Un autre parti" }),
            422,
        ),
    ] {
        let r = p.api(who).await.post("/api/v1/groups", body.clone()).await;
        assert_eq!(r.status().as_u16(), expected, "{who:?} creates {body}");
    }
    p.app.stop().await;
}

#[tokio::test]
async fn only_admins_create_accounts_and_see_the_admin_page() {
    let p = party().await;
    for (who, expected) in [
        (Who::Anonymous, 401),
        (Who::FederationSecretary, 403),
        (Who::Admin, 201),
    ] {
        let r = p
            .api(who)
            .await
            .post(
                "/api/v1/members",
                json!({ "email": "cree@exemple.fr", "name": "Créée" }),
            )
            .await;
        assert_eq!(r.status().as_u16(), expected, "{who:?}");
    }
    check_page(&p, "/admin", |who| match who {
        Who::Anonymous => 303,
        Who::Admin => 200,
        _ => 403,
    })
    .await;
    p.app.stop().await;
}

#[tokio::test]
async fn profiles_are_for_those_who_share_a_group_and_addresses_for_self() {
    let p = party().await;
    let path = format!("/api/v1/members/{}", p.s1_member);
    // s1 is a member of the section: its supporter, its federation's secretary and admins see
    // the profile; the outsider and the member of another section get the 404 of an unknown id.
    let shares = |who| {
        matches!(
            who,
            Who::Supporter | Who::SectionMember | Who::FederationSecretary | Who::Admin
        )
    };
    check_get(&p, &path, |who| match who {
        Who::Anonymous => 401,
        who if shares(who) => 200,
        _ => 404,
    })
    .await;
    let seen_by_other = p.api(Who::Supporter).await.get_json(&path, 200).await;
    assert!(seen_by_other.get("email").is_none());
    let seen_by_self = p.api(Who::SectionMember).await.get_json(&path, 200).await;
    assert_eq!(seen_by_self["email"], "s1@exemple.fr");
    let seen_by_admin = p.api(Who::Admin).await.get_json(&path, 200).await;
    assert_eq!(seen_by_admin["email"], "s1@exemple.fr");
    check_page(&p, &format!("/members/{}", p.s1_member), |who| match who {
        Who::Anonymous => 303,
        who if shares(who) => 200,
        _ => 404,
    })
    .await;
    // A profile lists only the groups the viewer may see.
    let (_, page) = p
        .browser(Who::Supporter)
        .await
        .get_text(&format!("/members/{}", p.s1_member))
        .await;
    assert!(page.contains("Lille-Centre"));
    p.app.stop().await;
}

#[tokio::test]
async fn themes_are_joined_freely_private_groups_are_not() {
    let p = party().await;
    let r = p
        .api(Who::Outsider)
        .await
        .post(&format!("/api/v1/groups/{}/join", p.theme), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let me = p
        .app
        .api_as("outsider@exemple.fr")
        .await
        .get_json("/api/v1/me", 200)
        .await;
    assert_eq!(
        me["memberships"][0]["role"], "supporter",
        "a non-member joins as a supporter"
    );
    let r = p
        .api(Who::SectionMember)
        .await
        .post(&format!("/api/v1/groups/{}/join", p.theme), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let r = p
        .api(Who::SectionMember)
        .await
        .post(&format!("/api/v1/groups/{}/join", p.private_wg), json!({}))
        .await;
    assert_eq!(r.status(), 404);
    let r = p
        .api(Who::SectionMember)
        .await
        .post(&format!("/api/v1/groups/{}/join", p.federation), json!({}))
        .await;
    assert_eq!(
        r.status(),
        403,
        "federations are not joined, one is a member through a section"
    );
    p.app.stop().await;
}

#[tokio::test]
async fn the_forms_of_the_pages_follow_the_same_rules() {
    let p = party().await;
    let edit = format!("/groups/{}/edit", p.section);
    let manage = format!("/groups/{}/manage", p.section);
    let fields = [
        ("name", "Lille-Centre"),
        ("description", "La section du centre-ville."),
        ("visibility", "members"),
    ];
    for (who, expected) in [
        (Who::SectionMember, 403),
        (Who::PrivateMember, 403),
        (Who::FederationSecretary, 303),
    ] {
        let browser = p.browser(who).await;
        let r = browser.submit("/", &edit, &fields).await;
        assert_eq!(r.status().as_u16(), expected, "{who:?} edits the section");
    }
    let group = p
        .api(Who::Admin)
        .await
        .get_json(&format!("/api/v1/groups/{}", p.section), 200)
        .await;
    assert_eq!(group["visibility"], "members");
    assert_eq!(group["description"], "La section du centre-ville.");

    // Errors come back next to the right form of the management page.
    let secretary = p.browser(Who::FederationSecretary).await;
    let r = secretary
        .submit(
            &manage,
            &format!("/groups/{}/invitations", p.section),
            &[("email", "pas une adresse"), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"field-invitation_email-error\""),
        "the invitation field is marked"
    );
    let r = secretary
        .submit(
            &manage,
            "/groups",
            &[
                ("kind", "section"),
                ("name", ""),
                ("parent_id", &p.section.to_string()),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        422,
        "a section cannot hold a section, and a name is required"
    );
    let r = secretary
        .submit(
            &manage,
            "/groups",
            &[
                ("kind", "working_group"),
                ("name", "Fête de la section"),
                ("parent_id", &p.section.to_string()),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = p
        .browser(Who::SectionMember)
        .await
        .submit(
            "/",
            "/groups",
            &[
                ("kind", "working_group"),
                ("name", "Pirate"),
                ("parent_id", &p.section.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);

    // Joining a theme from its page, and editing one's own profile only.
    let outsider = p.browser(Who::Outsider).await;
    assert_eq!(
        outsider
            .submit("/", &format!("/groups/{}/join", p.theme), &[])
            .await
            .status(),
        303
    );
    assert_eq!(
        outsider
            .submit("/", &format!("/groups/{}/join", p.private_wg), &[])
            .await
            .status(),
        404
    );
    let mine = format!("/members/{}/profile", p.outsider);
    let r = outsider
        .submit(
            "/",
            &mine,
            &[
                ("name", "Olivier D."),
                ("functions", "trésorier\n\n"),
                ("mandates", "conseiller municipal"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let profile = p
        .api(Who::Outsider)
        .await
        .get_json(&format!("/api/v1/members/{}", p.outsider), 200)
        .await;
    assert_eq!(profile["name"], "Olivier D.");
    assert_eq!(profile["functions"], serde_json::json!(["trésorier"]));
    assert_eq!(
        profile["mandates"],
        serde_json::json!(["conseiller municipal"])
    );
    let r = outsider
        .submit(
            "/",
            &format!("/members/{}/profile", p.s1_member),
            &[("name", "Piraté")],
        )
        .await;
    assert_eq!(r.status(), 403);
    p.app.stop().await;
}

#[tokio::test]
async fn closed_registration_refuses_new_accounts_even_invited() {
    let app = TestApp::start_with(crate::harness::Backend::Sqlite, |c| {
        c.registration = atelier::config::RegistrationMode::Closed
    })
    .await
    .unwrap();
    let national = app.national().await;
    let admin = app.member("admin@exemple.fr", "Ada").await;
    app.grant(admin, national, Role::Admin).await;
    let api = app.api_as("admin@exemple.fr").await;
    assert_eq!(
        api.post(
            &format!("/api/v1/groups/{national}/invitations"),
            json!({ "email": "nouveau@exemple.fr", "role": "member" })
        )
        .await
        .status(),
        201
    );
    let path = app
        .last_mailed_link()
        .strip_prefix(&app.url)
        .unwrap()
        .to_owned();
    let browser = app.browser();
    let r = browser
        .submit(
            &path,
            &path,
            &[
                ("name", "Nouveau"),
                ("password", crate::harness::PASSWORD),
                ("password_confirmation", crate::harness::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(browser.get("/register").await.status(), 404);
    // Existing members still accept invitations.
    let existing = app.member("existant@exemple.fr", "Existant").await;
    assert_eq!(
        api.post(
            &format!("/api/v1/groups/{national}/invitations"),
            json!({ "email": "existant@exemple.fr", "role": "member" })
        )
        .await
        .status(),
        201
    );
    let path = app
        .last_mailed_link()
        .strip_prefix(&app.url)
        .unwrap()
        .to_owned();
    let member = app.browser();
    assert_eq!(member.login("existant@exemple.fr").await.status(), 303);
    assert_eq!(member.submit(&path, &path, &[]).await.status(), 303);
    assert_eq!(
        app.app.db.role_in(existing, national).await.unwrap(),
        Some(Role::Member)
    );
    app.stop().await;
}

/// The organisers' weekly pages and actions (issue 11, point 5): a group's pending invitations,
/// removing a member, the administrators' list of accounts and disabling from it.
#[tokio::test]
async fn the_organisers_pages_and_actions_follow_the_same_rules() {
    let p = party().await;
    let admin_api = p.api(Who::Admin).await;
    for (group, email) in [
        (p.section, "invitee@exemple.fr"),
        (p.private_section, "invitee2@exemple.fr"),
    ] {
        let r = admin_api
            .post(
                &format!("/api/v1/groups/{group}/invitations"),
                json!({ "email": email, "role": "member" }),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    // The lists of pending invitations: the group's managers; 404 where the group is hidden.
    check_get(
        &p,
        &format!("/api/v1/groups/{}/invitations", p.section),
        |who| match who {
            Who::Anonymous => 401,
            Who::FederationSecretary | Who::Admin => 200,
            _ => 403,
        },
    )
    .await;
    check_get(
        &p,
        &format!("/api/v1/groups/{}/invitations", p.private_section),
        |who| match who {
            Who::Anonymous => 401,
            Who::FederationSecretary | Who::Admin => 200,
            Who::PrivateMember => 403,
            _ => 404,
        },
    )
    .await;
    // The list of accounts: administrators only.
    check_get(&p, "/api/v1/members", |who| match who {
        Who::Anonymous => 401,
        Who::Admin => 200,
        _ => 403,
    })
    .await;
    check_page(&p, "/admin/members", |who| match who {
        Who::Anonymous => 303,
        Who::Admin => 200,
        _ => 403,
    })
    .await;
    // Removing s1 from the section: the managers, and s1 themselves (leaving), are asked.
    let remove = format!("/groups/{}/members/{}/remove", p.section, p.s1_member);
    check_page(&p, &remove, |who| match who {
        Who::Anonymous => 303,
        Who::SectionMember | Who::FederationSecretary | Who::Admin => 200,
        _ => 403,
    })
    .await;
    check_page(
        &p,
        &format!(
            "/groups/{}/members/{}/remove",
            p.private_section, p.s1_member
        ),
        |who| match who {
            Who::Anonymous => 303,
            // s1 is no member of the hidden section: for those who see it, nothing to remove.
            Who::FederationSecretary | Who::Admin => 404,
            Who::PrivateMember => 403,
            _ => 404,
        },
    )
    .await;

    // The actions, by everyone who may not: refused, and nothing changes.
    let invitation = admin_api
        .get_json(&format!("/api/v1/groups/{}/invitations", p.section), 200)
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = format!("/api/v1/groups/{}/invitations/{invitation}", p.section);
    let target = p.app.member("cible@exemple.fr", "Cécile Cible").await;
    p.app.grant(target, p.section, Role::Member).await;
    for who in [
        Who::Anonymous,
        Who::Outsider,
        Who::Supporter,
        Who::SectionMember,
        Who::PrivateMember,
    ] {
        let expected = if matches!(who, Who::Anonymous) {
            401
        } else {
            403
        };
        let api = p.api(who).await;
        assert_eq!(
            api.post(&format!("{base}/resend"), json!({}))
                .await
                .status()
                .as_u16(),
            expected,
            "{who:?} resends"
        );
        assert_eq!(
            api.delete(&base).await.status().as_u16(),
            expected,
            "{who:?} withdraws"
        );
        assert_eq!(
            api.post(
                &format!("/api/v1/members/{}/disable", p.outsider),
                json!({})
            )
            .await
            .status()
            .as_u16(),
            expected,
            "{who:?} disables"
        );
    }
    let pages = [
        format!("/groups/{}/invitations/{invitation}/resend", p.section),
        format!("/groups/{}/invitations/{invitation}/withdraw", p.section),
        format!("/groups/{}/members/{target}/remove", p.section),
        format!("/members/{}/disable", p.outsider),
    ];
    for who in [
        Who::Outsider,
        Who::Supporter,
        Who::PrivateMember,
        Who::SectionMember,
    ] {
        let browser = p.browser(who).await;
        for path in &pages {
            let status = browser.submit("/", path, &[]).await.status().as_u16();
            assert_eq!(status, 403, "{who:?} posts {path}");
        }
    }
    let anonymous = p.browser(Who::Anonymous).await;
    for path in &pages {
        let status = anonymous
            .submit("/login", path, &[])
            .await
            .status()
            .as_u16();
        assert!(
            matches!(status, 303 | 401),
            "anonymous posts {path}: {status}"
        );
    }
    assert_eq!(
        admin_api
            .get_json(&format!("/api/v1/groups/{}/invitations", p.section), 200)
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "the invitation is untouched"
    );
    assert_eq!(
        p.app.memberships("s1@exemple.fr").await[0]["role"],
        "member"
    );
    assert_eq!(
        p.app.memberships("cible@exemple.fr").await[0]["role"],
        "member"
    );

    // The federation's secretary handles the section's invitations and removes its members.
    let secretary = p.browser(Who::FederationSecretary).await;
    assert_eq!(secretary.submit("/", &pages[0], &[]).await.status(), 303);
    assert_eq!(secretary.submit("/", &remove, &[]).await.status(), 303);
    assert_eq!(
        p.app.memberships("s1@exemple.fr").await,
        json!([]),
        "s1 left the section"
    );
    // Disabling: administrators only, from the list.
    assert_eq!(secretary.submit("/", &pages[3], &[]).await.status(), 403);
    let admin = p.browser(Who::Admin).await;
    assert_eq!(
        admin
            .submit("/admin/members", &pages[3], &[("next", "/admin/members")])
            .await
            .status(),
        303
    );
    p.app.stop().await;
}

/// A text's history — its sessions, diffs between any two points, on the API and the pages —
/// is seen by whoever may see the text's group; anyone else gets the 404 of an unknown text.
#[tokio::test]
async fn text_histories_and_diffs_follow_the_text() {
    let p = party().await;
    let admin = p.api(Who::Admin).await;
    let mut texts = Vec::new();
    for group in [p.section, p.private_section] {
        let created = admin
            .post(
                "/api/v1/texts",
                json!({"group_id": group.to_string(), "title": "Motion", "kind": "programme", "markdown": "Un texte.\n"}),
            )
            .await;
        assert_eq!(created.status(), 201);
        let body: Value = created.json().await.unwrap();
        texts.push(body["id"].as_str().unwrap().to_owned());
    }
    for (text, public) in [(&texts[0], true), (&texts[1], false)] {
        let expected = |who: Who| match (public, who) {
            (true, _) => 200,
            (false, Who::PrivateMember | Who::FederationSecretary | Who::Admin) => 200,
            (false, _) => 404,
        };
        check_get(&p, &format!("/api/v1/texts/{text}/sessions"), expected).await;
        check_get(
            &p,
            &format!("/api/v1/texts/{text}/diff?from=start&to=now"),
            expected,
        )
        .await;
        check_page(&p, &format!("/texts/{text}/history"), expected).await;
        // What is like a paragraph elsewhere: the text's readers only (the list itself holds
        // only what each may see: `search_related_pages`).
        check_page(&p, &format!("/texts/{text}/paragraphs/1/related"), expected).await;
        check_page(
            &p,
            &format!("/texts/{text}/diff?from=start&to=now&view=source"),
            expected,
        )
        .await;
    }
    p.app.stop().await;
}

#[tokio::test]
async fn the_welcome_page_and_joining_to_write_follow_the_rules() {
    let p = party().await;
    check_page(&p, "/welcome", |who| match who {
        Who::Anonymous => 303,
        _ => 200,
    })
    .await;
    let admin = p.api(Who::Admin).await;
    let theme_text = admin.create_text(p.theme, "Hôpital public").await;
    let section_text = admin.create_text(p.section, "Motion de Lille").await;
    let private_text = admin.create_text(p.private_wg, "Statuts révisés").await;
    // Joining to write: the party's members join a theme open to them; supporters and people
    // of no section are told why (403); a section is not joined by a click; a hidden group's
    // text is not found. Contributors are sent back to the editor with nothing to do.
    let theme_rule: fn(Who) -> u16 = |who| match who {
        Who::Outsider | Who::Supporter => 403,
        _ => 303,
    };
    let section_rule: fn(Who) -> u16 = |who| match who {
        Who::Outsider | Who::Supporter | Who::PrivateMember => 403,
        _ => 303,
    };
    let private_rule: fn(Who) -> u16 = |who| match who {
        Who::Anonymous | Who::Admin => 303,
        _ => 404,
    };
    for (text, rule) in [
        (&theme_text, theme_rule),
        (&section_text, section_rule),
        (&private_text, private_rule),
    ] {
        let join = format!("/texts/{text}/join");
        for who in EVERYONE {
            let browser = p.browser(who).await;
            let from = if who.email().is_some() { "/" } else { "/login" };
            let r = browser.submit(from, &join, &[]).await;
            assert_eq!(r.status().as_u16(), rule(who), "POST {join} as {who:?}");
            if r.status() == 303 {
                let location = r.headers()["location"].to_str().unwrap().to_owned();
                let expected = if who.email().is_some() {
                    format!("/texts/{text}/edit")
                } else {
                    format!("/login?next=%2Ftexts%2F{text}%2Fjoin")
                };
                assert_eq!(location, expected, "{who:?}");
            }
        }
    }
    let db = &p.app.app.db;
    assert_eq!(
        db.role_in(p.s1_member, p.theme).await.unwrap(),
        Some(Role::Member)
    );
    assert_eq!(db.role_in(p.outsider, p.theme).await.unwrap(), None);
    p.app.stop().await;
}

#[tokio::test]
async fn amendments_follow_their_text_and_its_rules() {
    let p = party().await;
    let admin = p.api(Who::Admin).await;
    let mut texts = Vec::new();
    for group in [p.section, p.private_section] {
        let id = admin.create_text(group, "Motion").await;
        let moved = admin
            .post(
                &format!("/api/v1/texts/{id}/status"),
                json!({"status": "amending"}),
            )
            .await;
        assert_eq!(moved.status(), 200);
        texts.push(id);
    }
    let filing = json!({"start": 0, "end": 1, "replacement": "Une", "submit": true});
    let post_as = |who: Who, path: String, body: Value| {
        let p = &p;
        async move {
            let response = p.api(who).await.post(&path, body).await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    // Filing: the members of the text's group (and those who manage it); 404 where it is hidden.
    let mut filed = Vec::new();
    for (text, public) in [(&texts[0], true), (&texts[1], false)] {
        for who in EVERYONE {
            let (status, body) = post_as(
                who,
                format!("/api/v1/texts/{text}/amendments"),
                filing.clone(),
            )
            .await;
            let expected = match (public, who) {
                (_, Who::Anonymous) => 401,
                (_, Who::FederationSecretary | Who::Admin) => 201,
                (true, Who::SectionMember) | (false, Who::PrivateMember) => 201,
                (true, _) => 403,
                (false, _) => 404,
            };
            assert_eq!(status, expected, "filing on {text} as {who:?}: {body}");
            if status == 201 && matches!(who, Who::SectionMember | Who::PrivateMember) {
                filed.push(body["id"].as_str().unwrap().to_owned());
            }
        }
    }
    let (public_one, private_one) = (&filed[0], &filed[1]);
    // Reading follows the text.
    check_get(&p, &format!("/api/v1/amendments/{public_one}"), |_| 200).await;
    for extension in ["csv", "json"] {
        let path = format!("/api/v1/texts/{}/amendments.{extension}", texts[0]);
        check_get(&p, &path, |_| 200).await;
    }
    for path in [
        format!("/api/v1/amendments/{private_one}"),
        format!("/api/v1/texts/{}/amendments", texts[1]),
        format!("/api/v1/texts/{}/amendments.csv", texts[1]),
        format!("/api/v1/texts/{}/amendments.json", texts[1]),
    ] {
        check_get(&p, &path, |who| match who {
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        })
        .await;
    }
    // The list page's download links are followed with the session's cookie.
    check_page(
        &p,
        &format!("/api/v1/texts/{}/amendments.csv", texts[1]),
        |who| match who {
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    // The pages follow the same rules: an amendment's page is its text's.
    check_page(&p, &format!("/amendments/{public_one}"), |_| 200).await;
    check_page(&p, &format!("/amendments/{private_one}"), |who| match who {
        Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
        _ => 404,
    })
    .await;
    check_page(&p, "/amendments/junk", |_| 404).await;
    // The filing form: who may file; 404 where the text is hidden; visitors sign in first.
    check_page(
        &p,
        &format!("/texts/{}/amendments/new?paragraph=1", texts[0]),
        |who| match who {
            Who::Anonymous => 303,
            Who::SectionMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 403,
        },
    )
    .await;
    check_page(
        &p,
        &format!("/texts/{}/amendments/new?paragraph=1", texts[1]),
        |who| match who {
            Who::Anonymous => 303,
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    check_page(&p, &format!("/texts/{}/amendments", texts[0]), |_| 200).await;
    check_page(
        &p,
        &format!("/texts/{}/amendments", texts[1]),
        |who| match who {
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    // Co-signing: party members who read the text, not its author.
    for who in EVERYONE {
        let (status, body) = post_as(
            who,
            format!("/api/v1/amendments/{public_one}/support"),
            json!({}),
        )
        .await;
        let expected = match who {
            Who::Anonymous => 401,
            Who::Outsider | Who::Supporter => 403,
            Who::SectionMember => 409,
            _ => 200,
        };
        assert_eq!(status, expected, "supporting as {who:?}: {body}");
    }
    // Screening: organisers (here the national admin) only.
    for who in EVERYONE {
        let (status, body) = post_as(
            who,
            format!("/api/v1/amendments/{public_one}/status"),
            json!({"status": "admissible"}),
        )
        .await;
        let expected = match who {
            Who::Anonymous => 401,
            Who::Admin => 200,
            _ => 403,
        };
        assert_eq!(status, expected, "screening as {who:?}: {body}");
    }
    // Sub-amendments: filed by who may file on the text, on its (now admissible) public
    // amendment and its submitted private one; 404 where the text is hidden. The no-JS form
    // likewise, visitors signing in first.
    for (amendment, public) in [(public_one, true), (private_one, false)] {
        for who in EVERYONE {
            let (status, body) = post_as(
                who,
                format!("/api/v1/amendments/{amendment}/amendments"),
                json!({"start": 0, "end": 1, "replacement": "L", "submit": true}),
            )
            .await;
            let expected = match (public, who) {
                (_, Who::Anonymous) => 401,
                (_, Who::FederationSecretary | Who::Admin) => 201,
                (true, Who::SectionMember) | (false, Who::PrivateMember) => 201,
                (true, _) => 403,
                (false, _) => 404,
            };
            assert_eq!(
                status, expected,
                "sub-amending {amendment} as {who:?}: {body}"
            );
        }
    }
    check_page(
        &p,
        &format!("/amendments/{public_one}/amendments/new"),
        |who| match who {
            Who::Anonymous => 303,
            Who::SectionMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 403,
        },
    )
    .await;
    check_page(
        &p,
        &format!("/amendments/{private_one}/amendments/new"),
        |who| match who {
            Who::Anonymous => 303,
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    // Rewording from the page: its author only, while submitted (the admissible one is final).
    check_page(
        &p,
        &format!("/amendments/{private_one}/revise"),
        |who| match who {
            Who::Anonymous => 303,
            Who::PrivateMember => 200,
            Who::FederationSecretary | Who::Admin => 403,
            _ => 404,
        },
    )
    .await;
    check_page(
        &p,
        &format!("/amendments/{public_one}/revise"),
        |who| match who {
            Who::Anonymous => 303,
            Who::SectionMember => 409,
            _ => 403,
        },
    )
    .await;
    // Merging: organisers only, 404 where the text is hidden; the admissible one is refused
    // (409) to the organiser who may merge, for it is not adopted.
    for (amendment, public) in [(public_one, true), (private_one, false)] {
        for who in EVERYONE {
            let (status, body) = post_as(
                who,
                format!("/api/v1/amendments/{amendment}/merge"),
                json!({}),
            )
            .await;
            let expected = match (public, who) {
                (_, Who::Anonymous) => 401,
                (_, Who::Admin) => 409,
                (true, _) | (false, Who::PrivateMember | Who::FederationSecretary) => 403,
                (false, _) => 404,
            };
            assert_eq!(status, expected, "merging {amendment} as {who:?}: {body}");
        }
    }
    // Provenance follows the text, page and JSON.
    check_get(
        &p,
        &format!("/api/v1/texts/{}/provenance", texts[0]),
        |_| 200,
    )
    .await;
    check_page(&p, &format!("/texts/{}/provenance", texts[0]), |_| 200).await;
    check_get(
        &p,
        &format!("/api/v1/texts/{}/provenance", texts[1]),
        |who| match who {
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    check_page(
        &p,
        &format!("/texts/{}/provenance", texts[1]),
        |who| match who {
            Who::PrivateMember | Who::FederationSecretary | Who::Admin => 200,
            _ => 404,
        },
    )
    .await;
    // Submitting and withdrawing: the author's; a draft is seen by nobody else.
    let (status, draft) = post_as(
        Who::SectionMember,
        format!("/api/v1/texts/{}/amendments", texts[0]),
        json!({"start": 0, "end": 1, "replacement": "Une"}),
    )
    .await;
    assert_eq!(status, 201, "{draft}");
    let draft = draft["id"].as_str().unwrap().to_owned();
    check_get(
        &p,
        &format!("/api/v1/amendments/{draft}"),
        |who| match who {
            Who::SectionMember => 200,
            _ => 404,
        },
    )
    .await;
    check_page(&p, &format!("/amendments/{draft}"), |who| match who {
        Who::SectionMember => 200,
        _ => 404,
    })
    .await;
    // And it is listed for its author only.
    for who in EVERYONE {
        let (status, html) = p
            .browser(who)
            .await
            .get_text(&format!("/texts/{}/amendments", texts[0]))
            .await;
        assert_eq!(status, 200, "the list as {who:?}");
        let listed = html.contains(&format!("href=\"/amendments/{draft}\""));
        assert_eq!(
            listed,
            matches!(who, Who::SectionMember),
            "the draft listed to {who:?}"
        );
    }
    // The screening form of the page: organisers only, the others refused as by the API (but
    // back to the page, the refusal flashed).
    for who in EVERYONE {
        let browser = p.browser(who).await;
        // A page that carries the token: the sign-in form for a visitor, home for the others.
        let from = if matches!(who, Who::Anonymous) {
            "/login"
        } else {
            "/"
        };
        let response = browser
            .submit(
                from,
                &format!("/amendments/{public_one}/status"),
                &[("status", "voting"), ("reason", "")],
            )
            .await;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let expected = match who {
            // To sign in, then back; the admin back to the amendment, and so is everyone else,
            // refused, the reason in the flash (the amendment is public: all of them read it).
            Who::Anonymous => (303, "/login"),
            _ => (303, "/amendments/"),
        };
        assert_eq!(status, expected.0, "screening through the page as {who:?}");
        assert!(
            location.starts_with(expected.1),
            "{who:?} sent to {location}"
        );
    }
    // A text's rules for amendments, through the API and the page's form: its organisers (here
    // the national admin) only; 404 where the text is hidden.
    for (text, public) in [(&texts[0], true), (&texts[1], false)] {
        for who in EVERYONE {
            let response = p
                .api(who)
                .await
                .put(
                    &format!("/api/v1/texts/{text}/amendment_rules"),
                    json!({"filers": "group"}),
                )
                .await;
            let refused = match (public, who) {
                (true, _) | (false, Who::PrivateMember | Who::FederationSecretary) => 403,
                (false, _) => 404,
            };
            let expected = match who {
                Who::Anonymous => 401,
                Who::Admin => 200,
                _ => refused,
            };
            assert_eq!(
                response.status().as_u16(),
                expected,
                "setting {text}'s rules as {who:?}"
            );
            let from = if matches!(who, Who::Anonymous) {
                "/login"
            } else {
                "/"
            };
            let response = p
                .browser(who)
                .await
                .submit(
                    from,
                    &format!("/texts/{text}/amendments/rules"),
                    &[("filers", "group")],
                )
                .await;
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let expected = match who {
                Who::Anonymous => (303, "/login"),
                Who::Admin => (303, "/texts/"),
                _ => (refused, ""),
            };
            assert_eq!(
                (response.status().as_u16(), location.starts_with(expected.1)),
                (expected.0, true),
                "the rules form of {text} as {who:?}: {location}"
            );
        }
    }
    for action in ["submit", "withdraw"] {
        for who in EVERYONE {
            let (status, body) = post_as(
                who,
                format!("/api/v1/amendments/{draft}/{action}"),
                json!({}),
            )
            .await;
            let expected = match (action, who) {
                (_, Who::Anonymous) => 401,
                (_, Who::SectionMember) => 200,
                // A draft is not found by those asking before its author submits it; once
                // submitted, the others see it but may not act for its author.
                ("submit", Who::Outsider | Who::Supporter) => 404,
                _ => 403,
            };
            assert_eq!(status, expected, "{action} as {who:?}: {body}");
        }
    }
    p.app.stop().await;
}

/// Archived debates and the open data are everyone's; a debate names the group of its place
/// only to those who may see that group, and filtering on a group one may not see is refused
/// as on a group that does not exist.
#[tokio::test]
async fn debates_and_open_data_are_public_and_name_only_visible_groups() {
    let p = party().await;
    let debate = atelier::store::NewDebate {
        held_on: time::macros::date!(2001 - 05 - 01),
        held_at: None,
        place: "Tourcoing".into(),
        speaker: "Tom".into(),
        title: "Un débat à Tourcoing".into(),
        text: "Le texte.".into(),
        url: None,
        convention: None,
    };
    let done = p
        .app
        .app
        .db
        .import_debates("a.jsonl", 0, [Ok::<_, String>(debate)], &|_| {})
        .await
        .unwrap();
    let id = p
        .app
        .app
        .db
        .debate_ids_of_import(done.batch.unwrap())
        .await
        .unwrap()[0];
    check_get(&p, "/api/v1/debates", |_| 200).await;
    check_get(&p, &format!("/api/v1/debates/{id}"), |_| 200).await;
    check_page(&p, "/debates", |_| 200).await;
    check_page(&p, &format!("/debates/{id}"), |_| 200).await;
    check_page(&p, "/open-data", |_| 200).await;
    check_get(&p, "/open-data/debates.jsonl", |_| 200).await;
    let sees_tourcoing = |who| {
        matches!(
            who,
            Who::PrivateMember | Who::FederationSecretary | Who::Admin
        )
    };
    check_get(
        &p,
        &format!("/api/v1/debates?group={}", p.private_section),
        |who| if sees_tourcoing(who) { 200 } else { 422 },
    )
    .await;
    for who in EVERYONE {
        let one = p
            .api(who)
            .await
            .get_json(&format!("/api/v1/debates/{id}"), 200)
            .await;
        let (_, page) = p
            .browser(who)
            .await
            .get_text(&format!("/debates/{id}"))
            .await;
        let link = format!("href=\"/groups/{}\"", p.private_section);
        if sees_tourcoing(who) {
            assert_eq!(one["group_id"], p.private_section.to_string(), "{who:?}");
            assert!(page.contains(&link), "{who:?}");
        } else {
            assert_eq!(one["group_id"], Value::Null, "{who:?}");
            assert_eq!(one["group_name"], Value::Null, "{who:?}");
            assert!(!page.contains(&link), "{who:?}");
        }
        // The open data names no group only some may see, whoever downloads it.
        let file = p.api(who).await.get("/open-data/debates.jsonl").await;
        let line: Value = serde_json::from_slice(&file.bytes().await.unwrap()).unwrap();
        assert_eq!(line["group_id"], Value::Null, "{who:?}");
    }
}

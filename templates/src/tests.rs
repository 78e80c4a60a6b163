//! Every page, in both languages, through the same checks: landmarks, language, CSRF fields,
//! labels, unique ids, heading order, escaping, and no missing translation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::*;

const HOSTILE: &str = "<script>alert(1)</script>";
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

fn ctx(lang: Lang, signed_in: bool) -> PageContext {
    PageContext {
        lang,
        viewer: signed_in.then(|| ViewerView {
            id: "7".into(),
            name: "Camille Martin".into(),
            is_admin: true,
        }),
        csrf_token: Some("tok-123".into()),
        path: "/groups/3".into(),
        flash: Some("Le groupe a été créé.".into()),
    }
}

fn card(id: &str, name: &str, kind: GroupKindView, role: Option<RoleView>) -> GroupCard {
    GroupCard {
        id: id.into(),
        name: name.into(),
        kind,
        member_count: 12,
        role,
        description: format!("À propos de {name}"),
    }
}

fn entry(id: &str, name: &str, role: RoleView) -> DirectoryEntry {
    DirectoryEntry {
        member_id: id.into(),
        name: name.into(),
        role,
        functions: vec!["Trésorière".into()],
        mandates: vec!["Conseillère municipale".into()],
    }
}

fn group_view(kind: GroupKindView, name: &str) -> GroupView {
    GroupView {
        id: "3".into(),
        name: name.into(),
        kind,
        description: "Un groupe qui travaille.".into(),
        visibility: VisibilityView::Members,
        parent: Some(("2".into(), "Fédération du Rhône".into())),
        breadcrumbs: vec![
            ("1".into(), "National".into()),
            ("2".into(), "Fédération du Rhône".into()),
        ],
        children: vec![
            card("4", "Section Lyon 1er", GroupKindView::Section, None),
            card("5", "GT Transports", GroupKindView::WorkingGroup, None),
        ],
        member_count: 1,
        viewer_role: Some(RoleView::Secretary),
        can_manage: true,
        can_see_directory: true,
        can_join: true,
        recent_activity: vec![ActivityItem {
            when: "1er mars 2026 à 14 h 05".into(),
            text: "Jeanne a rejoint le groupe".into(),
            url: None,
        }],
    }
}

fn manage_view(name: &str) -> ManageGroupView {
    ManageGroupView {
        group: group_view(GroupKindView::Federation, name),
        members: vec![
            entry("8", "Dominique", RoleView::Member),
            entry("9", HOSTILE, RoleView::Admin),
        ],
        assignable_roles: vec![RoleView::Supporter, RoleView::Member, RoleView::Secretary],
        creatable_kinds: vec![GroupKindView::Section, GroupKindView::WorkingGroup],
    }
}

fn errors() -> FormErrors {
    FormErrors::from([
        ("name".to_owned(), "Indiquez un nom.".to_owned()),
        ("password".to_owned(), "Trop court.".to_owned()),
    ])
}

/// Every page, rendered with `lang`, named for failure messages.
fn all_pages(lang: Lang) -> Vec<(&'static str, String)> {
    let member = ctx(lang, true);
    let visitor = ctx(lang, false);
    let no_errors = FormErrors::new();
    let home_view = HomeView {
        my_groups: vec![card(
            "2",
            "Fédération du Rhône",
            GroupKindView::Federation,
            Some(RoleView::Member),
        )],
        my_themes: vec![card(
            "10",
            "Écologie",
            GroupKindView::Theme,
            Some(RoleView::Member),
        )],
        recent_activity: vec![
            ActivityItem {
                when: "3 mars 2026 à 14 h 05".into(),
                text: "Dominique a rejoint Écologie".into(),
                url: Some("/groups/10".into()),
            },
            ActivityItem {
                when: "2 mars 2026 à 9 h 00".into(),
                text: "Du nouveau".into(),
                url: None,
            },
        ],
        suggested_themes: vec![card("11", "Santé", GroupKindView::Theme, None)],
    };
    let index = GroupsIndexView {
        tree: vec![TreeNode {
            card: card("1", "National", GroupKindView::National, None),
            children: vec![TreeNode {
                card: card(
                    "2",
                    "Fédération du Rhône",
                    GroupKindView::Federation,
                    Some(RoleView::Member),
                ),
                children: vec![TreeNode {
                    card: card("4", "Section Lyon 1er", GroupKindView::Section, None),
                    children: vec![],
                }],
            }],
        }],
        themes: vec![card("10", "Écologie", GroupKindView::Theme, None)],
        working_groups: vec![],
    };
    let directory_view = DirectoryView {
        group_id: "3".into(),
        group_name: "Section Lyon 1er".into(),
        members: vec![
            entry("8", "Dominique", RoleView::Member),
            entry("9", "Sacha", RoleView::Secretary),
        ],
        page: 2,
        pages: 3,
        query: "trés & co".into(),
    };
    let profile_view = ProfileView {
        id: "7".into(),
        name: "Camille Martin".into(),
        email: Some("camille@example.org".into()),
        functions: vec!["Secrétaire de section".into()],
        mandates: vec![],
        memberships: vec![(
            card("4", "Section Lyon 1er", GroupKindView::Section, None),
            RoleView::Secretary,
        )],
        is_self: true,
    };
    let admin = AdminView {
        member_count: 1234,
        group_counts: vec![
            (GroupKindView::Federation, 2),
            (GroupKindView::Section, 30),
            (GroupKindView::Theme, 0),
        ],
        registration_mode: "invite-only".into(),
        national_id: Some("1".into()),
        federations: vec![card(
            "2",
            "Fédération du Rhône",
            GroupKindView::Federation,
            None,
        )],
        themes: vec![],
        working_groups: vec![],
    };
    let login_form = LoginForm {
        email: "camille@example.org".into(),
        error: Some("Mauvais mot de passe.".into()),
        next: "/groups/3".into(),
        registration_open: true,
    };
    let register_form = RegisterForm {
        email: "a@b.c".into(),
        name: "Camille".into(),
        invitation_token: Some("inv".into()),
        invited_email: Some("a@b.c".into()),
    };
    let invitation_view = |needs_account, needs_login| InvitationView {
        token: "abc/def".into(),
        group_name: "Section Lyon 1er".into(),
        role: RoleView::Member,
        inviter_name: "Sacha".into(),
        email: "new@example.org".into(),
        needs_account,
        needs_login,
    };
    vec![
        (
            "home_anonymous",
            home_anonymous(&visitor, true).into_string(),
        ),
        (
            "home_anonymous_closed",
            home_anonymous(&visitor, false).into_string(),
        ),
        ("home", home(&member, &home_view).into_string()),
        (
            "home_empty",
            home(&member, &HomeView::default()).into_string(),
        ),
        (
            "group_page",
            group_page(
                &member,
                &group_view(GroupKindView::Section, "Section Lyon 1er"),
            )
            .into_string(),
        ),
        (
            "group_page_theme",
            group_page(&visitor, &group_view(GroupKindView::Theme, "Écologie")).into_string(),
        ),
        (
            "group_page_federation",
            group_page(
                &member,
                &GroupView {
                    children: vec![],
                    ..group_view(GroupKindView::Federation, "Rhône")
                },
            )
            .into_string(),
        ),
        ("groups_index", groups_index(&member, &index).into_string()),
        (
            "groups_index_empty",
            groups_index(&visitor, &GroupsIndexView::default()).into_string(),
        ),
        (
            "directory",
            directory(&member, &directory_view).into_string(),
        ),
        (
            "directory_empty",
            directory(
                &member,
                &DirectoryView {
                    members: vec![],
                    pages: 1,
                    page: 1,
                    ..directory_view.clone()
                },
            )
            .into_string(),
        ),
        ("profile", profile(&member, &profile_view).into_string()),
        (
            "profile_other",
            profile(
                &member,
                &ProfileView {
                    is_self: false,
                    email: None,
                    memberships: vec![],
                    ..profile_view.clone()
                },
            )
            .into_string(),
        ),
        (
            "manage_group",
            manage_group(&member, &manage_view("Rhône"), &no_errors).into_string(),
        ),
        (
            "manage_group_errors",
            manage_group(&member, &manage_view("Rhône"), &errors()).into_string(),
        ),
        ("admin_index", admin_index(&member, &admin).into_string()),
        (
            "admin_index_empty",
            admin_index(
                &member,
                &AdminView {
                    national_id: None,
                    registration_mode: "weird".into(),
                    federations: vec![],
                    ..admin.clone()
                },
            )
            .into_string(),
        ),
        ("login", login(&visitor, &login_form).into_string()),
        (
            "login_plain",
            login(&visitor, &LoginForm::default()).into_string(),
        ),
        (
            "register",
            register(&visitor, &register_form, &errors()).into_string(),
        ),
        (
            "register_plain",
            register(&visitor, &RegisterForm::default(), &no_errors).into_string(),
        ),
        (
            "forgot_password",
            forgot_password(&visitor, false).into_string(),
        ),
        (
            "forgot_password_sent",
            forgot_password(&visitor, true).into_string(),
        ),
        (
            "reset_password",
            reset_password(&visitor, "tok/en", &errors()).into_string(),
        ),
        (
            "invitation_account",
            invitation(&visitor, &invitation_view(true, false), &errors()).into_string(),
        ),
        (
            "invitation_login",
            invitation(&visitor, &invitation_view(false, true), &no_errors).into_string(),
        ),
        (
            "invitation_accept",
            invitation(&member, &invitation_view(false, false), &no_errors).into_string(),
        ),
        ("error_404", error_page(&visitor, 404, "").into_string()),
        (
            "error_403",
            error_page(&member, 403, "Réservé aux secrétaires.").into_string(),
        ),
        ("error_429", error_page(&visitor, 429, "").into_string()),
        ("error_500", error_page(&visitor, 500, "").into_string()),
        ("error_418", error_page(&visitor, 418, "").into_string()),
    ]
}

/// The start tags named `name` (`<input …>`), as text.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        let next_char = tag[open.len()..].chars().next();
        if matches!(next_char, Some(' ') | Some('/') | None) {
            found.push(tag);
        }
        rest = &after[end..];
    }
    found
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

fn check_page(name: &str, lang: Lang, html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{name}: doctype");
    assert!(
        html.contains(&format!("<html lang=\"{}\"", lang.code())),
        "{name}: lang"
    );
    assert!(
        html.contains("<main id=\"contenu\""),
        "{name}: main landmark"
    );
    assert!(html.contains("<header"), "{name}: header");
    assert!(html.contains("<footer"), "{name}: footer");
    assert!(html.contains("href=\"#contenu\""), "{name}: skip link");
    assert!(
        html.contains("<meta name=\"csrf-token\" content=\"tok-123\">"),
        "{name}: csrf meta"
    );
    assert!(html.contains(" — Atelier</title>"), "{name}: title");

    // Every form that changes something carries the CSRF token.
    let posts = tags(html, "form")
        .into_iter()
        .filter(|t| attr(t, "method") == Some("post"))
        .count();
    let tokens = html
        .matches("name=\"csrf_token\" value=\"tok-123\"")
        .count();
    assert_eq!(
        posts, tokens,
        "{name}: a POST form without its csrf_token field"
    );

    // Every control has a label, and ids are unique.
    let mut ids = BTreeSet::new();
    for tag in ["input", "select", "textarea"]
        .iter()
        .flat_map(|t| tags(html, t))
    {
        if matches!(attr(tag, "type"), Some("hidden") | Some("submit")) {
            continue;
        }
        let id = attr(tag, "id").unwrap_or_else(|| panic!("{name}: control without id: {tag}"));
        assert!(
            html.contains(&format!("for=\"{id}\"")),
            "{name}: no label for {id}"
        );
    }
    let mut rest = html;
    while let Some(start) = rest.find(" id=\"") {
        let after = &rest[start + 5..];
        let end = after.find('"').unwrap();
        assert!(
            ids.insert(after[..end].to_owned()),
            "{name}: duplicate id {}",
            &after[..end]
        );
        rest = &after[end..];
    }
    // Links to fragments point at something that exists (error summary, skip link).
    for tag in tags(html, "a") {
        if let Some(target) = attr(tag, "href").and_then(|h| h.strip_prefix('#'))
            && !target.is_empty()
            && !html.contains(&format!("id=\"{target}\""))
        {
            // The summary may name a field this page does not have (server-side keys).
            assert!(tag.contains("field-"), "{name}: dangling link to #{target}");
        }
    }

    // One h1, and no heading deeper than one level below the previous one.
    let mut levels = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<h") {
        let after = &rest[start + 2..];
        if let Some(level) = after.chars().next().and_then(|c| c.to_digit(10))
            && matches!(after.chars().nth(1), Some(' ') | Some('>'))
        {
            levels.push(level);
        }
        rest = after;
    }
    assert_eq!(
        levels.iter().filter(|l| **l == 1).count(),
        1,
        "{name}: exactly one h1: {levels:?}"
    );
    let first_h1 = levels.iter().position(|l| *l == 1).unwrap();
    for pair in levels[first_h1..].windows(2) {
        assert!(pair[1] <= pair[0] + 1, "{name}: heading jump {levels:?}");
    }

    // No untranslated key shows (a missing key renders as itself, "nav.themes").
    for prefix in key_prefixes() {
        let needle = format!("{prefix}.");
        for (at, _) in html.match_indices(&needle) {
            let before = html[..at].chars().next_back();
            let after = html[at + needle.len()..].chars().next();
            let word_start =
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            assert!(
                !(word_start
                    && after.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "{name}: missing translation near {}",
                &html[at..(at + 40).min(html.len())]
            );
        }
    }
}

#[test]
fn every_page_renders_in_both_languages() {
    for lang in Lang::ALL {
        for (name, html) in all_pages(lang) {
            check_page(name, lang, &html);
        }
    }
}

#[test]
fn languages_differ() {
    let fr = home_anonymous(&ctx(Lang::Fr, false), true).into_string();
    let en = home_anonymous(&ctx(Lang::En, false), true).into_string();
    assert!(fr.contains("Aller au contenu") && fr.contains("Se connecter"));
    assert!(en.contains("Skip to content") && en.contains("Sign in"));
}

#[test]
fn layout_navigation_and_language_switch() {
    let html = home(&ctx(Lang::Fr, true), &HomeView::default()).into_string();
    assert!(html.contains("<nav class=\"main-nav\" aria-label=\"Navigation principale\">"));
    assert!(html.contains("href=\"/admin\""), "admin link for admins");
    assert!(html.contains("href=\"/members/7\""), "viewer's profile");
    assert!(html.contains("action=\"/logout\""));
    assert!(html.contains("href=\"/lang/en?next=/groups/3\" hreflang=\"en\""));
    assert!(html.contains(
        "href=\"/lang/fr?next=/groups/3\" hreflang=\"fr\" lang=\"fr\" aria-current=\"true\""
    ));
    assert!(html.contains("role=\"status\""), "flash");
    assert!(
        html.contains("aria-current=\"page\">Groupes</a>"),
        "current section"
    );

    let mut visitor = ctx(Lang::En, false);
    visitor.flash = None;
    visitor.csrf_token = None;
    let html = home_anonymous(&visitor, false).into_string();
    assert!(!html.contains("href=\"/admin\""));
    assert!(!html.contains("/logout"));
    assert!(html.contains("href=\"/login?next=/groups/3\""));
    assert!(!html.contains("href=\"/register\""), "registration closed");
    assert!(!html.contains("role=\"status\""));
    assert!(!html.contains("csrf"));
    assert!(
        home_anonymous(&visitor, true)
            .into_string()
            .contains("href=\"/register\"")
    );
}

#[test]
fn user_strings_are_escaped() {
    let member = ctx(Lang::Fr, true);
    let mut group = group_view(GroupKindView::Theme, HOSTILE);
    group.description = HOSTILE.into();
    group.breadcrumbs = vec![("1".into(), HOSTILE.into())];
    let pages = [
        group_page(&member, &group).into_string(),
        manage_group(&member, &manage_view(HOSTILE), &errors()).into_string(),
        groups_index(
            &member,
            &GroupsIndexView {
                themes: vec![card("1", HOSTILE, GroupKindView::Theme, None)],
                ..Default::default()
            },
        )
        .into_string(),
        error_page(&member, 404, HOSTILE).into_string(),
        invitation(
            &member,
            &InvitationView {
                token: "t".into(),
                group_name: HOSTILE.into(),
                role: RoleView::Member,
                inviter_name: HOSTILE.into(),
                email: "x@y.z".into(),
                needs_account: false,
                needs_login: false,
            },
            &FormErrors::new(),
        )
        .into_string(),
        page(
            &PageContext {
                viewer: Some(ViewerView {
                    id: "\"><x".into(),
                    name: HOSTILE.into(),
                    is_admin: false,
                }),
                flash: Some(HOSTILE.into()),
                path: "/\"><script>".into(),
                ..ctx(Lang::Fr, true)
            },
            HOSTILE,
            maud::html! {},
        )
        .into_string(),
    ];
    for html in pages {
        assert!(!html.contains(HOSTILE), "unescaped: {html}");
        assert!(!html.contains("<script"), "a script tag: {html}");
        assert!(html.contains(ESCAPED));
    }
}

#[test]
fn error_summary_links_to_fields() {
    let html = register(&ctx(Lang::Fr, false), &RegisterForm::default(), &errors()).into_string();
    assert!(html.contains("<div class=\"error-summary\" role=\"alert\""));
    assert!(html.contains("<title>Erreur : Créer un compte — Atelier</title>"));
    assert!(html.contains("<a href=\"#field-name\">Indiquez un nom.</a>"));
    assert!(html.contains("id=\"field-name\""));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("aria-describedby=\"field-name-hint field-name-error\""));
    let html = register(
        &ctx(Lang::Fr, false),
        &RegisterForm::default(),
        &FormErrors::new(),
    )
    .into_string();
    assert!(!html.contains("error-summary"));
    assert!(!html.contains("aria-invalid"));

    let html = login(
        &ctx(Lang::En, false),
        &LoginForm {
            error: Some("Wrong.".into()),
            ..Default::default()
        },
    )
    .into_string();
    assert!(html.contains("<a href=\"#field-email\">Wrong.</a>"));
}

#[test]
fn group_pages_show_trust_and_kind() {
    let member = ctx(Lang::Fr, true);
    let theme = group_page(&member, &group_view(GroupKindView::Theme, "Écologie")).into_string();
    assert!(theme.contains("Visible par :"));
    assert!(theme.contains("<strong>les adhérents</strong>"));
    assert!(theme.contains("au-delà des conventions"));
    assert!(theme.contains("action=\"/groups/3/join\""));
    assert!(theme.contains("Rejoindre ce thème"));

    let section = group_page(
        &member,
        &GroupView {
            can_join: false,
            ..group_view(GroupKindView::Section, "Lyon 1er")
        },
    )
    .into_string();
    assert!(section.contains("Fédération du Rhône"));
    assert!(section.contains("aria-label=\"Fil d’Ariane\""));
    assert!(!section.contains("/join"));
    assert!(section.contains("href=\"/groups/3/members\""));
    assert!(section.contains("href=\"/groups/3/manage\""));

    let federation = group_page(
        &member,
        &GroupView {
            children: vec![],
            ..group_view(GroupKindView::Federation, "Rhône")
        },
    )
    .into_string();
    assert!(federation.contains("Cette fédération n’a pas encore de section."));

    let english = group_page(
        &ctx(Lang::En, true),
        &GroupView {
            visibility: VisibilityView::Group,
            ..group_view(GroupKindView::Theme, "Ecology")
        },
    )
    .into_string();
    assert!(english.contains("Visible to:"));
    assert!(english.contains("the group’s members"));
}

#[test]
fn manage_page_forms() {
    let html = manage_group(
        &ctx(Lang::Fr, true),
        &manage_view("Rhône"),
        &FormErrors::new(),
    )
    .into_string();
    assert!(html.contains("action=\"/groups/3/members\""));
    assert!(html.contains("action=\"/groups/3/invitations\""));
    assert!(html.contains("action=\"/groups/3/edit\""));
    assert!(html.contains("action=\"/groups\""));
    assert!(html.contains("name=\"parent_id\" value=\"3\""));
    assert!(html.contains("name=\"member_id\" value=\"8\""));
    assert!(html.contains("<option value=\"member\" selected>Adhérent·e</option>"));
    // A role the viewer may not give is shown, not offered.
    assert!(!html.contains("name=\"member_id\" value=\"9\""));
    assert!(html.contains("Administrateur·rice"));
    assert!(html.contains("<option value=\"section\">Section</option>"));
    assert!(html.contains("value=\"members\" checked"));
}

#[test]
fn directory_pagination_and_search() {
    let view = DirectoryView {
        group_id: "3".into(),
        group_name: "Lyon".into(),
        members: vec![entry("8", "Dominique", RoleView::Member)],
        page: 2,
        pages: 3,
        query: "a&b c".into(),
    };
    let html = directory(&ctx(Lang::Fr, true), &view).into_string();
    assert!(html.contains("method=\"get\" action=\"/groups/3/members\""));
    assert!(html.contains("name=\"q\" type=\"search\" value=\"a&amp;b c\""));
    assert!(html.contains("href=\"/groups/3/members?q=a%26b%20c&amp;page=1\" rel=\"prev\""));
    assert!(html.contains("href=\"/groups/3/members?q=a%26b%20c&amp;page=3\" rel=\"next\""));
    assert!(html.contains("Page 2 sur 3"));
    let empty = directory(
        &ctx(Lang::Fr, true),
        &DirectoryView {
            members: vec![],
            ..view
        },
    )
    .into_string();
    assert!(empty.contains("Aucun membre ne correspond à « a&amp;b c »"));
}

#[test]
fn error_pages() {
    let visitor = ctx(Lang::Fr, false);
    assert!(
        error_page(&visitor, 404, "")
            .into_string()
            .contains("Page introuvable")
    );
    assert!(
        error_page(&visitor, 429, "")
            .into_string()
            .contains("Trop de tentatives, réessayez dans quelques minutes")
    );
    let html = error_page(&visitor, 500, "").into_string();
    assert!(html.contains("<title>Un problème est survenu de notre côté — Atelier</title>"));
    assert!(html.contains("href=\"/\""));
    assert!(
        error_page(&ctx(Lang::En, false), 404, "")
            .into_string()
            .contains("Page not found")
    );
}

#[test]
fn enums_round_trip_and_have_labels() {
    for kind in GroupKindView::ALL {
        assert_eq!(GroupKindView::from_code(kind.code()), Some(*kind));
    }
    for role in RoleView::ALL {
        assert_eq!(RoleView::from_code(role.code()), Some(*role));
    }
    for visibility in VisibilityView::ALL {
        assert_eq!(
            VisibilityView::from_code(visibility.code()),
            Some(*visibility)
        );
    }
    for mode in RegistrationModeView::ALL {
        assert_eq!(RegistrationModeView::from_code(mode.code()), Some(*mode));
    }
    assert_eq!(GroupKindView::from_code("nope"), None);
    assert_eq!(RoleView::Supporter.label(Lang::Fr), "Sympathisant·e");
    assert_eq!(RoleView::Organiser.label(Lang::Fr), "Organisateur·rice");
    assert_eq!(RoleView::Admin.label(Lang::En), "Administrator");
    assert_eq!(
        GroupKindView::WorkingGroup.label(Lang::Fr),
        "Groupe de travail"
    );
    assert_eq!(
        GroupKindView::Federation.plural_label(Lang::En),
        "Federations"
    );
    assert_eq!(VisibilityView::Members.label(Lang::Fr), "les adhérents");
}

#[test]
fn server_helpers() {
    assert_eq!(t(Lang::Fr, "flash.joined"), "Vous avez rejoint le groupe.");
    assert_eq!(t(Lang::En, "flash.joined"), "You have joined the group.");
    assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
    let args = [
        ("actor", "Sacha"),
        ("member", "Dominique"),
        ("group", "Lyon"),
        ("detail", ""),
    ];
    assert_eq!(
        t_args(Lang::Fr, "activity.member_joined", &args),
        "Dominique a rejoint Lyon"
    );
    assert_eq!(
        t_args(Lang::En, "activity.something_new", &args),
        "Something new in Lyon"
    );
    assert_eq!(crate::fill("%{a} %{b} %{", &[("a", "1")]), "1 %{b} %{");
    assert_eq!(crate::components::member_count(Lang::Fr, 0), "0 membre");
    assert_eq!(crate::components::member_count(Lang::En, 0), "0 members");
    assert_eq!(crate::components::member_count(Lang::Fr, 2), "2 membres");
}

// ---- The translations ----

fn locale_file() -> BTreeMap<String, serde_yaml::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/app.yml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn key_prefixes() -> BTreeSet<String> {
    locale_file()
        .keys()
        .filter(|k| !k.starts_with('_'))
        .map(|k| k.split('.').next().unwrap().to_owned())
        .collect()
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("%{")
        .skip(1)
        .filter_map(|s| s.split_once('}'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

#[test]
fn every_key_has_french_and_english_with_the_same_placeholders() {
    let file = locale_file();
    assert_eq!(file.get("_version").and_then(|v| v.as_u64()), Some(2));
    for (key, value) in file.iter().filter(|(k, _)| !k.starts_with('_')) {
        let map = value
            .as_mapping()
            .unwrap_or_else(|| panic!("{key}: not a mapping"));
        let text = |code: &str| {
            map.get(code)
                .and_then(|v| v.as_str())
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| panic!("{key}: no {code}"))
                .to_owned()
        };
        let (fr, en) = (text("fr"), text("en"));
        assert_eq!(map.len(), 2, "{key}: only fr and en");
        assert_eq!(
            placeholders(&fr),
            placeholders(&en),
            "{key}: placeholders differ"
        );
        // And the compiled translations agree with the file.
        assert_eq!(t(Lang::Fr, key), fr, "{key}");
        assert_eq!(t(Lang::En, key), en, "{key}");
    }
    let mut locales = rust_i18n::available_locales!();
    locales.sort();
    assert_eq!(locales, ["en", "fr"]);
}

/// Every literal key in the sources (`"prefix.rest"` with a known prefix) is in the file.
#[test]
fn every_key_used_is_defined() {
    let file = locale_file();
    let prefixes = key_prefixes();
    let mut used = 0;
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            // Every chunk between two quotes, whatever the parity: comments may hold quotes.
            for literal in source.split('"') {
                let is_key = literal.contains('.')
                    && !literal.ends_with('.')
                    && literal.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && prefixes.contains(literal.split('.').next().unwrap());
                if is_key {
                    used += 1;
                    assert!(
                        file.contains_key(literal),
                        "{}: {literal} is not in locales/app.yml",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(used > 100, "the scan found only {used} keys");
}

#[test]
fn error_summary_follows_the_fields_order() {
    let errors = FormErrors::from([
        ("password_confirmation".to_owned(), "B".to_owned()),
        ("email".to_owned(), "A".to_owned()),
        ("zzz_other".to_owned(), "C".to_owned()),
    ]);
    let html = register(&ctx(Lang::Fr, false), &RegisterForm::default(), &errors).into_string();
    let a = html.find(">A</a>").unwrap();
    let b = html.find(">B</a>").unwrap();
    let c = html.find(">C</a>").unwrap();
    assert!(a < b && b < c, "summary order");
}

/// The stylesheet and the icon: present, and nothing loaded from another origin.
#[test]
fn static_assets_are_self_contained() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/static");
    let css = std::fs::read_to_string(dir.join("atelier.css")).unwrap();
    let svg = std::fs::read_to_string(dir.join("favicon.svg")).unwrap();
    for needle in ["@import", "url(", "//fonts.", "https:", "http:"] {
        assert!(!css.contains(needle), "atelier.css contains {needle}");
    }
    assert!(css.contains(":focus-visible"));
    assert!(css.contains("@media (max-width: 700px)"));
    assert!(css.contains("line-through"));
    assert_eq!(
        css.matches('{').count(),
        css.matches('}').count(),
        "unbalanced braces"
    );
    assert!(svg.starts_with("<svg"));
    // Only the SVG namespace, which is a name, not a fetch.
    assert_eq!(svg.matches("http").count(), 1);
}

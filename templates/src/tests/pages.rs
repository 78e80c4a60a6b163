//! What every page shares: both languages, the layout, escaping, error summaries and error
//! pages, the coded values' labels, the static assets.

use super::*;

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
                for_another_account: false,
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
        assert!(
            !html.replace(&forms_script(), "").contains("<script"),
            "a script tag: {html}"
        );
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

/// Pages link to assets by their content's hash, so a new version of a file has a new name
/// (and browsers may keep each name for good).
#[test]
fn asset_urls_carry_the_hash_of_the_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/static");
    let names: Vec<&str> = crate::assets::ALL.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "amend.js",
            "atelier.css",
            "automerge.wasm",
            "editor.js",
            "favicon.svg",
            "forms.js"
        ]
    );
    for (name, url) in crate::assets::ALL {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let (stem, extension) = name.rsplit_once('.').unwrap();
        let hash = crate::assets::content_hash(&bytes);
        assert_eq!(*url, format!("/assets/{stem}.{hash}.{extension}"));
    }
    assert_ne!(
        crate::assets::content_hash(b"a"),
        crate::assets::content_hash(b"b")
    );
    let page = crate::page(&ctx(Lang::Fr, true), "Titre", maud::html! {}).into_string();
    assert!(page.contains(&format!(
        "<link rel=\"stylesheet\" href=\"{}\">",
        crate::assets::ATELIER_CSS
    )));
    assert!(!page.contains("/assets/atelier.css"));
}

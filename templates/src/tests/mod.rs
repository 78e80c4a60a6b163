//! Every page, in both languages, through the same checks: landmarks, language, CSRF fields,
//! labels, unique ids, heading order, escaping, and no missing translation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::*;

const HOSTILE: &str = "<script>alert(1)</script>";
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";
/// Our own script of every page: the forms' size check.
/// The one script every page carries (`assets/static/forms.js`, under its hashed name).
fn forms_script() -> String {
    format!(
        r#"<script src="{}" defer></script>"#,
        crate::assets::FORMS_JS
    )
}

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
        texts: vec![
            text_item(
                "20",
                "Chapitre : transports",
                TextKindView::Programme,
                TextStatusView::Amending,
            ),
            text_item(
                "21",
                "Lexique",
                TextKindView::Wiki,
                TextStatusView::Drafting,
            ),
        ],
        can_create_text: true,
        related: Vec::new(),
    }
}

fn text_item(id: &str, title: &str, kind: TextKindView, status: TextStatusView) -> TextListItem {
    TextListItem {
        id: id.into(),
        title: title.into(),
        kind,
        status,
        updated_at: time::macros::datetime!(2026-03-01 14:05 UTC),
    }
}

fn work_item(id: &str, is_new: bool, can_contribute: bool) -> WorkItem {
    WorkItem {
        id: id.into(),
        title: format!("Texte {id} {HOSTILE}"),
        group_name: "Écologie".into(),
        kind: TextKindView::Programme,
        status: TextStatusView::Drafting,
        updated_at: time::macros::datetime!(2026-03-02 10:30 UTC),
        is_new,
        can_contribute,
    }
}

fn text_header(status: TextStatusView, can_write: bool) -> TextHeaderView {
    TextHeaderView {
        id: "20".into(),
        title: "Chapitre : transports".into(),
        kind: TextKindView::Programme,
        status,
        group_id: "3".into(),
        group_name: "Écologie".into(),
        updated_at: time::macros::datetime!(2026-03-01 14:05 UTC),
        can_write,
        can_manage: can_write,
        status_moves: Vec::new(),
        contributor: can_write,
    }
}

const BODY_HTML: &str = "<h2 id=\"intro\">Introduction</h2><p>Le train <a class=\"wikilink missing\" href=\"/groups/3/wiki/Fret\">Fret</a>.</p><h3 id=\"fret\">Fret</h3><p>Plus de fret.</p>";

fn read_view() -> TextReadView {
    TextReadView {
        header: TextHeaderView {
            status_moves: vec![TextStatusView::Amending],
            ..text_header(TextStatusView::Drafting, true)
        },
        body_html: BODY_HTML.into(),
        toc: vec![
            TocEntryView {
                level: 2,
                text: "Introduction".into(),
                anchor: "intro".into(),
            },
            TocEntryView {
                level: 3,
                text: "Fret".into(),
                anchor: "fret".into(),
            },
        ],
        backlinks: vec![TextLinkView {
            id: "21".into(),
            title: "Lexique".into(),
            group_name: "Écologie".into(),
        }],
        amend: None,
        related: Vec::new(),
    }
}

fn versions() -> Vec<VersionView> {
    vec![
        VersionView {
            id: "v2".into(),
            label: "Avant le congrès".into(),
            author_name: Some("Sacha".into()),
            created_at: time::macros::datetime!(2026-03-02 09:00 UTC),
        },
        VersionView {
            id: "v1".into(),
            label: "Premier jet".into(),
            author_name: None,
            created_at: time::macros::datetime!(2026-02-01 18:30 UTC),
        },
    ]
}

fn session(
    authors: Vec<SessionAuthorView>,
    words: Option<(usize, usize)>,
    from: &str,
    to: &str,
) -> SessionView {
    SessionView {
        authors,
        started_at: time::macros::datetime!(2026-03-01 14:05 UTC),
        ended_at: time::macros::datetime!(2026-03-01 14:20 UTC),
        batches: 12,
        words,
        approximate: false,
        messages: vec![],
        from: from.into(),
        to: to.into(),
        continues_earlier: false,
    }
}

fn member_author(name: Option<&str>) -> SessionAuthorView {
    SessionAuthorView {
        name: name.map(Into::into),
        server: false,
        changes: 3,
    }
}

fn history_view() -> TextHistoryView {
    TextHistoryView {
        header: text_header(TextStatusView::Drafting, true),
        versions: versions(),
        sessions: vec![
            SessionView {
                messages: vec!["Reformulation".into()],
                ..session(
                    vec![
                        member_author(Some("Dominique")),
                        member_author(Some("Louise")),
                    ],
                    Some((12, 1)),
                    "e7",
                    "e9",
                )
            },
            SessionView {
                batches: 1,
                messages: vec!["created".into(), "restored version 3; Import".into()],
                ..session(
                    vec![SessionAuthorView {
                        name: None,
                        server: true,
                        changes: 1,
                    }],
                    None,
                    "start",
                    "e7",
                )
            },
        ],
        paged: false,
        older: None,
        label_error: Some("Indiquez un nom.".into()),
    }
}

fn diff_view() -> TextDiffView {
    TextDiffView {
        header: text_header(TextStatusView::Amending, false),
        from_label: "Premier jet".into(),
        to_label: "maintenant".into(),
        rendered_html: Some(
            "<h2>Le <del>car</del><ins>train de nuit</ins></h2><p>roule.</p>".into(),
        ),
        source_html: None,
        insertions: 3,
        deletions: 1,
        truncated: false,
        versions: versions(),
        extra_points: vec![],
        from: "v1".into(),
        to: "now".into(),
    }
}

fn new_text_view() -> NewTextView {
    NewTextView {
        group_id: "3".into(),
        group_name: "Écologie".into(),
        title: "Plan vélo".into(),
        kind: "wiki".into(),
        template: String::new(),
        markdown: String::new(),
        errors: FormErrors::from([
            ("title".to_owned(), "Le titre est obligatoire.".to_owned()),
            ("file".to_owned(), "Choisissez un fichier.".to_owned()),
        ]),
    }
}

fn wiki_missing_view(can_create: bool) -> WikiMissingView {
    WikiMissingView {
        group_id: "3".into(),
        group_name: "Écologie".into(),
        title: "Plan vélo & co".into(),
        can_create,
        backlinks: vec![TextLinkView {
            id: "20".into(),
            title: "Chapitre : transports".into(),
            group_name: "Écologie".into(),
        }],
    }
}

fn changes_view() -> GroupChangesView {
    GroupChangesView {
        group_id: "3".into(),
        group_name: "Écologie".into(),
        authors: Default::default(),
        items: vec![
            text_item(
                "20",
                "Chapitre : transports",
                TextKindView::Programme,
                TextStatusView::Adopted,
            ),
            text_item(
                "21",
                "Lexique",
                TextKindView::Wiki,
                TextStatusView::Archived,
            ),
        ],
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
        invitations: Vec::new(),
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
        drafting: vec![work_item("20", true, true), work_item("21", false, false)],
        since: Some(time::macros::datetime!(2026-03-01 09:00 UTC)),
        changed: vec![work_item("20", true, true)],
    };
    let welcome_view = WelcomeView {
        group_names: vec!["Section Lyon 1er".into(), "Écologie".into()],
        drafting: vec![work_item("20", false, true)],
        open_drafting: vec![work_item("22", false, true)],
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
        visible_to_party: false,
        gender: String::new(),
        disabled: false,
        can_disable: false,
        form: None,
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
        for_another_account: false,
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
        ("welcome", welcome(&member, &welcome_view).into_string()),
        (
            "welcome_empty",
            welcome(&member, &WelcomeView::default()).into_string(),
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
            "profile_with_errors",
            profile(
                &member,
                &ProfileView {
                    form: Some(ProfileFormView {
                        name: String::new(),
                        functions: "Trésorière\nSecrétaire".into(),
                        mandates: String::new(),
                        visible_to_party: true,
                        gender: "woman".into(),
                        errors: FormErrors::from([("name".to_owned(), "Indiquez un nom.".to_owned())]),
                    }),
                    ..profile_view.clone()
                },
            )
            .into_string(),
        ),
        (
            "profile_other",
            profile(
                &member,
                &ProfileView {
                    is_self: false,
                    disabled: false,
                    can_disable: false,
                    email: None,
                    memberships: vec![],
                    ..profile_view.clone()
                },
            )
            .into_string(),
        ),
        (
            "profile_disabled_seen_by_an_admin",
            profile(
                &member,
                &ProfileView {
                    is_self: false,
                    disabled: true,
                    can_disable: true,
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
        ("text_page", text_page(&member, &read_view()).into_string()),
        (
            "text_page_plain",
            text_page(
                &visitor,
                &TextReadView {
                    header: text_header(TextStatusView::Archived, false),
                    body_html: String::new(),
                    toc: vec![],
                    backlinks: vec![],
                    amend: None,
                    related: Vec::new(),
                },
            )
            .into_string(),
        ),
        (
            "text_page_one_heading",
            text_page(
                &member,
                &TextReadView {
                    toc: read_view().toc[..1].to_vec(),
                    body_html: String::new(),
                    ..read_view()
                },
            )
            .into_string(),
        ),
        (
            "text_edit_page",
            text_edit_page(
                &member,
                &TextEditView {
                    header: text_header(TextStatusView::Drafting, true),
                    readonly: false,
                    sync_url: "/texts/20/sync".into(),
                    write_bar: None,
                },
            )
            .into_string(),
        ),
        (
            "text_edit_page_join",
            text_edit_page(
                &member,
                &TextEditView {
                    header: text_header(TextStatusView::Drafting, false),
                    readonly: true,
                    sync_url: "/texts/20/sync".into(),
                    write_bar: Some(WriteBarView::Join(GroupKindView::Theme)),
                },
            )
            .into_string(),
        ),
        (
            "text_edit_page_readonly",
            text_edit_page(
                &visitor,
                &TextEditView {
                    header: text_header(TextStatusView::Amending, false),
                    readonly: true,
                    sync_url: "/texts/20/sync".into(),
                    write_bar: None,
                },
            )
            .into_string(),
        ),
        (
            "text_lines_page",
            text_lines_page(
                &member,
                &TextLinesView {
                    header: text_header(TextStatusView::Amending, false),
                    numbered_html: "<section class=\"numbered-block\" id=\"p1\" data-paragraph=\"1\"><span class=\"paragraph-number\">§1</span><span class=\"line\" data-line=\"1\">Le train de nuit relie les villes</span><span class=\"line\" data-line=\"2\">moyennes entre elles.</span></section><section class=\"numbered-block\" id=\"p12\" data-paragraph=\"12\"><span class=\"paragraph-number\">§12</span><span class=\"line\" data-line=\"1\">Le fret revient</span></section>".into(),
                },
            )
            .into_string(),
        ),
        (
            "text_history_page",
            text_history_page(&member, &history_view()).into_string(),
        ),
        (
            "text_history_page_empty",
            text_history_page(
                &visitor,
                &TextHistoryView {
                    header: text_header(TextStatusView::Adopted, false),
                    versions: vec![],
                    sessions: vec![],
                    paged: false,
                    older: None,
                    label_error: None,
                },
            )
            .into_string(),
        ),
        ("text_diff_page", text_diff_page(&member, &diff_view()).into_string()),
        (
            "text_diff_page_truncated",
            text_diff_page(
                &member,
                &TextDiffView {
                    truncated: true,
                    insertions: 0,
                    deletions: 0,
                    versions: vec![],
                    ..diff_view()
                },
            )
            .into_string(),
        ),
        ("new_text_page", new_text_page(&member, &new_text_view()).into_string()),
        (
            "new_text_page_plain",
            new_text_page(
                &member,
                &NewTextView {
                    group_id: "3".into(),
                    group_name: "Écologie".into(),
                    ..Default::default()
                },
            )
            .into_string(),
        ),
        (
            "wiki_missing_page",
            wiki_missing_page(&member, &wiki_missing_view(true)).into_string(),
        ),
        (
            "wiki_missing_page_cannot",
            wiki_missing_page(
                &visitor,
                &WikiMissingView {
                    backlinks: vec![],
                    ..wiki_missing_view(false)
                },
            )
            .into_string(),
        ),
        ("group_changes_page", group_changes_page(&member, &changes_view()).into_string()),
        (
            "group_changes_page_empty",
            group_changes_page(
                &visitor,
                &GroupChangesView {
                    items: vec![],
                    ..changes_view()
                },
            )
            .into_string(),
        ),
        (
            "group_page_no_texts",
            group_page(
                &visitor,
                &GroupView {
                    texts: vec![],
                    can_create_text: false,
                    related: Vec::new(),
                    ..group_view(GroupKindView::Theme, "Santé")
                },
            )
            .into_string(),
        ),
    ]
    .into_iter()
    .chain(related::pages(&member, &visitor))
    .collect()
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
    for prefix in translations::key_prefixes() {
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

mod groups;
mod home;
mod pages;
mod related;
mod texts;
mod translations;

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
                    ..group_view(GroupKindView::Theme, "Santé")
                },
            )
            .into_string(),
        ),
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

// ---- Texts ----

#[test]
fn text_page_reads_and_manages() {
    let html = text_page(&ctx(Lang::Fr, true), &read_view()).into_string();
    // The body is the server's sanitised HTML, inserted as it is.
    assert!(html.contains(BODY_HTML));
    assert!(html.contains("<article class=\"prose text-body\" aria-labelledby=\"text-title\">"));
    assert!(html.contains("<h1 id=\"text-title\">Chapitre : transports</h1>"));
    assert!(html.contains("<span class=\"tag tag--status-drafting\">En rédaction</span>"));
    assert!(html.contains("<span class=\"tag tag--text-programme\">Programme</span>"));
    assert!(html.contains("modifié le 1er mars 2026 à 14 h 05"));
    assert!(html.contains("datetime=\"2026-03-01T14:05:00Z\""));
    // The tabs.
    assert!(html.contains("<nav class=\"tabs\" aria-label=\"Vues du texte\">"));
    assert!(html.contains("<a href=\"/texts/20\" aria-current=\"page\">Lire</a>"));
    assert!(html.contains("<a href=\"/texts/20/edit\">Modifier</a>"));
    assert!(html.contains("<a href=\"/texts/20/lines\">Lignes numérotées</a>"));
    assert!(html.contains("<a href=\"/texts/20/history\">Historique</a>"));
    // The contents, nested by level.
    assert!(html.contains("<nav class=\"toc\" aria-labelledby=\"toc-title\">"));
    assert!(html.contains(
        "<li><a href=\"#intro\">Introduction</a><ol role=\"list\"><li><a href=\"#fret\">Fret</a></li></ol></li>"
    ));
    assert!(html.contains("Pages qui pointent ici"));
    assert!(html.contains("href=\"/texts/21\""));
    assert!(html.contains("href=\"/texts/20/export.md\""));
    assert!(html.contains("href=\"/texts/20/export.html\""));
    assert!(html.contains("method=\"post\" action=\"/texts/20/status\""));
    assert!(html.contains("<select id=\"field-status\" name=\"status\">"));
    // A drafted text can only be opened for amendments: the form offers that move alone.
    assert!(html.contains("<option value=\"amending\">En amendement</option>"));
    assert_eq!(html.matches("<option value=").count(), 1);

    // Without rights, no status form; without two headings, no contents; an empty text says so.
    let plain = text_page(
        &ctx(Lang::En, false),
        &TextReadView {
            header: text_header(TextStatusView::Amending, false),
            body_html: String::new(),
            toc: read_view().toc[..1].to_vec(),
            backlinks: vec![],
        },
    )
    .into_string();
    assert!(!plain.contains("/status"));
    assert!(!plain.contains("class=\"toc\""));
    assert!(!plain.contains("Pages that link here"));
    assert!(plain.contains("This text is still empty."));
    assert!(plain.contains(">Open for amendments</span>"));
    assert!(plain.contains("<a href=\"/texts/20/edit\">Watch live</a>"));
    assert!(plain.contains("updated on 1 March 2026 at 14:05"));
}

#[test]
fn text_edit_page_keeps_the_editor_contract() {
    let html = text_edit_page(
        &ctx(Lang::Fr, true),
        &TextEditView {
            header: text_header(TextStatusView::Drafting, true),
            readonly: false,
            sync_url: "/texts/20/sync?x=1&y=2".into(),
            write_bar: None,
        },
    )
    .into_string();
    assert!(html.contains(&format!(
        "<div id=\"atelier-editor\" data-sync-url=\"/texts/20/sync?x=1&amp;y=2\" data-readonly=\"false\" data-text-id=\"20\" data-lang=\"fr\" data-wasm-url=\"{}\"></div>",
        crate::assets::AUTOMERGE_WASM
    )));
    assert!(
        html.contains("<p id=\"atelier-editor-status\" role=\"status\" aria-live=\"polite\"></p>")
    );
    assert!(html.contains(&format!(
        "<script type=\"module\" src=\"{}\"></script>",
        crate::assets::EDITOR_JS
    )));
    assert!(html.contains(&format!(
        "<link rel=\"preload\" href=\"{}\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\">",
        crate::assets::AUTOMERGE_WASM
    )));
    assert!(html.contains("<noscript>"));
    assert!(
        html.contains(
            "Les modifications sont enregistrées au fil de la frappe et visibles de tous."
        )
    );
    assert!(html.contains("<a href=\"/texts/20/edit\" aria-current=\"page\">Modifier</a>"));
    assert!(!html.contains("vous ne pouvez pas le modifier"));

    let readonly = text_edit_page(
        &ctx(Lang::En, false),
        &TextEditView {
            header: text_header(TextStatusView::Amending, false),
            readonly: true,
            sync_url: "/texts/20/sync".into(),
            write_bar: None,
        },
    )
    .into_string();
    assert!(readonly.contains("data-readonly=\"true\" data-text-id=\"20\" data-lang=\"en\""));
    assert!(readonly.contains("you cannot edit it"));
    assert!(readonly.contains("it now changes only through amendments"));
    assert!(readonly.contains("Only members of “Écologie”"));
    assert!(readonly.contains("aria-current=\"page\">Watch live</a>"));
    assert!(!readonly.contains("saved as you type"));

    // A member reading a text that is no longer drafted: only the status is the reason.
    let member_readonly = text_edit_page(
        &ctx(Lang::Fr, true),
        &TextEditView {
            header: TextHeaderView {
                contributor: true,
                ..text_header(TextStatusView::Adopted, false)
            },
            readonly: true,
            sync_url: "/s".into(),
            write_bar: None,
        },
    )
    .into_string();
    assert!(member_readonly.contains("Il a été adopté : il ne change plus."));
    assert!(!member_readonly.contains("Seuls les membres"));
}

#[test]
fn a_reader_is_told_why_and_offered_the_one_button_that_lets_them_write() {
    let page_with = |status, bar| {
        text_edit_page(
            &ctx(Lang::Fr, true),
            &TextEditView {
                header: text_header(status, false),
                readonly: true,
                sync_url: "/s".into(),
                write_bar: Some(bar),
            },
        )
        .into_string()
    };
    let join = page_with(
        TextStatusView::Drafting,
        WriteBarView::Join(GroupKindView::Theme),
    );
    assert!(join.contains("Pour le modifier, rejoignez le thème « Écologie »"));
    assert!(
        join.contains("<form class=\"inline-form\" method=\"post\" action=\"/texts/20/join\">")
    );
    assert!(join.contains("name=\"csrf_token\" value=\"tok-123\""));
    assert!(join.contains(">Rejoindre ce thème pour modifier</button>"));
    let group = page_with(
        TextStatusView::Drafting,
        WriteBarView::Join(GroupKindView::WorkingGroup),
    );
    assert!(group.contains(">Rejoindre ce groupe pour modifier</button>"));
    // Joining would not let them write: why, and no button.
    for (status, bar, reason) in [
        (
            TextStatusView::Drafting,
            WriteBarView::Supporter,
            "réservé aux adhérent·es du parti",
        ),
        (
            TextStatusView::Drafting,
            WriteBarView::NotInGroup,
            "Seuls les membres de « Écologie »",
        ),
        (
            TextStatusView::Amending,
            WriteBarView::Join(GroupKindView::Theme),
            "il ne change plus que par des amendements",
        ),
    ] {
        let html = page_with(status, bar);
        assert!(html.contains(reason), "{bar:?}: {html}");
        assert!(!html.contains("/texts/20/join"), "{bar:?}");
    }
}

#[test]
fn the_home_page_leads_with_the_member_work_and_welcome_offers_each_text() {
    let home_view = HomeView {
        drafting: vec![work_item("20", true, true), work_item("21", false, false)],
        since: Some(time::macros::datetime!(2026-03-01 09:00 UTC)),
        changed: vec![work_item("20", true, true)],
        my_groups: vec![card("4", "Section Lyon 1er", GroupKindView::Section, None)],
        suggested_themes: vec![card("11", "Santé", GroupKindView::Theme, None)],
        ..HomeView::default()
    };
    let html = home(&ctx(Lang::Fr, true), &home_view).into_string();
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {html}"))
    };
    assert!(at("Vos textes en cours d’écriture") < at("Depuis votre dernière visite"));
    assert!(at("Depuis votre dernière visite") < at("Vos groupes"));
    assert!(at("Vos groupes") < at("Thèmes à rejoindre"));
    assert!(html.contains("depuis le 1er mars 2026 à 9 h 00"));
    assert!(html.contains("Nouveau depuis votre dernière visite"));
    assert!(html.contains("href=\"/texts/20\">Lire<span class=\"visually-hidden\"> : Texte 20"));
    assert!(html.contains("href=\"/texts/20/edit\">Contribuer"));
    assert!(
        !html.contains("href=\"/texts/21/edit\""),
        "no « Contribuer » where writing is out of reach"
    );
    let first = home(
        &ctx(Lang::En, true),
        &HomeView {
            drafting: vec![work_item("20", false, true)],
            ..HomeView::default()
        },
    )
    .into_string();
    assert!(first.contains("Your texts being drafted"));
    assert!(first.contains("Recently in your groups"), "a first visit");
    assert!(!first.contains("Since your last visit"));

    let welcome_html = welcome(
        &ctx(Lang::Fr, true),
        &WelcomeView {
            group_names: vec!["Lille-Centre".into()],
            drafting: vec![work_item("20", false, true)],
            open_drafting: vec![work_item("22", false, true)],
        },
    )
    .into_string();
    assert!(welcome_html.contains("Bienvenue, Camille Martin !"));
    assert!(welcome_html.contains("Vous faites maintenant partie de Lille-Centre."));
    assert!(
        welcome_html.find("href=\"/texts/20/edit\"") < welcome_html.find("href=\"/texts/22/edit\"")
    );
    let empty = welcome(&ctx(Lang::Fr, true), &WelcomeView::default()).into_string();
    assert!(empty.contains("Aucun texte n’est en cours d’écriture dans votre section"));
    assert!(empty.contains("href=\"/groups\""), "an empty state invites");
}

#[test]
fn text_lines_page_inserts_the_numbered_text() {
    let numbered = "<section class=\"numbered-block\" id=\"p12\" data-paragraph=\"12\"><span class=\"paragraph-number\">§12</span><span class=\"line\" data-line=\"3\">texte</span></section>";
    let html = text_lines_page(
        &ctx(Lang::Fr, true),
        &TextLinesView {
            header: text_header(TextStatusView::Amending, false),
            numbered_html: numbered.into(),
        },
    )
    .into_string();
    assert!(html.contains(&format!("<div class=\"numbered\">{numbered}</div>")));
    assert!(html.contains("« paragraphe 12, ligne 3 »"));
    assert!(html.contains("aria-current=\"page\">Lignes numérotées</a>"));
}

#[test]
fn text_history_names_compares_and_restores() {
    let html = text_history_page(&ctx(Lang::Fr, true), &history_view()).into_string();
    assert!(html.contains("<title>Erreur : Historique · Chapitre : transports — Atelier</title>"));
    assert!(html.contains("<a href=\"#field-label\">Indiquez un nom.</a>"));
    assert!(html.contains("method=\"post\" action=\"/texts/20/versions\""));
    assert!(html.contains("name=\"label\" type=\"text\""));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("Par exemple « Avant le congrès »."));
    assert!(html.contains("href=\"/texts/20/diff?from=v2&amp;to=now\""));
    assert!(html.contains("action=\"/texts/20/versions/v1/restore\""));
    assert!(html.contains("l’historique est conservé"));
    assert!(html.contains("par Sacha"));
    assert!(html.contains("method=\"get\" action=\"/texts/20/diff\""));
    assert!(html.contains("<option value=\"now\" selected>Maintenant (le texte actuel)</option>"));
    assert!(html.contains(
        "<option value=\"v2\" selected>Avant le congrès (2 mars 2026 à 9 h 00)</option>"
    ));
    // Sessions: who, the words, the batches, their own diff, and two points to compare.
    assert!(
        html.contains("<strong>Dominique, Louise</strong>"),
        "{html}"
    );
    assert!(html.contains("12 mots ajoutés, 1 supprimé · 6 modifications · <span class=\"edit-message\">Reformulation</span>"), "{html}");
    assert!(html.contains("<strong>Serveur</strong>"));
    // The server's messages in the reader's language.
    assert!(
        html.contains("<span class=\"edit-message\">création du texte</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"edit-message\">version 3 restaurée ; Import</span>"),
        "{html}"
    );
    assert!(html.contains("mots en cours de calcul"), "{html}");
    assert!(html.contains("href=\"/texts/20/diff?from=e7&amp;to=e9\""));
    assert!(html.contains("href=\"/texts/20/diff?from=start&amp;to=e7\""));
    assert!(
        html.contains("<input id=\"to-0\" type=\"radio\" name=\"to\" value=\"e9\" checked>"),
        "{html}"
    );
    assert!(
        html.contains("<input id=\"from-1\" type=\"radio\" name=\"from\" value=\"e7\" checked>"),
        "{html}"
    );
    assert!(
        html.contains("<input id=\"from-start\" type=\"radio\" name=\"from\" value=\"start\">"),
        "{html}"
    );
    assert!(html.contains("Comparer les points choisis"));
    assert!(!html.contains("?before="));

    // Who may neither write nor name versions sees the history only.
    let reader = text_history_page(
        &ctx(Lang::En, true),
        &TextHistoryView {
            header: text_header(TextStatusView::Adopted, false),
            label_error: None,
            ..history_view()
        },
    )
    .into_string();
    assert!(!reader.contains("/restore"));
    assert!(!reader.contains("action=\"/texts/20/versions\""));
    assert!(!reader.contains("error-summary"));
    assert!(reader.contains("<strong>Server</strong>"));
    // Authors the reader may not know are counted, not named.
    let anonymous = text_history_page(
        &ctx(Lang::Fr, false),
        &TextHistoryView {
            sessions: vec![session(
                vec![member_author(None), member_author(None)],
                Some((1, 0)),
                "start",
                "e1",
            )],
            ..history_view()
        },
    )
    .into_string();
    assert!(
        anonymous.contains("<strong>2 participant·e·s</strong>"),
        "{anonymous}"
    );
    assert!(
        reader.contains("12 words added, 1 deleted · 6 changes"),
        "{reader}"
    );
    assert!(reader.contains("Compare with now"));
}

#[test]
fn text_diff_summarises_with_plurals() {
    let html = text_diff_page(&ctx(Lang::Fr, true), &diff_view()).into_string();
    assert!(html.contains(
        "<div class=\"prose diff-rendered\"><h2>Le <del>car</del><ins>train de nuit</ins></h2><p>roule.</p></div>"
    ), "{html}");
    // The Markdown source is one link away, and shown instead when asked.
    assert!(
        html.contains("href=\"/texts/20/diff?from=v1&amp;to=now&amp;view=source\""),
        "{html}"
    );
    let source = text_diff_page(
        &ctx(Lang::Fr, true),
        &TextDiffView {
            rendered_html: None,
            source_html: Some(
                "Le <del>car</del><ins>train <mark>de nuit</mark></ins> roule.".into(),
            ),
            ..diff_view()
        },
    )
    .into_string();
    assert!(source.contains(
        "<div class=\"diff\">Le <del>car</del><ins>train <mark>de nuit</mark></ins> roule.</div>"
    ));
    assert!(
        source.contains("view=source\" aria-current=\"page\">Source Markdown</a>"),
        "{source}"
    );
    assert!(html.contains("3 mots ajoutés, 1 supprimé."));
    assert!(html.contains("De « Premier jet » à « maintenant »"));
    assert!(html.contains("<option value=\"v1\" selected>"));
    assert!(html.contains("<option value=\"now\" selected>"));
    assert!(html.contains("<a href=\"/texts/20/history\" aria-current=\"true\">Historique</a>"));
    assert!(!html.contains("trop longs"));
    let english = text_diff_page(
        &ctx(Lang::En, true),
        &TextDiffView {
            insertions: 1,
            deletions: 2,
            truncated: true,
            ..diff_view()
        },
    )
    .into_string();
    assert!(english.contains("1 word added, 2 deleted."));
    assert!(english.contains("too long for a word-by-word comparison"));
    let same = text_diff_page(
        &ctx(Lang::Fr, true),
        &TextDiffView {
            insertions: 0,
            deletions: 0,
            ..diff_view()
        },
    )
    .into_string();
    assert!(same.contains("Aucune différence"));
}

#[test]
fn new_text_page_creates_and_imports() {
    let html = new_text_page(&ctx(Lang::Fr, true), &new_text_view()).into_string();
    assert!(html.contains("<title>Erreur : Nouveau texte — Atelier</title>"));
    assert!(html.contains("method=\"post\" action=\"/groups/3/texts/new\""));
    assert!(html.contains("name=\"title\" type=\"text\" value=\"Plan vélo\""));
    assert!(html.contains("id=\"field-kind-wiki\" name=\"kind\" value=\"wiki\" checked"));
    // The template follows the kind when none was chosen.
    assert!(html.contains("<option value=\"wiki\" selected>Page de wiki</option>"));
    assert!(html.contains("<option value=\"chapter\">Chapitre de programme</option>"));
    assert!(html.contains("<option value=\"motion\">Motion</option>"));
    assert!(html.contains("Laisser vide pour partir du modèle."));
    assert!(html.contains(">Créer le texte</button>"));
    assert!(html.contains(
        "method=\"post\" action=\"/groups/3/texts/import\" enctype=\"multipart/form-data\""
    ));
    assert!(
        html.contains("id=\"field-file\" name=\"file\" type=\"file\" accept=\".md,text/markdown\"")
    );
    assert!(html.contains("id=\"field-import_title\" name=\"title\""));
    assert!(html.contains("Par défaut : le premier titre du fichier."));
    // The summary, in the order of the fields.
    let title = html.find("<a href=\"#field-title\">").unwrap();
    let file = html.find("<a href=\"#field-file\">").unwrap();
    assert!(title < file);
    assert_eq!(
        html.matches("name=\"csrf_token\"").count(),
        3,
        "logout and both forms"
    );

    let plain = new_text_page(
        &ctx(Lang::En, true),
        &NewTextView {
            group_id: "3".into(),
            group_name: "Ecology".into(),
            ..Default::default()
        },
    )
    .into_string();
    assert!(
        plain.contains("id=\"field-kind-programme\" name=\"kind\" value=\"programme\" checked")
    );
    assert!(plain.contains("<option value=\"chapter\" selected>Programme chapter</option>"));
    assert!(!plain.contains("aria-invalid"));
}

#[test]
fn wiki_missing_page_invites_to_create() {
    let html = wiki_missing_page(&ctx(Lang::Fr, true), &wiki_missing_view(true)).into_string();
    assert!(html.contains("Cette page n’existe pas encore"));
    assert!(
        html.contains(
            "href=\"/groups/3/texts/new?kind=wiki&amp;title=Plan%20v%C3%A9lo%20%26%20co\""
        )
    );
    assert!(html.contains("Créer la page « Plan vélo &amp; co »"));
    assert!(html.contains("Pages qui pointent ici"));
    let cannot = wiki_missing_page(&ctx(Lang::En, false), &wiki_missing_view(false)).into_string();
    assert!(!cannot.contains("/texts/new"));
    assert!(cannot.contains("Only members of “Écologie” can create it"));
}

#[test]
fn group_lists_its_texts() {
    let html = group_page(
        &ctx(Lang::Fr, true),
        &group_view(GroupKindView::Theme, "Écologie"),
    )
    .into_string();
    assert!(html.contains("<h2 id=\"group-texts\">Textes</h2>"));
    assert!(html.contains("<h3>Textes du programme</h3>"));
    assert!(html.contains("<h3>Pages de wiki</h3>"));
    assert!(
        html.contains("<a class=\"text-list-title\" href=\"/texts/20\">Chapitre : transports</a>")
    );
    assert!(html.contains(">En amendement</span>"));
    assert!(html.contains("modifié le 1er mars 2026 à 14 h 05"));
    assert!(html.contains("href=\"/groups/3/texts/new\""));
    assert!(html.contains("href=\"/groups/3/changes\""));

    let empty = group_page(
        &ctx(Lang::En, false),
        &GroupView {
            texts: vec![],
            can_create_text: false,
            ..group_view(GroupKindView::Theme, "Ecology")
        },
    )
    .into_string();
    assert!(empty.contains("This group has no text yet."));
    assert!(!empty.contains("/texts/new"));
    assert!(!empty.contains("/changes"));

    let changes = group_changes_page(&ctx(Lang::Fr, true), &changes_view()).into_string();
    assert!(changes.contains("<h1>Modifications récentes — Écologie</h1>"));
    assert!(changes.contains("<span class=\"tag tag--text-wiki\">Wiki</span>"));
    assert!(changes.contains(">Archivé</span>"));
    assert!(changes.contains(">Adopté</span>"));
}

#[test]
fn text_strings_are_escaped() {
    let member = ctx(Lang::Fr, true);
    let mut header = text_header(TextStatusView::Drafting, true);
    header.title = HOSTILE.into();
    header.group_name = HOSTILE.into();
    let versions = vec![VersionView {
        id: "v1".into(),
        label: HOSTILE.into(),
        author_name: Some(HOSTILE.into()),
        created_at: time::macros::datetime!(2026-03-01 14:05 UTC),
    }];
    let pages = [
        text_page(
            &member,
            &TextReadView {
                header: header.clone(),
                body_html: "<p>ok</p>".into(),
                toc: vec![
                    TocEntryView {
                        level: 2,
                        text: HOSTILE.into(),
                        anchor: "a".into(),
                    },
                    TocEntryView {
                        level: 2,
                        text: "b".into(),
                        anchor: "b".into(),
                    },
                ],
                backlinks: vec![TextLinkView {
                    id: "1".into(),
                    title: HOSTILE.into(),
                    group_name: HOSTILE.into(),
                }],
            },
        )
        .into_string(),
        text_history_page(
            &member,
            &TextHistoryView {
                header: header.clone(),
                versions: versions.clone(),
                sessions: vec![SessionView {
                    messages: vec![HOSTILE.into()],
                    ..session(
                        vec![member_author(Some(HOSTILE))],
                        Some((1, 1)),
                        HOSTILE,
                        HOSTILE,
                    )
                }],
                paged: true,
                older: Some(HOSTILE.into()),
                label_error: None,
            },
        )
        .into_string(),
        text_diff_page(
            &member,
            &TextDiffView {
                header: header.clone(),
                from_label: HOSTILE.into(),
                to_label: HOSTILE.into(),
                rendered_html: Some("<ins>x</ins>".into()),
                source_html: None,
                insertions: 1,
                deletions: 0,
                truncated: false,
                versions,
                extra_points: vec![PointOption {
                    code: HOSTILE.into(),
                    label: HOSTILE.into(),
                }],
                from: HOSTILE.into(),
                to: "now".into(),
            },
        )
        .into_string(),
        new_text_page(
            &member,
            &NewTextView {
                group_name: HOSTILE.into(),
                title: HOSTILE.into(),
                markdown: HOSTILE.into(),
                ..Default::default()
            },
        )
        .into_string(),
        wiki_missing_page(
            &member,
            &WikiMissingView {
                title: HOSTILE.into(),
                group_name: HOSTILE.into(),
                ..wiki_missing_view(true)
            },
        )
        .into_string(),
        group_changes_page(
            &member,
            &GroupChangesView {
                group_name: HOSTILE.into(),
                items: vec![text_item(
                    "1",
                    HOSTILE,
                    TextKindView::Wiki,
                    TextStatusView::Drafting,
                )],
                ..changes_view()
            },
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
fn text_enums_round_trip_and_have_labels() {
    for kind in TextKindView::ALL {
        assert_eq!(TextKindView::from_code(kind.code()), Some(*kind));
    }
    for status in TextStatusView::ALL {
        assert_eq!(TextStatusView::from_code(status.code()), Some(*status));
    }
    assert_eq!(TextStatusView::Drafting.code(), "drafting");
    assert_eq!(TextStatusView::Amending.label(Lang::Fr), "En amendement");
    assert_eq!(
        TextStatusView::Amending.label(Lang::En),
        "Open for amendments"
    );
    assert_eq!(TextStatusView::Adopted.label(Lang::Fr), "Adopté");
    assert_eq!(TextStatusView::Archived.label(Lang::Fr), "Archivé");
    assert_eq!(TextKindView::Programme.label(Lang::Fr), "Programme");
    assert_eq!(TextKindView::Wiki.label(Lang::En), "Wiki");
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

/// The Rust sources that may name a key: this crate's and the server's (`../src`, whose flash
/// messages and labels go through [`t`] too). Test modules are skipped: they may name keys that
/// must not exist.
fn sources() -> Vec<(std::path::PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("src"), root.join("../src")];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_none_or(|n| n != "tests.rs")
            {
                let source = std::fs::read_to_string(&path).unwrap();
                found.push((path, source));
            }
        }
    }
    found
}

/// Whether `literal` has the shape of a key (`prefix.rest`, lowercase) with a prefix of the file.
fn looks_like_key(literal: &str, prefixes: &BTreeSet<String>) -> bool {
    literal.contains('.')
        && !literal.ends_with('.')
        && literal
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        && prefixes.contains(literal.split('.').next().unwrap())
}

/// The argument of a call to `t!`, `t` or `t_args` that holds the key: what follows the call's
/// opening parenthesis (`t!`), or its first comma (`t`, `t_args`), up to the next comma or
/// closing parenthesis, trimmed. Calls are found by name, so `tpl::t(` and `crate::t(` count.
fn key_arguments(source: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for (name, key_is_first) in [("t!(", true), ("t(", false), ("t_args(", false)] {
        for (at, _) in source.match_indices(name) {
            let before = source[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue; // `format!(`, `print(`, `split(`…
            }
            let mut rest = &source[at + name.len()..];
            if !key_is_first {
                // The language argument holds no comma (`lang`, `page.lang()`, `Lang::Fr`).
                let Some(comma) = rest.find(',') else {
                    continue;
                };
                rest = &rest[comma + 1..];
            }
            let rest = rest.trim_start();
            let end = if let Some(literal) = rest.strip_prefix('"') {
                literal.find('"').map(|e| e + 2)
            } else {
                rest.find([',', ')'])
            };
            found.push(rest[..end.unwrap_or(rest.len())].trim());
        }
    }
    found
}

/// Keys built at run time, by their prefix: each family names a key its callers fall back to
/// and the literals, anywhere in the sources, that complete it (`action: "member_joined"` is
/// shown as `activity.member_joined`).
const KEY_FAMILIES: &[(&str, &str, &str)] = &[("activity.", "activity.other", "action: \"")];

/// Every key the sources use is in the file, in both languages (the test above checks that
/// every entry has both): a literal with a known prefix anywhere, any literal passed as the key
/// of `t!`/`t`/`t_args` (whatever its prefix), and each key built with `format!`, which must
/// belong to a family of [`KEY_FAMILIES`] whose members are all defined. A key missing from the
/// file would show raw to members (`flash.version_saved`); this test fails the build instead.
#[test]
fn every_key_used_is_defined() {
    let file = locale_file();
    let prefixes = key_prefixes();
    let defined = |key: &str| file.contains_key(key);
    let mut missing = BTreeSet::new();
    let mut used = 0;
    let sources = sources();
    for (path, source) in &sources {
        let name = path.display();
        // Every chunk between two quotes, whatever the parity: comments may hold quotes.
        for literal in source.split('"') {
            let file_name = [".js", ".css", ".svg", ".md", ".db", ".toml", ".rs", ".yml"]
                .iter()
                .any(|e| literal.ends_with(e));
            if looks_like_key(literal, &prefixes) && !file_name {
                used += 1;
                if !defined(literal) {
                    missing.insert(format!("{name}: {literal}"));
                }
            }
        }
        for argument in key_arguments(source) {
            if let Some(literal) = argument.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
                used += 1;
                if !defined(literal) {
                    missing.insert(format!("{name}: {literal}"));
                }
            }
        }
        // Keys built at run time: `format!("prefix.{…}")`.
        for (at, _) in source.match_indices("format!(\"") {
            let literal = &source[at + 9..];
            let literal = &literal[..literal.find('"').unwrap_or(literal.len())];
            let Some((prefix, _)) = literal.split_once('{') else {
                continue;
            };
            if !prefix.ends_with('.') || !looks_like_key(&format!("{prefix}x"), &prefixes) {
                continue;
            }
            assert!(
                KEY_FAMILIES.iter().any(|(p, _, _)| *p == prefix),
                "{name}: a key is built as {literal:?}: add its family to KEY_FAMILIES"
            );
        }
    }
    for (prefix, fallback, marker) in KEY_FAMILIES {
        assert!(defined(fallback), "{fallback} is not in locales/app.yml");
        for (path, source) in &sources {
            for (at, _) in source.match_indices(marker) {
                let rest = &source[at + marker.len()..];
                let member = &rest[..rest.find('"').unwrap_or(rest.len())];
                used += 1;
                if !defined(&format!("{prefix}{member}")) {
                    missing.insert(format!("{}: {prefix}{member}", path.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys used but not in locales/app.yml:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
    assert!(used > 400, "the scan found only {used} keys");
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

/// The organisers' weekly pages (issue 11, point 5): a group's pending invitations on its
/// management page, the confirmation before removing a member, the list of accounts.
#[test]
fn organisers_pages_pass_the_checks_and_escape() {
    let at = time::macros::datetime!(2026-03-03 14:05 UTC);
    let invitation =
        |id: &str, email: &str, expired: bool, can_handle: bool| PendingInvitationView {
            id: id.into(),
            email: email.into(),
            role: RoleView::Member,
            invited_by: Some(HOSTILE.into()),
            sent_at: at,
            expires_at: at,
            expired,
            can_handle,
        };
    let account = |id: &str, name: &str, disabled: bool, is_self: bool| AccountEntry {
        id: id.into(),
        name: name.into(),
        email: format!("{id}@exemple.fr"),
        created_at: at,
        disabled,
        is_admin: is_self,
        is_self,
    };
    for lang in [Lang::Fr, Lang::En] {
        let member = ctx(lang, true);
        let mut manage = manage_view("Lille");
        manage.invitations = vec![
            invitation("41", HOSTILE, false, true),
            invitation("42", "b@exemple.fr", true, false),
        ];
        let remove = RemoveMemberView {
            group_id: "3".into(),
            group_name: "Lille".into(),
            member_id: "9".into(),
            member_name: HOSTILE.into(),
            role: RoleView::Member,
            below: vec![EndedMembershipView {
                group_name: HOSTILE.into(),
                kind: GroupKindView::WorkingGroup,
                role: RoleView::Organiser,
            }],
            is_self: false,
        };
        let accounts = AccountsView {
            query: HOSTILE.into(),
            total: 120,
            page: 2,
            pages: 3,
            accounts: vec![
                account("7", "Camille Martin", false, true),
                account("8", HOSTILE, true, false),
                account("9", "Dominique", false, false),
            ],
        };
        let pages = [
            (
                "manage_with_invitations",
                manage_group(&member, &manage, &FormErrors::new()).into_string(),
            ),
            (
                "remove_member",
                remove_member_page(&member, &remove).into_string(),
            ),
            (
                "remove_self",
                remove_member_page(
                    &member,
                    &RemoveMemberView {
                        is_self: true,
                        below: vec![],
                        ..remove.clone()
                    },
                )
                .into_string(),
            ),
            (
                "admin_accounts",
                admin_accounts(&member, &accounts).into_string(),
            ),
            (
                "admin_accounts_empty",
                admin_accounts(
                    &member,
                    &AccountsView {
                        accounts: vec![],
                        total: 0,
                        pages: 1,
                        page: 1,
                        ..accounts.clone()
                    },
                )
                .into_string(),
            ),
        ];
        for (name, html) in &pages {
            check_page(name, lang, html);
            assert!(!html.contains(HOSTILE), "{name}: unescaped");
        }
        let manage = &pages[0].1;
        assert!(
            manage.contains("action=\"/groups/3/invitations/41/resend\""),
            "{manage}"
        );
        assert!(manage.contains("action=\"/groups/3/invitations/41/withdraw\""));
        assert!(
            !manage.contains("/invitations/42/"),
            "no button beyond one's role"
        );
        let accounts_page = &pages[3].1;
        assert!(
            !accounts_page.contains("action=\"/members/7/"),
            "no button on one's own account"
        );
        assert!(accounts_page.contains("action=\"/members/8/enable\""));
        assert!(accounts_page.contains("action=\"/members/9/disable\""));
        assert!(accounts_page.contains("rel=\"prev\"") && accounts_page.contains("rel=\"next\""));
    }
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

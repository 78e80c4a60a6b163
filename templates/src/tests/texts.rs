//! The texts' pages: reading, editing, history, diffs, creation, wiki links.

use super::*;

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
            amend: None,
            related: Vec::new(),
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

/// The in-place amendment editor's data: the heads the page shows and where to read the
/// Markdown at them (the API answers it byte for byte: `it::amendments_pages`), the script.
#[test]
fn text_page_tells_the_in_place_editor_where_its_markdown_is() {
    let view = TextReadView {
        amend: Some(crate::AmendInPlaceView {
            heads: "ab12,cd34".into(),
            rationale_required: true,
        }),
        ..read_view()
    };
    let html = text_page(&ctx(Lang::Fr, true), &view).into_string();
    assert!(
        html.contains("data-markdown-url=\"/api/v1/texts/20/markdown?heads=ab12,cd34\""),
        "{html}"
    );
    assert!(!html.contains("data-markdown=\""));
    assert!(html.contains("data-heads=\"ab12,cd34\""));
    assert!(html.contains("data-rationale-required=\"true\""));
    assert!(html.contains(&format!("src=\"{}\"", crate::assets::AMEND_JS)));
    // Without it (who may not file), neither the data nor the script.
    let plain = text_page(&ctx(Lang::Fr, true), &read_view()).into_string();
    assert!(!plain.contains("amend-source") && !plain.contains(crate::assets::AMEND_JS));
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
            related: Vec::new(),
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
                amend: None,
                related: Vec::new(),
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

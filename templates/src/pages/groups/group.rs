//! The organisation: the groups index, a group's page, its directory and its management page.

use maud::{Markup, html};
use rust_i18n::t;

use crate::components::{
    Control, Field, card_list, card_meta, csrf_field, encode, encode_segment, error_summary,
    form_title, join_form, member_count, pagination, select_field, visibility_field,
    visibility_note,
};
use crate::pages::texts::text::text_list;
use crate::{
    DirectoryEntry, DirectoryView, FormErrors, GroupKindView, GroupView, GroupsIndexView, Lang,
    ManageGroupView, PageContext, RoleView, TextKindView, TreeNode, page,
};

fn group_href(id: &str) -> String {
    format!("/groups/{}", encode_segment(id))
}

/// The breadcrumbs of a group: its ancestors, then itself (current page, or a link when
/// `link_self`, for the pages below a group).
fn breadcrumbs(lang: Lang, group: &GroupView, link_self: bool) -> Markup {
    html! {
        nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = lang.code())) {
            ol role="list" {
                li { a href="/groups" { (t!("nav.groups", locale = lang.code())) } }
                @for (id, name) in &group.breadcrumbs {
                    li { a href=(group_href(id)) { (name) } }
                }
                @if link_self {
                    li { a href=(group_href(&group.id)) { (group.name) } }
                } @else {
                    li { span aria-current="page" { (group.name) } }
                }
            }
        }
    }
}

/// The organisation page: national → federations → sections, then themes and working groups.
pub fn groups_index(ctx: &PageContext, view: &GroupsIndexView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let body = html! {
        div.wrap {
            h1 { (t!("groups.title", locale = l)) }
            p.lead { (t!("groups.lead", locale = l)) }

            section.section aria-labelledby="organisation" {
                h2 #organisation { (t!("groups.organisation", locale = l)) }
                @if view.tree.is_empty() {
                    div.empty-state { p { (t!("groups.organisation_empty", locale = l)) } }
                } @else {
                    (tree(lang, &view.tree))
                }
            }

            section.section #themes aria-labelledby="themes-title" {
                h2 #themes-title { (GroupKindView::Theme.plural_label(lang)) }
                p.section-intro { (t!("groups.themes_intro", locale = l)) }
                (card_list(lang, &view.themes, 3, html! {
                    p { (t!("groups.themes_empty", locale = l)) }
                }, |_| html! {}))
            }

            section.section #working-groups aria-labelledby="working-groups-title" {
                h2 #working-groups-title { (GroupKindView::WorkingGroup.plural_label(lang)) }
                p.section-intro { (t!("groups.working_groups_intro", locale = l)) }
                (card_list(lang, &view.working_groups, 3, html! {
                    p { (t!("groups.working_groups_empty", locale = l)) }
                }, |_| html! {}))
            }
        }
    };
    page(ctx, &t!("groups.title", locale = l), body)
}

fn tree(lang: Lang, nodes: &[TreeNode]) -> Markup {
    html! {
        ul.tree role="list" {
            @for node in nodes {
                li {
                    div.tree-item {
                        a.tree-link href=(group_href(&node.card.id)) { (node.card.name) }
                        (card_meta(lang, node.card.kind, node.card.member_count, node.card.role))
                    }
                    @if !node.children.is_empty() {
                        (tree(lang, &node.children))
                    }
                }
            }
        }
    }
}

/// A group's page. A theme shows what a theme is and how to join it; a federation lists its
/// sections; a section shows its federation.
pub fn group_page(ctx: &PageContext, group: &GroupView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let is_theme = group.kind == GroupKindView::Theme;
    let body = html! {
        div.wrap {
            (breadcrumbs(lang, group, false))
            header.page-header {
                p.eyebrow { span.tag.{ "tag--" (group.kind.code()) } { (group.kind.label(lang)) } }
                h1 { (group.name) }
                (visibility_note(lang, group.visibility))
                @if group.kind == GroupKindView::Section {
                    @if let Some((id, name)) = &group.parent {
                        p.muted {
                            (t!("group.section_of", locale = l)) " "
                            a href=(group_href(id)) { (name) }
                        }
                    }
                }
            }

            section.section.group-summary aria-labelledby="about" {
                h2 #about.visually-hidden { (t!("group.about", locale = l)) }
                @if group.description.is_empty() {
                    p.muted { (t!("group.no_description", locale = l)) }
                } @else {
                    p.description { (group.description) }
                }
                p.group-facts {
                    span.meta-item { (member_count(lang, group.member_count)) }
                    @if let Some(role) = group.viewer_role {
                        " · " span.meta-item { (t!("group.your_role", locale = l, role = role.label(lang))) }
                    }
                }
                @if group.can_join {
                    p.muted { (if is_theme { t!("group.join_theme_hint", locale = l) } else { t!("group.join_group_hint", locale = l) }) }
                    (join_form(ctx, &group.id, group.kind, &group.name))
                }
                @if group.can_see_directory || group.can_manage {
                    ul.actions role="list" {
                        @if group.can_see_directory {
                            li { a.button.button--secondary href={ (group_href(&group.id)) "/members" } { (t!("group.directory_link", locale = l)) } }
                        }
                        @if group.can_manage {
                            li { a.button.button--secondary href={ (group_href(&group.id)) "/manage" } { (t!("group.manage_link", locale = l)) } }
                        }
                    }
                }
            }

            (texts(lang, group))

            (crate::pages::texts::related::related_section(lang, crate::pages::texts::related::Level::H2, &group.related))

            @if !group.recent_activity.is_empty() {
                section.section aria-labelledby="group-activity" {
                    h2 #group-activity { (t!("group.activity", locale = l)) }
                    (crate::components::activity_list(&group.recent_activity))
                }
            }

            @if is_theme {
                aside.banner.banner--theme aria-labelledby="theme-banner-title" {
                    h2 #theme-banner-title { (t!("group.theme_banner_title", locale = l)) }
                    p { (t!("group.theme_banner_body", locale = l)) }
                }
            }

            (children(ctx, group))
        }
    };
    page(ctx, &group.name, body)
}

/// The group's texts: programme texts, then wiki pages, each with its status and last change;
/// « Nouveau texte » for those who may create one, and the recent changes.
fn texts(lang: Lang, group: &GroupView) -> Markup {
    let l = lang.code();
    let base = group_href(&group.id);
    let programme: Vec<_> = group
        .texts
        .iter()
        .filter(|t| t.kind == TextKindView::Programme)
        .cloned()
        .collect();
    let wiki: Vec<_> = group
        .texts
        .iter()
        .filter(|t| t.kind == TextKindView::Wiki)
        .cloned()
        .collect();
    html! {
        section.section aria-labelledby="group-texts" {
            h2 #group-texts { (t!("group.texts", locale = l)) }
            @if group.texts.is_empty() {
                div.empty-state {
                    p { (t!("group.texts_empty", locale = l)) }
                    @if group.can_create_text {
                        p { (t!("group.texts_empty_create", locale = l)) }
                    }
                }
            }
            @if !programme.is_empty() {
                h3 { (t!("group.texts_programme", locale = l)) }
                (text_list(lang, &programme, false))
            }
            @if !wiki.is_empty() {
                h3 { (t!("group.texts_wiki", locale = l)) }
                (text_list(lang, &wiki, false))
            }
            @if group.can_create_text || !group.texts.is_empty() {
                ul.actions role="list" {
                    @if group.can_create_text {
                        li { a.button href={ (base) "/texts/new" } { (t!("group.new_text", locale = l)) } }
                    }
                    @if !group.texts.is_empty() {
                        li { a.button.button--secondary href={ (base) "/changes" } { (t!("group.changes_link", locale = l)) } }
                    }
                }
            }
        }
    }
}

/// The sub-groups of a group, under one heading per kind; an empty state where sub-groups are
/// expected (a federation without sections, the national party without federations).
fn children(ctx: &PageContext, group: &GroupView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let expected = match group.kind {
        GroupKindView::National => Some(GroupKindView::Federation),
        GroupKindView::Federation => Some(GroupKindView::Section),
        _ => None,
    };
    html! {
        @for kind in GroupKindView::ALL {
            @let cards: Vec<_> = group.children.iter().filter(|c| c.kind == *kind).cloned().collect();
            @if !cards.is_empty() || expected == Some(*kind) {
                section.section aria-labelledby={ "children-" (kind.code()) } {
                    h2 id={ "children-" (kind.code()) } { (kind.plural_label(lang)) }
                    (card_list(lang, &cards, 3, html! {
                        p {
                            @if *kind == GroupKindView::Section {
                                (t!("group.no_sections", locale = l))
                            } @else {
                                (t!("group.no_federations", locale = l))
                            }
                        }
                        @if group.can_manage {
                            p { a href={ (group_href(&group.id)) "/manage#create" } { (t!("group.create_from_manage", locale = l)) } }
                        }
                    }, |_| html! {}))
                }
            }
        }
    }
}

fn directory_href(group_id: &str, query: &str, page: u32) -> String {
    let mut href = format!("{}/members?", group_href(group_id));
    if !query.is_empty() {
        href.push_str(&format!("q={}&", encode(query)));
    }
    href.push_str(&format!("page={page}"));
    href
}

/// A group's member directory: a search box, the members, the pages.
pub fn directory(ctx: &PageContext, view: &DirectoryView) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let title = t!("directory.title", locale = l, group = &view.group_name).into_owned();
    let no_errors = FormErrors::new();
    let body = html! {
        div.wrap {
            nav.breadcrumbs aria-label=(t!("group.breadcrumbs", locale = l)) {
                ol role="list" {
                    li { a href="/groups" { (t!("nav.groups", locale = l)) } }
                    li { a href=(group_href(&view.group_id)) { (view.group_name) } }
                    li { span aria-current="page" { (t!("directory.crumb", locale = l)) } }
                }
            }
            h1 { (title) }
            p.lead { (t!("directory.lead", locale = l)) }

            form.search-form method="get" action={ (group_href(&view.group_id)) "/members" } role="search" {
                (Field::new("q", t!("directory.search_label", locale = l), Control::Search)
                    .value(&view.query)
                    .hint(t!("directory.search_hint", locale = l))
                    .render(lang, &no_errors))
                button.button type="submit" { (t!("directory.search_button", locale = l)) }
            }

            section.section aria-labelledby="results" {
                h2 #results.visually-hidden { (t!("directory.results", locale = l)) }
                @if view.members.is_empty() {
                    div.empty-state {
                        @if view.query.is_empty() {
                            p { (t!("directory.empty", locale = l)) }
                        } @else {
                            p { (t!("directory.no_match", locale = l, query = &view.query)) }
                            p { a href={ (group_href(&view.group_id)) "/members" } { (t!("directory.show_all", locale = l)) } }
                        }
                    }
                } @else {
                    (member_table(lang, &view.members, &t!("directory.caption", locale = l, group = &view.group_name), |entry| html! { (entry.role.label(lang)) }))
                }
            }

            (pagination(lang, view.page, view.pages, |n| directory_href(&view.group_id, &view.query, n)))
        }
    };
    page(ctx, &title, body)
}

/// Members as a table: name (link to the profile), functions and mandates, then `role_cell`.
fn member_table(
    lang: Lang,
    members: &[DirectoryEntry],
    caption: &str,
    role_cell: impl Fn(&DirectoryEntry) -> Markup,
) -> Markup {
    let l = lang.code();
    html! {
        div.table-wrap {
            table.members {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { (t!("directory.col_name", locale = l)) }
                        th scope="col" { (t!("directory.col_functions", locale = l)) }
                        th scope="col" { (t!("directory.col_role", locale = l)) }
                    }
                }
                tbody {
                    @for entry in members {
                        tr {
                            th scope="row" { a href={ "/members/" (encode_segment(&entry.member_id)) } { (entry.name) } }
                            td {
                                @if entry.functions.is_empty() && entry.mandates.is_empty() {
                                    span.muted { "—" }
                                }
                                @for function in &entry.functions { span.pill { (function) } " " }
                                @for mandate in &entry.mandates { span.pill.pill--mandate { (mandate) } " " }
                            }
                            td { (role_cell(entry)) }
                        }
                    }
                }
            }
        }
    }
}

/// The error keys of the management page, top to bottom.
const MANAGE_FIELDS: [&str; 12] = [
    "member_id",
    "email",
    "role",
    "invitation_email",
    "invitation_role",
    "new_kind",
    "new_name",
    "new_description",
    "new_visibility",
    "name",
    "description",
    "visibility",
];

/// The management page of a group (secretaries and above): members and their roles, inviting,
/// sub-groups, settings.
///
/// Error keys: `member_id`, `email`, `role` (a member's role); `invitation_email`,
/// `invitation_role` (the invitation form); `name`, `description`, `visibility` (settings);
/// `new_kind`, `new_name`, `new_description`, `new_visibility` (creating a sub-group). Other keys
/// appear in the summary only.
pub fn manage_group(ctx: &PageContext, view: &ManageGroupView, errors: &FormErrors) -> Markup {
    let lang = ctx.lang;
    let l = lang.code();
    let group = &view.group;
    let base = group_href(&group.id);
    let title = t!("manage.title", locale = l, group = &group.name).into_owned();
    let role_options: Vec<(&str, String)> = view
        .assignable_roles
        .iter()
        .map(|r| (r.code(), r.label(lang)))
        .collect();
    let default_role = view
        .assignable_roles
        .iter()
        .find(|r| **r == RoleView::Member)
        .or(view.assignable_roles.first())
        .map(|r| r.code());
    let body = html! {
        div.wrap {
            (breadcrumbs(lang, group, true))
            (error_summary(lang, errors, &MANAGE_FIELDS))
            h1 { (title) }
            (visibility_note(lang, group.visibility))

            section.section aria-labelledby="members-title" {
                h2 #members-title { (t!("manage.members", locale = l)) " " span.count { "(" (view.members.len()) ")" } }
                @if view.members.is_empty() {
                    div.empty-state { p { (t!("manage.members_empty", locale = l)) } }
                } @else {
                    (member_table(lang, &view.members, &t!("manage.members_caption", locale = l, group = &group.name), |entry| {
                        if view.assignable_roles.contains(&entry.role) {
                            html! {
                                (role_form(ctx, &base, entry, &role_options))
                                " "
                                a href={ (base) "/members/" (encode_segment(&entry.member_id)) "/remove" } {
                                    (t!("manage.remove", locale = l))
                                    span.visually-hidden { " : " (entry.name) }
                                }
                            }
                        } else {
                            html! { (entry.role.label(lang)) }
                        }
                    }))
                }
            }

            @if !role_options.is_empty() {
                // No "add by address" form: adding someone is inviting them (they accept), so
                // that a manager learns nothing of whether an address has an account.
                section.section aria-labelledby="invite-title" {
                    h2 #invite-title { (t!("manage.invite_title", locale = l)) }
                    p.section-intro { (t!("manage.invite_intro", locale = l)) }
                    form.form method="post" action={ (base) "/invitations" } novalidate {
                        (csrf_field(ctx))
                        (Field::new("email", t!("form.email", locale = l), Control::Email).key("invitation_email").autocomplete("off").required().render(lang, errors))
                        (select_field(lang, "role", "invitation_role", &t!("form.role", locale = l), &role_options, default_role, errors))
                        button.button type="submit" { (t!("manage.invite_button", locale = l)) }
                    }
                }
            }

            (crate::pages::groups::organisers::pending_invitations(ctx, &base, &view.invitations))

            @if !view.creatable_kinds.is_empty() {
                section.section #create aria-labelledby="create-title" {
                    h2 #create-title { (t!("manage.create_title", locale = l)) }
                    p.section-intro { (t!("manage.create_intro", locale = l, group = &group.name)) }
                    form.form method="post" action="/groups" novalidate {
                        (csrf_field(ctx))
                        input type="hidden" name="parent_id" value=(group.id);
                        @let kinds: Vec<(&str, String)> = view.creatable_kinds.iter().map(|k| (k.code(), k.label(lang))).collect();
                        (select_field(lang, "kind", "new_kind", &t!("form.kind", locale = l), &kinds, None, errors))
                        (Field::new("name", t!("form.group_name", locale = l), Control::Text).key("new_name").required().render(lang, errors))
                        (Field::new("description", t!("form.description", locale = l), Control::TextArea).key("new_description").hint(t!("form.description_hint", locale = l)).render(lang, errors))
                        (visibility_field(lang, "new_visibility", group.visibility, errors))
                        button.button type="submit" { (t!("manage.create_button", locale = l)) }
                    }
                }
            }

            section.section aria-labelledby="edit-title" {
                h2 #edit-title { (t!("manage.edit_title", locale = l)) }
                form.form method="post" action={ (base) "/edit" } novalidate {
                    (csrf_field(ctx))
                    (Field::new("name", t!("form.group_name", locale = l), Control::Text).value(&group.name).required().render(lang, errors))
                    (Field::new("description", t!("form.description", locale = l), Control::TextArea).value(&group.description).hint(t!("form.description_hint", locale = l)).render(lang, errors))
                    (visibility_field(lang, "visibility", group.visibility, errors))
                    button.button type="submit" { (t!("manage.edit_button", locale = l)) }
                }
            }
        }
    };
    page(ctx, &form_title(lang, &title, !errors.is_empty()), body)
}

/// One member's role, as a small form (POST /groups/{id}/members with member_id and role).
fn role_form(
    ctx: &PageContext,
    base: &str,
    entry: &DirectoryEntry,
    options: &[(&str, String)],
) -> Markup {
    let l = ctx.lang.code();
    let id = format!("role-{}", entry.member_id);
    html! {
        form.role-form method="post" action={ (base) "/members" } {
            (csrf_field(ctx))
            input type="hidden" name="member_id" value=(entry.member_id);
            label.visually-hidden for=(id) { (t!("manage.role_of", locale = l, name = &entry.name)) }
            select id=(id) name="role" {
                @for (value, text) in options {
                    option value=(value) selected[*value == entry.role.code()] { (text) }
                }
            }
            " "
            button.button.button--secondary.button--small type="submit" {
                (t!("manage.role_save", locale = l))
                span.visually-hidden { " : " (entry.name) }
            }
        }
    }
}

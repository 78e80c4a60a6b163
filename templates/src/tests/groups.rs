//! The groups' pages: a group's page, its directory, its management page, and the organisers'
//! pages (pending invitations, removing a member).

use super::*;

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

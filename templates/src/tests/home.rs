//! The home and welcome pages.

use super::*;

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

//! The pages of a text as an amendment needs them: each proposal of a list numbered on its own
//! in the line-numbered view, with the same anchors in the reading view, and the text's headings
//! under the page's title.

use crate::harness::TestApp;
use crate::texts_lifecycle::create;
use atelier::model::{GroupKind, Role, Visibility};

#[tokio::test]
async fn each_proposal_is_a_numbered_paragraph_and_headings_sit_under_the_title() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let writer = app.member("redactrice@exemple.fr", "Rosa Rédactrice").await;
    app.grant(writer, theme, Role::Member).await;
    let api = app.api_as("redactrice@exemple.fr").await;
    let proposals: String = (1..=7)
        .map(|i| format!("- Proposition {i} : un hôpital de plus.\n"))
        .collect();
    let markdown =
        format!("### Santé\n\nNos propositions :\n\n{proposals}\n#### Moyens\n\nUn budget.\n");
    let id = create(&api, theme, "Santé", "programme", &markdown).await;

    // The line-numbered view: the heading, the sentence, seven proposals, the heading, the
    // budget: eleven paragraphs, the proposals numbered 3 to 9.
    let (status, lines) = app.browser().get_text(&format!("/texts/{id}/lines")).await;
    assert_eq!(status, 200);
    assert_eq!(
        lines.matches("class=\"numbered-block\"").count(),
        11,
        "{lines}"
    );
    assert_eq!(lines.matches("data-kind=\"item\"").count(), 7, "{lines}");
    for i in 1..=7 {
        let number = i + 2;
        let block = format!(
            r##"id="sante-p{}" data-paragraph="{number}" data-kind="item"><a class="paragraph-number" href="#sante-p{}">{number}</a>"##,
            i + 1,
            i + 1
        );
        assert!(lines.contains(&block), "proposal {i}: {lines}");
        assert!(lines.contains(&format!("- Proposition {i} : un hôpital de plus.")));
    }

    // The reading view: the same anchors on the items, and the text's `###` right under the
    // page's `<h1>`, its `####` under that.
    let (status, page) = app.browser().get_text(&format!("/texts/{id}")).await;
    assert_eq!(status, 200);
    for i in 1..=7 {
        assert!(
            page.contains(&format!("<li id=\"sante-p{}\">", i + 1)),
            "{page}"
        );
    }
    assert_eq!(page.matches("<h1").count(), 1, "one h1: the title");
    assert!(page.contains(r#"<h2 id="sante">Santé</h2>"#), "{page}");
    assert!(page.contains(r#"<h3 id="moyens">Moyens</h3>"#), "{page}");
    app.stop().await;
}

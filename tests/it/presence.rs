//! Live-editing presence follows membership privacy (issue 10, point 5): co-editors are named
//! only to peers who may see the text's group directory; anyone else (a reader of a public
//! text) gets anonymous participants, with no name and no member id, and is one to the group.

use std::time::Duration;

use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::TestApp;
use crate::sync_client::{Auth, SyncClient};
use atelier::model::{GroupKind, Role, Visibility};

const CURSOR: &str = r#"{"type":"cursor","anchor":"2@aa","head":"2@aa"}"#;

/// Every field a presence message may carry for an anonymous participant: no name, no member id.
const ANONYMOUS_FIELDS: [&str; 7] = [
    "type", "peer", "readonly", "peers", "colour", "anchor", "head",
];

fn assert_anonymous(messages: &[Value], names: &[&str]) {
    fn fields_ok(value: &Value) -> bool {
        value.as_object().is_none_or(|o| {
            o.keys().all(|k| ANONYMOUS_FIELDS.contains(&k.as_str()))
                && o.values().all(|v| match v {
                    Value::Array(items) => items.iter().all(fields_ok),
                    _ => true,
                })
        })
    }
    for message in messages {
        let text = message.to_string();
        assert!(fields_ok(message), "more than anonymous: {text}");
        for name in names {
            assert!(!text.contains(name), "{name} named in {text}");
        }
    }
}

async fn connect(app: &TestApp, text: &str, token: &str) -> SyncClient {
    let mut client = SyncClient::connect(&app.url, text, Auth::Bearer(token))
        .await
        .expect("upgrade");
    client
        .until(Duration::from_secs(10), "hello", |c| {
            c.presence.iter().any(|p| p["type"] == "hello")
        })
        .await;
    client
}

fn hello(client: &SyncClient) -> &Value {
    client
        .presence
        .iter()
        .rev()
        .find(|p| p["type"] == "hello")
        .expect("hello")
}

#[tokio::test]
async fn co_editors_are_named_only_to_those_who_may_see_the_directory() {
    let app = TestApp::start().await;
    let national = app.national().await;
    let theme = app
        .group(GroupKind::Theme, "Santé", national, Visibility::Public)
        .await;
    let other = app
        .group(GroupKind::Theme, "Culture", national, Visibility::Public)
        .await;
    let writer = app.member("voisine@exemple.fr", "Valérie Voisine").await;
    let colleague = app.member("collegue@exemple.fr", "Sam Solidaire").await;
    let reader = app.member("lecteur@exemple.fr", "Rémi Roubaix").await;
    app.grant(writer, theme, Role::Member).await;
    app.grant(colleague, theme, Role::Member).await;
    // A party member elsewhere: may read the public text, not the theme's directory.
    app.grant(reader, other, Role::Member).await;
    let writer_api = app.api_as("voisine@exemple.fr").await;
    let colleague_api = app.api_as("collegue@exemple.fr").await;
    let reader_api = app.api_as("lecteur@exemple.fr").await;
    let text = writer_api.create_text(theme, "Programme santé").await;
    let co_editors = ["Valérie", "Voisine", "Sam Solidaire"];

    let mut valerie = connect(&app, &text, writer_api.token()).await;
    valerie.send_raw(Message::Text(CURSOR.into())).await;
    // Let the document take the cursor in before the reader joins (it is then sent on join).
    valerie.pump(Duration::from_millis(300)).await;
    let mut remi = connect(&app, &text, reader_api.token()).await;
    assert_eq!(hello(&remi)["readonly"], true);
    assert_eq!(hello(&remi)["peers"].as_array().map(Vec::len), Some(1));
    remi.until(Duration::from_secs(5), "the writer's cursor", |c| {
        c.presence.iter().any(|p| p["type"] == "cursor")
    })
    .await;
    let mut sam = connect(&app, &text, colleague_api.token()).await;
    sam.send_raw(Message::Text(CURSOR.into())).await;
    remi.until(
        Duration::from_secs(5),
        "the colleague's join and cursor",
        |c| {
            c.presence.iter().any(|p| p["type"] == "join")
                && c.presence.iter().filter(|p| p["type"] == "cursor").count() >= 2
        },
    )
    .await;
    assert_anonymous(&remi.presence, &co_editors);
    assert!(
        remi.presence
            .iter()
            .filter(|p| p["type"] == "cursor")
            .all(|p| p["colour"].as_str().is_some_and(|c| c.starts_with('#'))),
        "anonymous participants keep a colour: {:?}",
        remi.presence
    );

    // A member of the group is told who of the group is there, and not who the reader is.
    let peers = hello(&sam)["peers"].as_array().expect("peers").clone();
    assert!(
        peers.iter().any(|p| p["name"] == "Valérie Voisine"),
        "{peers:?}"
    );
    assert_eq!(peers.iter().filter(|p| p.get("name").is_none()).count(), 1);
    assert!(!hello(&sam).to_string().contains("Rémi"));
    valerie
        .until(
            Duration::from_secs(5),
            "the writer sees her colleague",
            |c| {
                c.presence
                    .iter()
                    .any(|p| p["type"] == "cursor" && p["name"] == "Sam Solidaire")
            },
        )
        .await;

    // Joining the group changes what the reader may see: the socket is re-checked, then names.
    app.grant(reader, theme, Role::Member).await;
    remi.wait_closed().await;
    let remi = connect(&app, &text, reader_api.token()).await;
    let names: Vec<&Value> = hello(&remi)["peers"]
        .as_array()
        .expect("peers")
        .iter()
        .map(|p| &p["name"])
        .collect();
    assert!(
        names.contains(&&Value::from("Valérie Voisine"))
            && names.contains(&&Value::from("Sam Solidaire")),
        "{names:?}"
    );
    for client in [valerie, sam, remi] {
        client.close().await;
    }
    app.stop().await;
}

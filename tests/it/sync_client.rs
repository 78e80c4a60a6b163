//! A peer of the live-editing WebSocket, written with the automerge crate: it speaks the plain
//! sync protocol as the browser does, so tests can type, wait for the server's acknowledgement
//! and see others' edits.

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct SyncClient {
    socket: Socket,
    pub doc: AutoCommit,
    state: sync::State,
    /// Presence messages received, in order.
    pub presence: Vec<Value>,
    /// The close code and reason, once the server closed the socket.
    pub closed: Option<(u16, String)>,
}

/// How a client authenticates.
pub enum Auth<'a> {
    Bearer(&'a str),
    Cookie(&'a str),
}

impl SyncClient {
    /// Connects; `Err(status)` when the server refuses the upgrade.
    pub async fn connect(base_url: &str, text_id: &str, auth: Auth<'_>) -> Result<SyncClient, u16> {
        let url = format!(
            "{}/api/v1/texts/{text_id}/sync",
            base_url.replacen("http", "ws", 1)
        );
        let mut request = url.into_client_request().expect("request");
        let (name, value) = match auth {
            Auth::Bearer(token) => ("authorization", format!("Bearer {token}")),
            Auth::Cookie(cookie) => ("cookie", cookie.to_owned()),
        };
        request
            .headers_mut()
            .insert(name, HeaderValue::from_str(&value).expect("header"));
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => {
                let mut client = SyncClient {
                    socket,
                    doc: AutoCommit::new_with_encoding(automerge::TextEncoding::Utf16CodeUnit),
                    state: sync::State::new(),
                    presence: Vec::new(),
                    closed: None,
                };
                client.send_sync().await;
                Ok(client)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(e) => panic!("connection failed: {e}"),
        }
    }

    /// Sends what the server is missing, if anything.
    pub async fn send_sync(&mut self) {
        if let Some(message) = self.doc.sync().generate_sync_message(&mut self.state) {
            let _ = self
                .socket
                .send(Message::Binary(message.encode().into()))
                .await;
        }
    }

    pub async fn send_raw(&mut self, message: Message) {
        let _ = self.socket.send(message).await;
    }

    /// Handles one frame; `false` when nothing came within `wait` or the socket closed.
    pub async fn pump(&mut self, wait: Duration) -> bool {
        if self.closed.is_some() {
            return false;
        }
        let Ok(frame) = tokio::time::timeout(wait, self.socket.next()).await else {
            return false;
        };
        match frame {
            Some(Ok(Message::Binary(bytes))) => {
                let message =
                    sync::Message::decode(&bytes).expect("the server sends valid sync messages");
                self.doc
                    .sync()
                    .receive_sync_message(&mut self.state, message)
                    .expect("the server's changes apply");
                self.send_sync().await;
                true
            }
            Some(Ok(Message::Text(text))) => {
                self.presence
                    .push(serde_json::from_str(text.as_str()).expect("presence is JSON"));
                true
            }
            Some(Ok(Message::Close(frame))) => {
                self.closed = Some(frame.map_or((1005, String::new()), |f| {
                    (u16::from(f.code), f.reason.to_string())
                }));
                false
            }
            Some(Ok(_)) => true,
            Some(Err(_)) | None => {
                self.closed.get_or_insert((1006, String::new()));
                false
            }
        }
    }

    /// Handles frames until `done` holds, or panics after `limit`.
    pub async fn until(
        &mut self,
        limit: Duration,
        what: &str,
        done: impl Fn(&mut SyncClient) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + limit;
        while !done(self) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting until {what}"
            );
            assert!(
                self.pump(Duration::from_millis(200)).await || self.closed.is_none(),
                "socket closed while waiting until {what}: {:?}",
                self.closed
            );
        }
    }

    pub fn markdown(&self) -> String {
        match self.doc.get(ROOT, "markdown") {
            Ok(Some((automerge::Value::Object(ObjType::Text), id))) => {
                self.doc.text(&id).unwrap_or_default()
            }
            _ => String::new(),
        }
    }

    /// Inserts `text` at UTF-16 offset `at` of the Markdown and sends the change.
    pub async fn insert(&mut self, at: usize, text: &str) {
        self.splice(at, 0, text).await;
    }

    /// Deletes `delete` UTF-16 units at offset `at` of the Markdown, inserts `text` there, and
    /// sends the change.
    pub async fn splice(&mut self, at: usize, delete: usize, text: &str) {
        let (_, id) = self
            .doc
            .get(ROOT, "markdown")
            .expect("read")
            .expect("the document has been received");
        let delete = isize::try_from(delete).expect("a small deletion");
        self.doc.splice_text(&id, at, delete, text).expect("splice");
        self.doc.commit();
        self.send_sync().await;
    }

    /// Appends `text` at the end of the Markdown and sends the change.
    pub async fn append(&mut self, text: &str) {
        let length = self.markdown().encode_utf16().count();
        self.insert(length, text).await;
    }

    /// Whether the server has acknowledged every change of ours (its heads cover ours).
    pub fn saved(&mut self) -> bool {
        self.doc.has_our_changes(&self.state)
    }

    pub async fn wait_saved(&mut self) {
        self.until(Duration::from_secs(10), "the server acknowledges", |c| {
            c.saved()
        })
        .await;
    }

    /// Waits for the server's greeting, which says whether this peer may write.
    pub async fn wait_for_hello(&mut self, readonly: bool) {
        self.until(Duration::from_secs(10), "hello", |c| {
            c.presence
                .iter()
                .any(|p| p["type"] == "hello" && p["readonly"] == readonly)
        })
        .await;
    }

    pub async fn wait_for_markdown(&mut self, what: &str, expected: impl Fn(&str) -> bool) {
        self.until(Duration::from_secs(10), what, |c| expected(&c.markdown()))
            .await;
    }

    /// Waits until the server closes the socket; the close code and reason.
    pub async fn wait_closed(&mut self) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.closed.is_none() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the server did not close the socket"
            );
            self.pump(Duration::from_millis(200)).await;
        }
        self.closed.clone().expect("closed")
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

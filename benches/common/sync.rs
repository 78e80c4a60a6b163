//! Speaking the sync WebSocket as a browser does: connecting, the first sync, sending a change
//! and waiting for the server to acknowledge it.

use automerge::sync::{self, ChunkList, MessageVersion, SyncDoc};
use automerge::{AutoCommit, ChangeHash, ROOT, ReadDoc, TextEncoding};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Positions are UTF-16 code units, as browsers count.
pub const ENCODING: TextEncoding = TextEncoding::Utf16CodeUnit;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the sync socket of `text`, with a bearer token.
pub async fn sync_socket(url: &str, text: &str, token: &str) -> Socket {
    let url = format!("{}/api/v1/texts/{text}/sync", url.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// Forwards the server's binary frames to a channel, so the sender never waits on reading.
pub fn read_frames(
    mut stream: futures_util::stream::SplitStream<Socket>,
) -> mpsc::UnboundedReceiver<Vec<u8>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = stream.next().await {
            match frame {
                Message::Binary(bytes) if tx.send(bytes.to_vec()).is_err() => break,
                Message::Close(_) => break,
                _ => {}
            }
        }
    });
    rx
}

/// Syncs a new document with the server's copy, through the sync protocol.
pub async fn initial_sync(
    sink: &mut futures_util::stream::SplitSink<Socket, Message>,
    frames: &mut mpsc::UnboundedReceiver<Vec<u8>>,
) -> AutoCommit {
    let mut doc = AutoCommit::new_with_encoding(ENCODING);
    let mut state = sync::State::new();
    while doc.get(ROOT, "markdown").unwrap().is_none() {
        if let Some(message) = doc.sync().generate_sync_message(&mut state) {
            sink.send(Message::Binary(message.encode().into()))
                .await
                .unwrap();
        }
        let bytes = frames.recv().await.expect("the server's first message");
        doc.sync()
            .receive_sync_message(&mut state, sync::Message::decode(&bytes).unwrap())
            .unwrap();
    }
    doc
}

/// Sends the document's last local change, with our heads.
pub async fn send_change(
    sink: &mut futures_util::stream::SplitSink<Socket, Message>,
    doc: &mut AutoCommit,
    head: ChangeHash,
) {
    let change = doc.get_last_local_change().expect("a change");
    let message = change_message(vec![head], change.raw_bytes().to_vec());
    sink.send(Message::Binary(message.encode().into()))
        .await
        .unwrap();
}

/// A sync message carrying one change, from a peer whose heads are `heads`.
pub fn change_message(heads: Vec<ChangeHash>, change: Vec<u8>) -> sync::Message {
    sync::Message {
        heads,
        need: Vec::new(),
        have: Vec::new(),
        changes: ChunkList::from(change),
        flags: None,
        version: MessageVersion::V1,
    }
}

/// Splices `insert` at `at` (UTF-16 units) of the text's Markdown, as one change, and waits
/// until the server has acknowledged it (stored it).
pub async fn type_and_wait(url: &str, text: &str, token: &str, at: usize, insert: &str) {
    let (mut sink, stream) = sync_socket(url, text, token).await.split();
    let mut frames = read_frames(stream);
    let mut doc = initial_sync(&mut sink, &mut frames).await;
    let markdown = doc.get(ROOT, "markdown").unwrap().expect("markdown").1;
    automerge::transaction::Transactable::splice_text(&mut doc, &markdown, at, 0, insert).unwrap();
    let head = doc.commit().expect("a change");
    send_change(&mut sink, &mut doc, head).await;
    loop {
        let bytes = frames.recv().await.expect("the server's acknowledgement");
        if sync::Message::decode(&bytes).unwrap().heads.contains(&head) {
            break;
        }
    }
    let _ = sink.close().await;
}

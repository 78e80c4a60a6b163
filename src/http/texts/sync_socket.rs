//! The live-editing socket of one peer: frames read are handed to the text's document, what the
//! document sends is written back. Reading and writing run side by side, so that a peer held back
//! (over its rates, or ahead of its document: see `collab::flow`) still receives, and a peer that
//! does not read is closed without holding anyone else up.

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use crate::app::App;
use crate::collab::{self, Outgoing, PeerHandle, PeerInfo, close, flow::Refusal};
use crate::model::TextId;

/// Messages from this size on are parsed off the runtime (a keystroke is a few hundred bytes).
const LARGE_MESSAGE: usize = 4096;

/// The longest the last words (a close frame) to a peer may take.
const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

pub async fn serve_peer(app: App, text: TextId, info: PeerInfo, socket: WebSocket) {
    let (handle, mut outgoing) = app.hub.join(text, info);
    let (mut sink, mut stream) = socket.split();
    let close = tokio::select! {
        close = read_frames(&handle, &mut stream) => close,
        close = write_frames(&handle, &mut outgoing, &mut sink) => close,
        () = app.hub.closing() => Some((
            close::RESTARTING,
            "Le serveur redémarre : reconnexion dans un instant.".to_owned(),
        )),
    };
    if let Some((code, reason)) = close {
        // Operators see refusals and slow peers by code (4429 too fast, 1009 too big…).
        metrics::counter!("atelier_sync_closes_total", "code" => code.to_string()).increment(1);
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.send(close_message(code, &reason))).await;
    }
}

/// Reads the peer's frames until it leaves or is refused; the close to send, if any.
async fn read_frames(handle: &PeerHandle, stream: &mut SplitStream<WebSocket>) -> Option<Refusal> {
    loop {
        // Over its rates: the socket is not read (TCP slows the peer down) until they refill.
        if let Err(refusal) = handle.flow.pace().await {
            return Some(refusal);
        }
        match stream.next().await {
            Some(Ok(Message::Binary(bytes))) => {
                // What the message costs the document, known before the document sees it.
                let limits = handle.limits();
                let cost = if bytes.len() < LARGE_MESSAGE {
                    collab::flow::cost(&bytes, &limits)
                } else {
                    let parsed = bytes.clone();
                    tokio::task::spawn_blocking(move || collab::flow::cost(&parsed, &limits))
                        .await
                        .unwrap_or(Ok((0, 0)))
                };
                let (changes, operations) = match cost {
                    Ok(cost) => cost,
                    Err(refusal) => return Some(refusal),
                };
                if let Err(refusal) = handle.flow.admit_cost(changes, operations) {
                    return Some(refusal);
                }
                match handle.flow.admit(bytes.len(), 0).await {
                    Ok(credit) => handle.sync(bytes.to_vec(), credit),
                    Err(refusal) => return Some(refusal),
                }
            }
            Some(Ok(Message::Text(frame))) => match collab::presence::parse(frame.as_str()) {
                Some(collab::presence::FromClient::Cursor { anchor, head }) => {
                    // A cursor goes to every peer of the text: it counts as a change.
                    match handle.flow.admit(frame.len(), 1).await {
                        Ok(credit) => handle.cursor(anchor, head, credit),
                        Err(refusal) => return Some(refusal),
                    }
                }
                None => {
                    return Some((close::MALFORMED, "Message de présence illisible.".into()));
                }
            },
            Some(Ok(Message::Close(_))) | None => return None,
            Some(Ok(_)) => {}
            // Includes messages over the size limit: the library closes with 1009.
            Some(Err(_)) => return None,
        }
    }
}

/// Writes what the document sends until it closes the peer; the close to send, if any. A write
/// the peer does not take within `max_slowed` ends the socket.
async fn write_frames(
    handle: &PeerHandle,
    outgoing: &mut mpsc::Receiver<Outgoing>,
    sink: &mut SplitSink<WebSocket, Message>,
) -> Option<Refusal> {
    loop {
        let message = outgoing.recv().await;
        let size = message.as_ref().map_or(0, Outgoing::size);
        let frame = match message {
            Some(Outgoing::Sync(bytes)) => Message::Binary(bytes.into()),
            Some(Outgoing::Presence(json)) => Message::Text(json.into()),
            Some(Outgoing::Close(code, reason)) => return Some((code, reason)),
            // The document went away (reloaded after a failure): reconnecting resyncs.
            None => return Some((close::RECONNECT, "Reconnexion nécessaire.".into())),
        };
        let written = tokio::time::timeout(handle.flow.max_slowed(), sink.send(frame)).await;
        handle.flow.sent_out(size);
        if !matches!(written, Ok(Ok(()))) {
            return None;
        }
    }
}

pub fn close_message(code: u16, reason: &str) -> Message {
    // A close reason is at most 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason[..end].to_owned().into(),
    }))
}

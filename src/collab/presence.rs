//! Presence: who is in a text and where their cursor is. Carried in WebSocket text frames as
//! JSON; the server adds names and colours, so a client cannot pretend to be someone else.

use serde::{Deserialize, Serialize};

use crate::model::MemberId;

/// Colours for other people's cursors: distinct hues, each dark enough for white label text
/// (contrast ≥ 4.5:1) and readable as a caret on the page's light background.
const COLOURS: [&str; 10] = [
    "#b5452b", "#1f6f8b", "#6b4fa0", "#2e7d32", "#a0522d", "#ad1457", "#00695c", "#5d4037",
    "#3949ab", "#8d6e00",
];

/// The colour of a member's cursor: the same in every text and every session.
pub fn colour_of(member: MemberId) -> &'static str {
    COLOURS[member.0.rem_euclid(COLOURS.len() as i64) as usize]
}

/// What a client sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromClient {
    /// The selection, as automerge cursors (stable through other people's edits).
    Cursor { anchor: String, head: String },
}

/// Who someone is, as other peers see them.
#[derive(Debug, Clone, Serialize)]
pub struct PeerSummary {
    pub peer: String,
    pub name: String,
    pub colour: &'static str,
}

/// What the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToClient<'a> {
    Hello {
        peer: &'a str,
        readonly: bool,
        peers: Vec<PeerSummary>,
    },
    Join(&'a PeerSummary),
    Cursor {
        #[serde(flatten)]
        who: &'a PeerSummary,
        anchor: &'a str,
        head: &'a str,
    },
    Leave {
        peer: &'a str,
    },
}

impl ToClient<'_> {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Cursors are automerge cursor strings; anything longer is not one.
pub const MAX_CURSOR_LEN: usize = 128;

pub fn parse(frame: &str) -> Option<FromClient> {
    let message: FromClient = serde_json::from_str(frame).ok()?;
    match &message {
        FromClient::Cursor { anchor, head }
            if anchor.len() > MAX_CURSOR_LEN || head.len() > MAX_CURSOR_LEN =>
        {
            None
        }
        _ => Some(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_documented_shape() {
        let alice = PeerSummary {
            peer: "p3".into(),
            name: "Alice".into(),
            colour: colour_of(MemberId(3)),
        };
        let json = ToClient::Cursor {
            who: &alice,
            anchor: "2@abc",
            head: "3@abc",
        }
        .to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["type"], "cursor");
        assert_eq!(value["name"], "Alice");
        assert_eq!(value["peer"], "p3");
        assert_eq!(value["anchor"], "2@abc");
        assert!(parse(r#"{"type":"cursor","anchor":"1@a","head":"1@a"}"#).is_some());
        assert!(parse(r#"{"type":"shout"}"#).is_none());
        assert!(parse("not json").is_none());
        assert_eq!(colour_of(MemberId(-1)), colour_of(MemberId(9)));
    }
}

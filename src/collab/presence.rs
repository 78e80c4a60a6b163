//! Presence: who is in a text and where their cursor is. Carried in WebSocket text frames as
//! JSON; the server adds names and colours, so a client cannot pretend to be someone else.
//! Co-editors are named only to peers who may see the text's group directory, and only those who
//! may see it too (a reader from elsewhere is not named to the group: that would tell who is a
//! member). Decided in the HTTP layer at join time (`PeerInfo::sees_names`); everyone else is an
//! anonymous participant, with a colour of the session rather than of the member, and no member id.

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
    /// The session's id in this server (`p12`), never a member id.
    pub peer: String,
    /// Absent for those who may not see the group's directory (the editor says "a participant").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub colour: &'static str,
}

/// A peer in the two forms other peers may get: named, or anonymous.
#[derive(Debug, Clone)]
pub struct Presence {
    named: PeerSummary,
    anonymous: PeerSummary,
    /// Whether this peer may see the group's directory: only then is it named, to peers who may.
    listed: bool,
}

impl Presence {
    pub fn new(peer: u64, member: MemberId, name: String, listed: bool) -> Presence {
        let id = format!("p{peer}");
        Presence {
            listed,
            anonymous: PeerSummary {
                peer: id.clone(),
                name: None,
                // The member's colour would follow them from text to text: a session's does not.
                colour: COLOURS[(peer % COLOURS.len() as u64) as usize],
            },
            named: PeerSummary {
                peer: id,
                name: Some(name),
                colour: colour_of(member),
            },
        }
    }

    pub fn peer(&self) -> &str {
        &self.named.peer
    }

    /// As seen by a peer who may (`true`) or may not see the group's directory.
    pub fn seen(&self, names: bool) -> &PeerSummary {
        if names && self.listed {
            &self.named
        } else {
            &self.anonymous
        }
    }
}

/// One message about a peer, serialised once in each form.
pub struct Said {
    named: String,
    anonymous: String,
}

impl Said {
    pub fn about<'a>(who: &'a Presence, message: impl Fn(&'a PeerSummary) -> ToClient<'a>) -> Said {
        Said {
            named: message(who.seen(true)).to_json(),
            anonymous: message(who.seen(false)).to_json(),
        }
    }

    /// The form for a peer who may (`true`) or may not see the group's directory.
    pub fn to(&self, names: bool) -> String {
        if names { &self.named } else { &self.anonymous }.clone()
    }
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
        let alice = Presence::new(3, MemberId(42), "Alice".into(), true);
        let said = Said::about(&alice, |who| ToClient::Cursor {
            who,
            anchor: "2@abc",
            head: "3@abc",
        });
        let value: serde_json::Value = serde_json::from_str(&said.to(true)).unwrap();
        assert_eq!(value["type"], "cursor");
        assert_eq!(value["name"], "Alice");
        assert_eq!(value["colour"], colour_of(MemberId(42)));
        assert_eq!(value["peer"], "p3");
        assert_eq!(value["anchor"], "2@abc");
        let anonymous: serde_json::Value = serde_json::from_str(&said.to(false)).unwrap();
        assert_eq!(anonymous["peer"], "p3");
        assert_eq!(anonymous["anchor"], "2@abc");
        assert!(anonymous.get("name").is_none(), "{anonymous}");
        assert!(
            anonymous["colour"]
                .as_str()
                .is_some_and(|c| c.starts_with('#'))
        );
        // Someone outside the directory is named to nobody.
        let reader = Presence::new(4, MemberId(7), "Rémi".into(), false);
        assert!(reader.seen(true).name.is_none());
        assert!(parse(r#"{"type":"cursor","anchor":"1@a","head":"1@a"}"#).is_some());
        assert!(parse(r#"{"type":"shout"}"#).is_none());
        assert!(parse("not json").is_none());
        assert_eq!(colour_of(MemberId(-1)), colour_of(MemberId(9)));
    }
}

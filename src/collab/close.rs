//! WebSocket close codes of live editing (4000–4999 are the application's): the socket, the
//! document task, the limiter and the editor all speak them.

/// The peer sent something that is not an automerge sync message.
pub const MALFORMED: u16 = 4400;
/// A read-only peer sent changes.
pub const READ_ONLY: u16 = 4403;
/// A change under an actor id that belongs to another member.
pub const ACTOR_TAKEN: u16 = 4409;
/// A message beyond the bounds, or a change that would make the text too long.
pub const TOO_LARGE: u16 = 4413;
/// The peer cannot keep up with the document.
pub const TOO_SLOW: u16 = 4408;
/// The peer sends faster than its rates allow, or than the document applies.
pub const TOO_FAST: u16 = 4429;
/// The server is restarting (the standard code): reconnect.
pub const RESTARTING: u16 = 1012;
/// A message holds more than a member may apply at once (the standard code: the editor
/// does not retry it).
pub const TOO_BIG: u16 = 1009;
/// The server must reload the document or re-check rights: reconnect.
pub const RECONNECT: u16 = 4503;

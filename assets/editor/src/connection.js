// One WebSocket to the sync endpoint, reopened with backoff when it closes.
//
// The connection knows nothing of automerge: it hands binary frames (Uint8Array) and text frames
// (string) to its handlers, and asks `handlers.close(code, reason)` whether a close is final
// (returns true: do not reconnect, e.g. a read-only refusal) or not.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/** The ws:/wss: URL of a sync path, resolved against the page's address. */
export function socketUrl(path, location = window.location) {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.hash = "";
  return url.href;
}

export class Connection {
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false; // a final close: no more attempts
    this.paused = false; // disconnect() by a test or the page: wait for reconnect()
    window.addEventListener("online", () => this.reconnectSoon());
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.open();
  }

  open() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || this.paused || this.ws) return;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws === ws) this.handlers.open();
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      if (typeof event.data === "string") this.handlers.text(event.data);
      else this.handlers.binary(new Uint8Array(event.data));
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const final = this.handlers.close(event.code, event.reason || "");
      if (final) this.stopped = true;
      else this.scheduleReconnect();
    };
    ws.onerror = () => {
      // A close event always follows; it decides.
    };
  }

  /** The server answered on this connection: the next failure starts the backoff afresh. */
  healthy() {
    this.attempt = 0;
  }

  /** 0.5 s, 1 s, 2 s, … up to 10 s, each ±20 % so that clients of a restarted server spread. */
  scheduleReconnect() {
    if (this.stopped || this.paused || this.timer !== null) return;
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.min(MAX_DELAY_MS, base * (0.8 + 0.4 * Math.random()));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }

  /** The browser says the network is back: try now rather than at the end of the backoff. */
  reconnectSoon() {
    if (this.ws || this.stopped || this.paused) return;
    this.attempt = 0;
    this.open();
  }

  send(data) {
    if (!this.isOpen) return false;
    this.ws.send(data);
    return true;
  }

  /** Closes the socket and stays offline until reconnect() (test hook, page hook). */
  disconnect() {
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    if (ws) {
      this.ws = null;
      try {
        ws.close(1000, "client offline");
      } catch {
        // already closing
      }
      this.handlers.close(1000, "", true);
    }
  }

  reconnect() {
    this.paused = false;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }
}

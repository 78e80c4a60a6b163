// Atelier's live co-editing editor: CodeMirror 6 on an automerge document synced over a
// WebSocket. Mounted into #atelier-editor; see ../README.md for the page contract and protocol.

import * as A from "@automerge/automerge/slim";
import { Compartment, EditorState, Prec, Transaction } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
// Not `markdown()`: it brings the HTML, CSS and JavaScript parsers (a third of the bundle) to
// highlight HTML inside Markdown, which members' texts hardly ever hold.
import { markdownKeymap, markdownLanguage, pasteURLAsLink } from "@codemirror/lang-markdown";

import { PATH, changeSetOfPatches, minimalChange, sameHeads, splicesOf } from "./binding.js";
import { Connection, socketUrl } from "./connection.js";
import { remoteCursors, setRemoteCursors } from "./remote-cursors.js";
import { strings } from "./i18n.js";
import { clearCopy, loadCopy, storeCopy } from "./storage.js";

const CURSOR_INTERVAL_MS = 100; // presence: at most 10 messages a second
const PERSIST_INTERVAL_MS = 2000; // local copy of unsaved edits: at most every 2 s
const STATUS_SETTLE_MS = 1000; // "Connected" ↔ "Saved": shown once it holds for 1 s
const NOTICE_MS = 10_000;
const MAX_NAME = 40;

/**
 * Closes after which reconnecting cannot help: policy (1008), too big (1009) and the
 * application's 44xx refusals (4400 malformed, 4403 read-only, …) except 4408 (too slow) and
 * 4429 (too many), which a fresh connection can cure. Everything else (1001, 1006, 1011, 1012,
 * 4503 "reconnect", …) reconnects with backoff.
 */
function isFinalClose(code) {
  if (code === 1008 || code === 1009) return true;
  return code >= 4400 && code < 4500 && code !== 4408 && code !== 4429;
}

const theme = EditorView.theme({
  "&": {
    backgroundColor: "var(--surface, #fff)",
    color: "var(--ink, #1f1b16)",
    border: "1px solid var(--line-strong, #8f8576)",
    borderRadius: "var(--radius, 0.5rem)",
    fontSize: "1rem",
  },
  "&.cm-focused": {
    outline: "3px solid var(--focus, #1f4e79)",
    outlineOffset: "2px",
    boxShadow: "0 0 0 6px var(--focus-ring, #ffbf47)",
  },
  ".cm-scroller": {
    fontFamily: "var(--font-mono, ui-monospace, monospace)",
    lineHeight: "1.6",
  },
  ".cm-content": {
    minHeight: "18rem",
    padding: "1.4em 0.75em 1em",
    caretColor: "var(--ink, #1f1b16)",
  },
});

/** The status line: `data-state` at once; the words settle before "Connected" ↔ "Saved". */
class Status {
  constructor(element) {
    this.element = element;
    this.state = null;
    this.text = null;
    this.timer = null;
    this.notice = "";
    this.noticeTimer = null;
  }

  set(state, text) {
    const quiet =
      (this.state === "synced" || this.state === "saved") &&
      (state === "synced" || state === "saved");
    this.state = state;
    if (this.element.getAttribute("data-state") !== state) {
      this.element.setAttribute("data-state", state);
    }
    this.text = text;
    clearTimeout(this.timer);
    if (quiet) this.timer = setTimeout(() => this.write(), STATUS_SETTLE_MS);
    else this.write();
  }

  showNotice(notice) {
    this.notice = notice;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice = "";
      this.write();
    }, NOTICE_MS);
    this.write();
  }

  write() {
    const text = this.notice ? `${this.text} — ${this.notice}` : this.text;
    if (this.element.textContent !== text) this.element.textContent = text;
  }
}

class CoEditor {
  constructor(root, statusElement, connection) {
    this.t = strings(root.dataset.lang);
    this.textId = root.dataset.textId || root.dataset.syncUrl;
    this.pageReadonly = root.dataset.readonly === "true";
    this.readonly = this.pageReadonly;
    this.status = new Status(statusElement);

    // Start from an empty document (everything comes through sync), or from the copy of
    // edits a previous page could not save.
    this.doc = A.init();
    this.localEdits = false; // edits made here (or restored) this page: "Saved" is about them
    if (!this.pageReadonly) {
      const copy = loadCopy(this.textId);
      if (copy) {
        try {
          this.doc = A.load(copy);
          this.localEdits = true;
        } catch {
          clearCopy(this.textId);
        }
      }
    }
    this.syncState = A.initSyncState();
    this.reconciledHeads = []; // the heads the editor's text reflects
    this.ready = false; // the text exists and is in the editor
    this.phase = "connecting"; // "connecting" | "offline" | "online" (a server message came)
    this.serverHasAll = false;
    this.finalMessage = null;

    this.peers = new Map(); // peer id → {peer, name, colour, anchor, head} (automerge cursors)
    this.selfPeer = null;
    this.lastCursor = null;
    this.cursorTimer = null;
    this.cursorPending = false;
    this.refreshQueued = false;
    this.resolvedCursors = []; // [{peer, name, colour, anchor, head}] as last drawn
    this.persistTimer = null;

    this.editable = new Compartment();
    this.view = new EditorView({
      parent: root,
      state: EditorState.create({
        doc: "",
        extensions: [
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          markdownLanguage,
          Prec.high(keymap.of(markdownKeymap)),
          pasteURLAsLink,
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({
            "aria-label": this.t.label,
            ...(statusElement.id ? { "aria-describedby": statusElement.id } : {}),
          }),
          this.editable.of(this.editability(false)),
          remoteCursors(),
          theme,
          EditorView.updateListener.of((update) => this.onUpdate(update)),
        ],
      }),
    });

    this.reconcile();
    this.updateStatus();

    this.connection = connection;

    window.addEventListener("pagehide", () => this.persistNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.persistNow();
    });
  }

  editability(writable) {
    return writable
      ? [EditorView.contentAttributes.of({ "aria-readonly": "false" })]
      : [
          EditorState.readOnly.of(true),
          EditorView.editable.of(false),
          EditorView.contentAttributes.of({ "aria-readonly": "true", tabindex: "0" }),
        ];
  }

  applyEditability() {
    this.view.dispatch({
      effects: this.editable.reconfigure(this.editability(this.ready && !this.readonly)),
    });
  }

  setReadonly(readonly) {
    if (this.readonly === readonly) return;
    this.readonly = readonly;
    this.applyEditability();
    this.updateStatus();
  }

  // ---- Local edits → automerge ----

  onUpdate(update) {
    if (update.docChanged) {
      const local = update.transactions.filter(
        (tr) => tr.docChanged && !tr.annotation(Transaction.remote),
      );
      if (local.length > 0) this.applyLocal(local);
    }
    if (update.docChanged || update.selectionSet) this.scheduleCursorSend();
  }

  applyLocal(transactions) {
    if (!this.ready || this.readonly) {
      // Cannot happen through the keyboard (the editor is not editable then); a script's
      // dispatch is undone so the editor never shows what the document does not hold.
      queueMicrotask(() => this.resetToDocument());
      return;
    }
    this.doc = A.change(this.doc, (d) => {
      for (const tr of transactions) {
        for (const [index, deleted, inserted] of splicesOf(tr.changes)) {
          A.splice(d, PATH, index, deleted, inserted);
        }
      }
    });
    this.reconciledHeads = A.getHeads(this.doc);
    this.localEdits = true;
    this.serverHasAll = false;
    this.flush();
    this.schedulePersist();
    this.scheduleRefreshCursors();
    this.updateStatus();
  }

  // ---- automerge → the editor ----

  remoteDispatch(changes) {
    this.view.dispatch({
      changes,
      annotations: [Transaction.remote.of(true), Transaction.addToHistory.of(false)],
    });
  }

  resetToDocument() {
    const text = typeof this.doc.markdown === "string" ? this.doc.markdown : "";
    const current = this.view.state.doc.toString();
    if (current !== text) this.remoteDispatch(minimalChange(current, text));
  }

  /** Brings the editor to the document's current heads. */
  reconcile() {
    const heads = A.getHeads(this.doc);
    if (sameHeads(heads, this.reconciledHeads) && this.ready) return;
    const text = this.doc.markdown;
    if (typeof text !== "string") return; // not synced yet: the server's document has it
    if (!this.ready) {
      this.remoteDispatch({ from: 0, to: this.view.state.doc.length, insert: text });
      this.ready = true;
      this.reconciledHeads = heads;
      this.applyEditability();
      this.scheduleRefreshCursors();
      return;
    }
    let changes = null;
    try {
      changes = changeSetOfPatches(
        A.diff(this.doc, this.reconciledHeads, heads),
        this.view.state.doc.length,
      );
    } catch (error) {
      console.warn("atelier editor: diff failed, comparing texts", error);
    }
    if (changes && !changes.empty) this.remoteDispatch(changes);
    // Belt and braces: whatever the patches said, the editor must show the document's text.
    this.resetToDocument();
    this.reconciledHeads = heads;
    this.scheduleRefreshCursors();
  }

  // ---- Sync ----

  flush() {
    if (!this.connection || !this.connection.isOpen) return;
    for (let i = 0; i < 64; i++) {
      const [state, message] = A.generateSyncMessage(this.doc, this.syncState);
      this.syncState = state;
      if (!message) break;
      this.connection.send(message);
    }
  }

  onOpen() {
    this.finalMessage = null; // only reconnect() reopens after a final close
    this.syncState = A.initSyncState();
    this.lastCursor = null;
    this.flush();
  }

  onSyncMessage(bytes) {
    try {
      [this.doc, this.syncState] = A.receiveSyncMessage(this.doc, this.syncState, bytes);
    } catch (error) {
      console.error("atelier editor: bad sync message", error);
      return;
    }
    this.connection.healthy();
    this.phase = "online";
    this.reconcile();
    // The server answers only once it has stored what we sent: when the heads we share with it
    // are all of ours, every local edit is durable.
    this.serverHasAll = A.hasOurChanges(this.doc, this.syncState);
    if (this.serverHasAll && this.localEdits) {
      clearTimeout(this.persistTimer);
      this.persistTimer = null;
      clearCopy(this.textId);
    }
    this.flush();
    this.updateStatus();
  }

  onClose(code, reason, byUs) {
    this.phase = "offline";
    this.serverHasAll = false;
    this.peers.clear();
    this.selfPeer = null;
    this.scheduleRefreshCursors();
    let final = false;
    if (!byUs && isFinalClose(code)) {
      final = true;
      if (code === 4403) {
        this.finalMessage = this.t.refusedReadonly;
        this.setReadonly(true);
      } else if (code === 1009) {
        this.finalMessage = this.t.tooBig;
      } else if (code === 4413) {
        // The server's reason is French and names the limit; the editor says it in the page's language.
        this.finalMessage = this.t.tooLong;
      } else if (code === 4409) {
        this.finalMessage = this.t.actorTaken;
      } else {
        this.finalMessage = reason ? `${this.t.refused}${this.t.colon} ${reason}` : this.t.refused;
      }
    } else if (!byUs && reason) {
      this.status.showNotice(`${this.t.closed}${this.t.colon} ${reason}`);
    }
    if (byUs) this.finalMessage = null;
    this.persistNow();
    this.updateStatus();
    return final;
  }

  // ---- Presence ----

  onPresence(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!message || typeof message !== "object") return;
    switch (message.type) {
      case "hello":
        this.selfPeer = typeof message.peer === "string" ? message.peer : null;
        if (message.readonly === true) this.setReadonly(true);
        this.peers.clear();
        for (const peer of Array.isArray(message.peers) ? message.peers : []) this.upsertPeer(peer);
        this.lastCursor = null;
        this.scheduleCursorSend();
        break;
      case "join":
        this.upsertPeer(message);
        // The newcomer has not seen our cursor yet.
        this.lastCursor = null;
        this.scheduleCursorSend();
        break;
      case "cursor": {
        if (message.peer === this.selfPeer) break;
        const peer = this.upsertPeer(message);
        if (peer && typeof message.anchor === "string" && typeof message.head === "string") {
          peer.anchor = message.anchor;
          peer.head = message.head;
        }
        break;
      }
      case "leave":
        this.peers.delete(message.peer);
        break;
      case "error": {
          this.status.showNotice(`${this.t.serverSays}${this.t.colon} ${String(message.message ?? "")}`);
        break;
      }
      default:
        return;
    }
    this.scheduleRefreshCursors();
  }

  upsertPeer(data) {
    if (!data || typeof data.peer !== "string" || data.peer === this.selfPeer) return null;
    const peer = this.peers.get(data.peer) ?? {
      peer: data.peer,
      name: "",
      colour: "",
      anchor: null,
      head: null,
    };
    if (typeof data.name === "string") peer.name = data.name.slice(0, MAX_NAME);
    if (typeof data.colour === "string") peer.colour = data.colour;
    this.peers.set(data.peer, peer);
    return peer;
  }

  scheduleRefreshCursors() {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    queueMicrotask(() => {
      this.refreshQueued = false;
    this.resolvedCursors = []; // [{peer, name, colour, anchor, head}] as last drawn
      this.refreshCursors();
    });
  }

  /** Resolves every peer's cursors against the document; unresolvable ones wait (hidden). */
  refreshCursors() {
    const cursors = [];
    if (this.ready) {
      for (const peer of this.peers.values()) {
        if (!peer.anchor || !peer.head) continue;
        try {
          cursors.push({
            peer: peer.peer,
            // The server leaves names out for those who may not see the group's directory.
            name: peer.name || this.t.participant,
            colour: peer.colour,
            anchor: A.getCursorPosition(this.doc, PATH, peer.anchor),
            head: A.getCursorPosition(this.doc, PATH, peer.head),
          });
        } catch {
          // Refers to a change not received yet (or garbage): tried again after the next one.
        }
      }
    }
    this.resolvedCursors = cursors;
    this.view.dispatch({ effects: setRemoteCursors.of(cursors) });
  }

  scheduleCursorSend() {
    if (this.cursorTimer !== null) {
      this.cursorPending = true;
      return;
    }
    this.sendCursor();
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      if (this.cursorPending) {
        this.cursorPending = false;
        this.scheduleCursorSend();
      }
    }, CURSOR_INTERVAL_MS);
  }

  /**
   * Sends the selection as automerge cursors. A cursor names the character after the position,
   * so it follows that character through everyone's edits; at the end of the text automerge
   * gives its end cursor, "e", which always resolves to the text's length.
   */
  sendCursor() {
    if (!this.ready || !this.connection || !this.connection.isOpen) return;
    const { anchor: a, head: h } = this.view.state.selection.main;
    let anchor;
    let head;
    try {
      anchor = A.getCursor(this.doc, PATH, a);
      head = h === a ? anchor : A.getCursor(this.doc, PATH, h);
    } catch {
      return;
    }
    const key = `${anchor} ${head}`;
    if (key === this.lastCursor) return;
    this.lastCursor = key;
    this.connection.send(JSON.stringify({ type: "cursor", anchor, head }));
  }

  // ---- Local copy ----

  schedulePersist() {
    if (this.pageReadonly || this.persistTimer !== null) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      this.persistNow();
    }, PERSIST_INTERVAL_MS);
  }

  persistNow() {
    clearTimeout(this.persistTimer);
    this.persistTimer = null;
    if (this.pageReadonly || !this.ready || !this.localEdits || this.serverHasAll) return;
    storeCopy(this.textId, A.save(this.doc));
  }

  // ---- Status ----

  stateNow() {
    if (this.finalMessage) return ["offline", this.finalMessage];
    if (this.phase === "connecting") return ["connecting", this.t.connecting];
    if (this.phase === "offline") {
      return ["offline", this.readonly ? this.t.offlineReadonly : this.t.offline];
    }
    if (!this.ready) return ["connecting", this.t.connecting];
    if (this.readonly) return ["readonly-synced", this.t.readonly];
    if (this.localEdits && this.serverHasAll) return ["saved", this.t.saved];
    return ["synced", this.t.synced];
  }

  updateStatus() {
    const [state, text] = this.stateNow();
    this.status.set(state, text);
  }

  api() {
    return {
      view: this.view,
      getMarkdown: () =>
        typeof this.doc.markdown === "string" ? this.doc.markdown : this.view.state.doc.toString(),
      getHeads: () => A.getHeads(this.doc),
      isSaved: () => this.phase === "online" && this.serverHasAll,
      getState: () => this.status.state,
      peers: () => [...this.peers.values()].map((p) => ({ ...p })),
      remoteCursors: () => this.resolvedCursors.map((c) => ({ ...c })),
      disconnect: () => this.connection.disconnect(),
      reconnect: () => this.connection.reconnect(),
    };
  }
}

async function main() {
  const root = document.getElementById("atelier-editor");
  if (!root) return;
  let status = document.getElementById("atelier-editor-status");
  if (!status) {
    status = document.createElement("p");
    status.setAttribute("role", "status");
    root.after(status);
  }
  status.setAttribute("data-state", "connecting");
  status.textContent = strings(root.dataset.lang).connecting;
  // automerge's WebAssembly is a file of its own, compiled while it downloads (served
  // compressed, cached for good under its content-hashed name, which the page gives).
  const wasmUrl = root.dataset.wasmUrl || new URL("automerge.wasm", import.meta.url).href;
  const wasm = A.initializeWasm(fetch(wasmUrl));
  // The socket opens meanwhile (its handshake costs a round trip): what arrives before the
  // editor exists waits in `early`, then goes to it in order.
  let editor = null;
  const early = [];
  const connection = new Connection(socketUrl(root.dataset.syncUrl), {
    open: () => (editor ? editor.onOpen() : early.push(["onOpen"])),
    binary: (bytes) => (editor ? editor.onSyncMessage(bytes) : early.push(["onSyncMessage", bytes])),
    text: (text) => (editor ? editor.onPresence(text) : early.push(["onPresence", text])),
    close: (code, reason, byUs) => {
      if (editor) return editor.onClose(code, reason, byUs);
      early.push(["onClose", code, reason, byUs]);
      return !byUs && isFinalClose(code); // what onClose will decide
    },
  });
  connection.start();
  try {
    await wasm;
  } catch (error) {
    connection.disconnect();
    throw error;
  }
  editor = new CoEditor(root, status, connection);
  for (const [method, ...args] of early.splice(0)) editor[method](...args);
  window.atelierEditor = editor.api();
}

main().catch((error) => {
  console.error("atelier editor: could not start", error);
});

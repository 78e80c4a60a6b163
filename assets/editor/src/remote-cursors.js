// Other people's carets and selections, drawn as CodeMirror decorations.
//
// The editor resolves each peer's automerge cursors to indexes and dispatches setRemoteCursors
// with the list; between two such updates the decorations follow the document's changes.

import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, WidgetType } from "@codemirror/view";

/** Effect: the full list of remote cursors, [{peer, name, colour, anchor, head}] (indexes). */
export const setRemoteCursors = StateEffect.define();

const COLOUR = /^#[0-9a-fA-F]{6}$/;

/** The server's colour if it is a plain #rrggbb, else a neutral grey (it ends up in CSS). */
export function safeColour(colour) {
  return typeof colour === "string" && COLOUR.test(colour) ? colour : "#5c544a";
}

class CaretWidget extends WidgetType {
  constructor(peer, name, colour) {
    super();
    this.peer = peer;
    this.name = name;
    this.colour = colour;
  }

  eq(other) {
    return other.peer === this.peer && other.name === this.name && other.colour === this.colour;
  }

  toDOM() {
    const caret = document.createElement("span");
    caret.className = "atelier-remote-cursor";
    caret.setAttribute("data-peer-name", this.name);
    caret.setAttribute("data-peer", this.peer);
    caret.setAttribute("aria-hidden", "true");
    caret.style.borderLeftColor = this.colour;
    const label = document.createElement("span");
    label.className = "atelier-remote-cursor-label";
    label.textContent = this.name;
    label.style.backgroundColor = this.colour;
    caret.appendChild(label);
    return caret;
  }

  ignoreEvent() {
    return false;
  }
}

function build(cursors, length) {
  const ranges = [];
  const clamp = (i) => Math.max(0, Math.min(length, i));
  for (const c of cursors) {
    const anchor = clamp(c.anchor);
    const head = clamp(c.head);
    const colour = safeColour(c.colour);
    const from = Math.min(anchor, head);
    const to = Math.max(anchor, head);
    if (from < to) {
      ranges.push(
        Decoration.mark({
          class: "atelier-remote-selection",
          attributes: { style: `background-color: ${colour}40` },
        }).range(from, to),
      );
    }
    ranges.push(
      Decoration.widget({ widget: new CaretWidget(c.peer, c.name, colour), side: 1 }).range(head),
    );
  }
  return Decoration.set(ranges, true);
}

export const remoteCursorsField = StateField.define({
  create() {
    return Decoration.none;
  },
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setRemoteCursors)) next = build(effect.value, tr.state.doc.length);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export const remoteCursorsTheme = EditorView.baseTheme({
  ".atelier-remote-cursor": {
    position: "relative",
    borderLeft: "2px solid",
    marginLeft: "-1px",
    marginRight: "-1px",
    pointerEvents: "none",
  },
  ".atelier-remote-cursor-label": {
    position: "absolute",
    bottom: "100%",
    left: "-2px",
    padding: "0 0.3em",
    borderRadius: "3px 3px 3px 0",
    color: "#fff",
    fontFamily: "system-ui, sans-serif",
    fontSize: "0.72rem",
    lineHeight: "1.3",
    whiteSpace: "nowrap",
    userSelect: "none",
    pointerEvents: "none",
    zIndex: "5",
  },
});

export function remoteCursors() {
  return [remoteCursorsField, remoteCursorsTheme];
}

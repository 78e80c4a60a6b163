// Between automerge and CodeMirror. Both count positions in UTF-16 code units, so indexes pass
// through unchanged.

import { ChangeSet } from "@codemirror/state";

export const PATH = ["markdown"];

/**
 * The splices of a CodeMirror transaction, in the order automerge must apply them: each
 * `[index, deleteCount, insertText]` is relative to the text after the previous ones, which is
 * what `fromB` gives when changes are walked in document order.
 */
export function splicesOf(changes) {
  const splices = [];
  changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
    splices.push([fromB, toA - fromA, inserted.toString()]);
  });
  return splices;
}

/**
 * The CodeMirror changes for automerge patches on the Markdown text (patches apply one after
 * the other, so they are composed). Returns null when a patch replaces the text object itself
 * (the caller then falls back to a plain text comparison).
 */
export function changeSetOfPatches(patches, length) {
  let changes = ChangeSet.empty(length);
  for (const patch of patches) {
    if (patch.path.length === 0 || patch.path[0] !== PATH[0]) continue;
    if (patch.path.length === 1) {
      if (patch.action === "mark" || patch.action === "unmark") continue;
      return null;
    }
    if (patch.path.length !== 2 || typeof patch.path[1] !== "number") return null;
    const index = patch.path[1];
    let spec;
    if (patch.action === "splice") spec = { from: index, insert: patch.value };
    else if (patch.action === "del") spec = { from: index, to: index + (patch.length ?? 1) };
    else continue;
    if (spec.from > changes.newLength || (spec.to ?? spec.from) > changes.newLength) return null;
    changes = changes.compose(ChangeSet.of(spec, changes.newLength));
  }
  return changes;
}

/** The one change turning `before` into `after`: common prefix and suffix kept. */
export function minimalChange(before, after) {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  return { from: start, to: before.length - end, insert: after.slice(start, after.length - end) };
}

export function sameHeads(a, b) {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((h) => set.has(h));
}

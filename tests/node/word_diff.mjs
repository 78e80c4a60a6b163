// The in-place amendment editor's live word diff (assets/editor/src/word-diff.js), over pairs of
// texts, so that a test compares it with the server's (src/markup/diff.rs).
//
//   PAIRS=/path/to/pairs.json node tests/node/word_diff.mjs
//
// PAIRS is a JSON file: [[old, new], …]. Prints one JSON line: {"diffs": [{html, insertions,
// deletions}, …]}, in the same order. Intl.Segmenter (Node 16+) splits words as the server's
// Unicode segmentation does.

import { readFileSync } from "node:fs";

import { wordDiff } from "../../assets/editor/src/word-diff.js";

const pairs = JSON.parse(readFileSync(process.env.PAIRS, "utf8"));
// The server's test gives its diff 10 s: so does this one, so that neither is cut short.
const diffs = pairs.map(([oldText, newText]) => wordDiff(oldText, newText, 10_000));
process.stdout.write(`${JSON.stringify({ diffs })}\n`);

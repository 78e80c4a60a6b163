// A minimal sync client for Atelier's co-editing endpoint, run by the Rust integration tests:
//
//   SYNC_URL=ws://127.0.0.1:PORT/api/v1/texts/ID/sync TOKEN=… [APPEND=…] [TIMEOUT_MS=10000] \
//   [EXPECT_CLOSE=1] [COOKIE=name=value] [ORIGIN=http://127.0.0.1:PORT] node tests/node/sync_client.mjs
//
// It uses the official automerge (node build) and `ws` installed in assets/editor/node_modules
// (run `npm ci` there first); nothing else. It starts from an empty document, syncs until the
// document has `markdown` and the server has nothing more to send, optionally appends APPEND at
// the end of `markdown` and waits until the server's heads cover ours (the server answers only
// after storing), then prints one JSON line:
//
//   {"markdown": "...", "heads": ["..."], "saved": true}                   exit 0
//
// With EXPECT_CLOSE=1 (a read-only member: the server must refuse the change) it appends
// (APPEND, or a default sentence) and prints
//
//   {"closed": true, "code": 4403, "reason": "..."}   if the server closed the socket
//   {"closed": false, "saved": false}                  if nothing was stored within the timeout
//   {"closed": false, "saved": true, "markdown": …, "heads": […]}  if the server stored it (a bug)
//
// and exits 0. Any failure: one sentence on stderr, exit 1.

import { createRequire } from "node:module";

const require = createRequire(new URL("../../assets/editor/package.json", import.meta.url));
const A = require("@automerge/automerge");
const WebSocket = require("ws");

const PATH = ["markdown"];
const QUIET_MS = 150; // "no more messages flow": this long without a frame once in sync

const env = process.env;
const url = env.SYNC_URL;
const timeoutMs = Number(env.TIMEOUT_MS || 10000);
const expectClose = env.EXPECT_CLOSE === "1";
const append = env.APPEND ?? (expectClose ? "\n\nModification d’un lecteur.\n" : "");

function finish(code, stdout, stderr) {
  if (stderr) process.stderr.write(`${stderr}\n`);
  if (stdout) process.stdout.write(`${JSON.stringify(stdout)}\n`, () => process.exit(code));
  else process.exit(code);
}

if (!url) finish(1, null, "SYNC_URL is not set (e.g. ws://127.0.0.1:8080/api/v1/texts/1/sync).");
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) finish(1, null, "TIMEOUT_MS is not a number.");

const headers = {};
if (env.TOKEN) headers.Authorization = `Bearer ${env.TOKEN}`;
if (env.COOKIE) headers.Cookie = env.COOKIE;
const options = { headers };
if (env.ORIGIN) options.origin = env.ORIGIN;

let doc = A.init();
let sync = A.initSyncState();
let phase = "connecting"; // → "syncing" → "appending" → done
let quietTimer = null;
let done = false;

const ws = new WebSocket(url, options);
ws.binaryType = "nodebuffer";

const overall = setTimeout(() => {
  if (done) return;
  done = true;
  if (expectClose && phase === "appending") finish(0, { closed: false, saved: false });
  else finish(1, null, `Timed out after ${timeoutMs} ms while ${phase} (markdown ${typeof doc.markdown === "string" ? "present" : "absent"}).`);
  ws.terminate();
}, timeoutMs);

function flush() {
  for (let i = 0; i < 64; i++) {
    const [state, message] = A.generateSyncMessage(doc, sync);
    sync = state;
    if (!message) return;
    ws.send(message);
  }
}

function report(saved) {
  done = true;
  clearTimeout(overall);
  const result = expectClose
    ? { closed: false, saved, markdown: doc.markdown, heads: A.getHeads(doc) }
    : { markdown: doc.markdown, heads: A.getHeads(doc), saved };
  ws.close(1000, "done");
  finish(0, result);
}

function afterQuiet() {
  if (done || phase !== "syncing") return;
  if (append) {
    phase = "appending";
    const length = doc.markdown.length;
    doc = A.change(doc, (d) => A.splice(d, PATH, length, 0, append));
    flush();
  } else {
    report(true);
  }
}

ws.on("open", () => {
  phase = "syncing";
  flush();
});

ws.on("message", (data, isBinary) => {
  if (done || !isBinary) return; // presence frames are not this client's business
  try {
    [doc, sync] = A.receiveSyncMessage(doc, sync, new Uint8Array(data));
  } catch (error) {
    done = true;
    finish(1, null, `The server sent a message automerge cannot read: ${error.message}.`);
    return;
  }
  flush();
  const inSync = typeof doc.markdown === "string" && A.hasOurChanges(doc, sync);
  if (phase === "syncing") {
    clearTimeout(quietTimer);
    if (inSync) quietTimer = setTimeout(afterQuiet, QUIET_MS);
  } else if (phase === "appending" && inSync) {
    report(true);
  }
});

ws.on("unexpected-response", (_request, response) => {
  if (done) return;
  done = true;
  finish(1, null, `The server refused the WebSocket upgrade with HTTP ${response.statusCode}.`);
});

ws.on("error", (error) => {
  if (done) return;
  done = true;
  finish(1, null, `WebSocket error: ${error.message}.`);
});

ws.on("close", (code, reasonBuffer) => {
  if (done) return;
  done = true;
  const reason = reasonBuffer.toString();
  if (expectClose) finish(0, { closed: true, code, reason });
  else finish(1, null, `The server closed the connection (code ${code}${reason ? `, reason "${reason}"` : ""}) while ${phase}.`);
});

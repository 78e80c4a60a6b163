// A writer goes offline, keeps typing, and comes back; another writer types meanwhile.
//
//   BASE_URL=http://127.0.0.1:PORT EDIT_PATH=/texts/42/edit \
//   COOKIE_A=name=value COOKIE_B=name=value node tests/browser/offline.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor.
// The socket is closed from the page (window.atelierEditor.disconnect(): browsers' offline
// emulation does not reliably cut WebSockets). Checks:
//   1. A offline types at the end while B types at the start; neither sees the other's sentence;
//      A's unsaved edits are copied to localStorage; A reconnects; both converge on both
//      sentences, A reaches "saved" and its copy is cleared.
//   2. A goes offline again, types, and reloads the page: the copy is loaded, merged through
//      sync, and B receives the sentence.
// Prints one JSON line and exits 0, or one sentence on stderr and exits 1 (60 s at most).

import {
  fail,
  launch,
  markdownOf,
  openPage,
  overallTimeout,
  placeCaret,
  requireEnv,
  setStep,
  succeed,
  waitForConvergence,
  waitForState,
} from "./common.mjs";

overallTimeout(60_000);

const env = requireEnv(["BASE_URL", "EDIT_PATH", "COOKIE_A", "COOKIE_B"]);

const OFFLINE_A = " Écrit hors ligne par A.";
const ONLINE_B = "Écrit en ligne par B. ";
const RELOADED_A = " Sauvé malgré le rechargement.";

const copyKey = (page) =>
  page.evaluate(() => {
    const id = document.getElementById("atelier-editor").dataset.textId;
    return localStorage.getItem(`atelier-editor:text:${id}`) !== null;
  });

async function waitForCopy(page, present, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if ((await copyKey(page)) === present) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The local copy was ${present ? "never written" : "never cleared"}`);
}

async function main() {
  setStep("launching chromium");
  await launch();

  setStep("opening the pages");
  const a = await openPage("A", env.BASE_URL, env.EDIT_PATH, env.COOKIE_A);
  const b = await openPage("B", env.BASE_URL, env.EDIT_PATH, env.COOKIE_B);
  await waitForState(a.page, ["synced", "saved"]);
  await waitForState(b.page, ["synced", "saved"]);

  setStep("taking A offline");
  await a.page.evaluate(() => window.atelierEditor.disconnect());
  const offlineState = await waitForState(a.page, ["offline"], 5000);
  const offlineText = await a.page.textContent("#atelier-editor-status");
  const editableOffline = await a.page.getAttribute(".cm-content", "contenteditable");
  if (editableOffline !== "true") throw new Error("A's editor is not editable while offline");

  setStep("typing while A is offline");
  await placeCaret(a.page, "end");
  await placeCaret(b.page, "start");
  await Promise.all([
    a.page.keyboard.type(OFFLINE_A, { delay: 20 }),
    b.page.keyboard.type(ONLINE_B, { delay: 20 }),
  ]);
  await b.page.waitForFunction(() => window.atelierEditor.isSaved(), null, { timeout: 15_000 });
  const aWhileOffline = await markdownOf(a.page);
  const bWhileOffline = await markdownOf(b.page);
  if (aWhileOffline.includes(ONLINE_B)) throw new Error("A received B's sentence while offline");
  if (bWhileOffline.includes(OFFLINE_A)) throw new Error("B received A's sentence while A was offline");
  if ((await waitForState(a.page, ["offline"], 1000)) !== "offline") {
    throw new Error("A's status left offline");
  }
  setStep("waiting for A's local copy");
  await waitForCopy(a.page, true);

  setStep("reconnecting A");
  await a.page.evaluate(() => window.atelierEditor.reconnect());
  const merged = await waitForConvergence([a, b], [OFFLINE_A, ONLINE_B]);
  await waitForState(a.page, ["saved"], 15_000);
  await waitForCopy(a.page, false);

  setStep("reloading A while offline");
  await a.page.evaluate(() => window.atelierEditor.disconnect());
  await waitForState(a.page, ["offline"], 5000);
  await placeCaret(a.page, "end");
  await a.page.keyboard.type(RELOADED_A, { delay: 10 });
  await waitForCopy(a.page, true);
  const reloadedBefore = await markdownOf(b.page);
  if (reloadedBefore.includes(RELOADED_A)) throw new Error("B received A's sentence while A was offline");
  await a.page.reload();
  await waitForState(a.page, ["saved"], 20_000);
  const final = await waitForConvergence([a, b], [OFFLINE_A, ONLINE_B, RELOADED_A]);
  await waitForCopy(a.page, false);

  succeed({
    ok: true,
    offline_state: offlineState,
    offline_status_text: offlineText,
    a_did_not_see_b_while_offline: true,
    b_did_not_see_a_while_offline: true,
    merged_after_reconnect: merged,
    survived_reload: true,
    markdown: final,
  });
}

main().catch((error) => fail(error.message));

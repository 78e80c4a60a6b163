// Two writers and a reader edit one text in three browsers (Debian's chromium via playwright-core).
//
//   BASE_URL=http://127.0.0.1:PORT EDIT_PATH=/texts/42/edit \
//   COOKIE_A=name=value COOKIE_B=name=value COOKIE_READER=name=value \
//   NAME_A="Alice Martin" NAME_B="Bruno Durand" node tests/browser/co_editing.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor.
// Optional: COOKIE_OUTSIDER, ANONYMOUS_FR and ANONYMOUS_EN: a reader who may not see the group's
// directory opens the text too; it must show A's and B's carets under the label of its page's
// language, never their names.
// Checks: every page syncs; A and B type different sentences at once (A at the end, B at the
// start); all three pages converge on the same Markdown holding both; A sees B's caret and B
// sees A's; the reader's editor is not editable and typing in it changes nothing; A and B reach
// "saved". Prints one JSON line and exits 0, or one sentence on stderr and exits 1 (60 s at most).

import {
  cssString,
  fail,
  launch,
  markdownOf,
  openPage,
  overallTimeout,
  placeCaret,
  requireEnv,
  revealPeerCaret,
  setStep,
  succeed,
  waitForConvergence,
  waitForState,
} from "./common.mjs";

overallTimeout(60_000);

const env = requireEnv([
  "BASE_URL",
  "EDIT_PATH",
  "COOKIE_A",
  "COOKIE_B",
  "COOKIE_READER",
  "NAME_A",
  "NAME_B",
]);

const SENTENCE_A = " Phrase d’Alice, ajoutée à la fin.";
const SENTENCE_B = "Phrase de Bruno, écrite au début. ";

/** Waits until `tab` draws `count` carets (or more) labelled `name`; else throws naming its peers. */
async function waitForCarets(tab, name, count = 1) {
  try {
    await tab.page.waitForFunction(
      ([name, count]) => window.atelierEditor.remoteCursors().filter((c) => c.name === name).length >= count,
      [name, count],
      { timeout: 10_000, polling: 50 },
    );
    await revealPeerCaret(tab.page, name);
    await tab.page.waitForSelector(`.atelier-remote-cursor[data-peer-name=${cssString(name)}]`, {
      state: "attached",
      timeout: 10_000,
    });
  } catch {
    const peers = await tab.page.evaluate(() => window.atelierEditor.peers());
    throw new Error(`${tab.label} shows no caret named ${name}; its peers: ${JSON.stringify(peers)}`);
  }
}

async function main() {
  setStep("launching chromium");
  await launch();

  setStep("opening the pages");
  const a = await openPage("A", env.BASE_URL, env.EDIT_PATH, env.COOKIE_A);
  const b = await openPage("B", env.BASE_URL, env.EDIT_PATH, env.COOKIE_B);
  const reader = await openPage("reader", env.BASE_URL, env.EDIT_PATH, env.COOKIE_READER);

  setStep("waiting for the first sync");
  const states = {
    a: await waitForState(a.page, ["synced", "saved"]),
    b: await waitForState(b.page, ["synced", "saved"]),
    reader: await waitForState(reader.page, ["readonly-synced"]),
  };
  const before = await markdownOf(a.page);

  setStep("typing concurrently");
  await placeCaret(a.page, "end");
  await placeCaret(b.page, "start");
  const started = Date.now();
  await Promise.all([
    a.page.keyboard.type(SENTENCE_A, { delay: 25 }),
    b.page.keyboard.type(SENTENCE_B, { delay: 25 }),
  ]);

  setStep("waiting for the three pages to converge");
  const markdown = await waitForConvergence([a, b, reader], [SENTENCE_A, SENTENCE_B]);
  const convergedMs = Date.now() - started;
  if (!markdown.startsWith(SENTENCE_B) || !markdown.endsWith(SENTENCE_A)) {
    throw new Error(`The sentences are not where they were typed: ${JSON.stringify(markdown)}`);
  }
  if (markdown !== SENTENCE_B + before + SENTENCE_A) {
    throw new Error(`The merged text is not B + original + A: ${JSON.stringify(markdown)}`);
  }

  setStep("looking for the remote carets");
  for (const [tab, name] of [
    [a, env.NAME_B],
    [b, env.NAME_A],
  ]) {
    await waitForCarets(tab, name);
  }
  let outsiderSeesCarets = null;
  let outsiderLang = null;
  if (process.env.COOKIE_OUTSIDER) {
    setStep("looking for the outsider's anonymous carets");
    const outsider = await openPage("outsider", env.BASE_URL, env.EDIT_PATH, process.env.COOKIE_OUTSIDER);
    await waitForState(outsider.page, ["readonly-synced"]);
    // The server tells a peer who joins where the others' carets are.
    const lang = await outsider.page.evaluate(() => document.documentElement.lang);
    const label = lang.startsWith("en") ? process.env.ANONYMOUS_EN : process.env.ANONYMOUS_FR;
    await waitForCarets(outsider, label, 2);
    outsiderLang = lang;
    outsiderSeesCarets = await outsider.page.evaluate(() =>
      window.atelierEditor.remoteCursors().map((c) => c.name),
    );
    const shown = await outsider.page.evaluate(() => document.querySelector(".cm-editor").textContent);
    const peers = JSON.stringify(await outsider.page.evaluate(() => window.atelierEditor.peers()));
    for (const name of [env.NAME_A, env.NAME_B]) {
      if (shown.includes(name) || peers.includes(name) || outsiderSeesCarets.includes(name)) {
        throw new Error(`The outsider is told ${name} edits: ${peers}`);
      }
    }
  }
  const readerSeesCarets = await reader.page.evaluate(() =>
    window.atelierEditor.remoteCursors().map((c) => c.name),
  );

  setStep("checking the reader cannot edit");
  const editable = await reader.page.getAttribute(".cm-content", "contenteditable");
  if (editable !== "false") throw new Error(`The reader's .cm-content has contenteditable=${editable}`);
  await reader.page.click(".cm-content");
  await reader.page.keyboard.type("lecteur", { delay: 10 });
  await reader.page.keyboard.press("Enter");
  await new Promise((resolve) => setTimeout(resolve, 500));
  const readerText = await markdownOf(reader.page);
  const readerShown = await reader.page.evaluate(() => window.atelierEditor.view.state.doc.toString());
  if (readerText !== markdown || readerShown !== markdown) {
    throw new Error("Typing in the reader's editor changed its text");
  }

  setStep("waiting for A and B to be saved");
  await a.page.waitForFunction(() => window.atelierEditor.isSaved(), null, { timeout: 15_000 });
  await b.page.waitForFunction(() => window.atelierEditor.isSaved(), null, { timeout: 15_000 });
  const savedA = await waitForState(a.page, ["saved"], 15_000);
  const savedB = await waitForState(b.page, ["saved"], 15_000);
  const heads = await a.page.evaluate(() => window.atelierEditor.getHeads());
  const headsB = await b.page.evaluate(() => window.atelierEditor.getHeads());
  await new Promise((resolve) => setTimeout(resolve, 1200)); // the words settle after 1 s
  const statusText = await a.page.textContent("#atelier-editor-status");

  succeed({
    ok: true,
    initial_states: states,
    converged_ms: convergedMs,
    markdown,
    a_sees_b_cursor: true,
    b_sees_a_cursor: true,
    reader_sees_carets: readerSeesCarets,
    outsider_sees_carets: outsiderSeesCarets,
    outsider_lang: outsiderLang,
    reader_contenteditable: editable,
    reader_typing_ignored: true,
    reader_has_both: true,
    saved: { a: savedA === "saved", b: savedB === "saved" },
    same_heads: JSON.stringify([...heads].sort()) === JSON.stringify([...headsB].sort()),
    heads,
    status_text_a: statusText,
  });
}

main().catch((error) => fail(error.message));

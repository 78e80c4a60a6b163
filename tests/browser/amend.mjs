// Proposing an amendment in place, from the reading view (issue 13, point 1), then its way to
// adoption through the amendment's page.
//
//   BASE_URL=http://127.0.0.1:PORT TEXT_PATH=/texts/7 COOKIE_AUTHOR=name=value \
//   COOKIE_SUPPORTER=name=value COOKIE_ORGANISER=name=value \
//   SELECT_PARAGRAPH=2 SELECT_PHRASE="trains de nuit" SELECT_NEW="trains de jour" \
//   KEYBOARD_PARAGRAPH=4 KEYBOARD_NEW="ouvrent aussi le soir." ADD_NEW="Un paragraphe." \
//   node tests/browser/amend.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor (playwright)
// and in tests/browser (axe-core). The text must require a rationale and one supporter.
// With the mouse: a selection from inside a word of paragraph SELECT_PARAGRAPH to inside a word
// of the next opens both (whole words), Escape closes it; then the author selects SELECT_PHRASE
// in paragraph SELECT_PARAGRAPH, presses « Amender ce passage », types SELECT_NEW, sees the live
// diff (<del>/<ins>); submitting without
// the rationale shows the server's refusal in the form with everything typed kept; with it, the
// browser lands on the amendment's page. The supporter supports it there; the organiser screens
// it admissible, then adopted, then merges it from its page: the reading view shows SELECT_NEW,
// and the provenance view (« d'où vient ce passage ? », from the text's amendments) marks the
// words merged in paragraph SELECT_PARAGRAPH and leads back to the amendment's page. Then
// « Ajouter un paragraphe » after paragraph KEYBOARD_PARAGRAPH takes ADD_NEW, kept as a draft.
// With the keyboard only: Tab to « Amender » of paragraph KEYBOARD_PARAGRAPH, Enter, Escape
// (focus back on the control), Enter again, move the start two words later, type
// KEYBOARD_NEW, the rationale, submit. axe-core runs over the page with the editor open.
// Prints one JSON line and exits 0, or one sentence on stderr and exits 1 (120 s at most).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { fail, launch, openPage, overallTimeout, requireEnv, setStep, succeed } from "./common.mjs";

overallTimeout(120_000);

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const env = requireEnv([
  "BASE_URL",
  "TEXT_PATH",
  "COOKIE_AUTHOR",
  "COOKIE_SUPPORTER",
  "COOKIE_ORGANISER",
  "SELECT_PARAGRAPH",
  "SELECT_PHRASE",
  "SELECT_NEW",
  "KEYBOARD_PARAGRAPH",
  "KEYBOARD_NEW",
  "ADD_NEW",
]);
const BLOCKING = new Set(["moderate", "serious", "critical"]);
const AMENDMENT_URL = /\/amendments\/\d+$/;

/** Where `phrase` starts or ends (`edge`) in the paragraph numbered `n`, in the viewport. */
function pointOf(page, n, phrase, edge) {
  return page.evaluate(
    ({ n, phrase, edge }) => {
      const el = document.querySelector(`[data-paragraph="${n}"]`);
      if (!el) return null;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(".amend-controls")) continue;
        const at = node.data.indexOf(phrase);
        if (at === -1) continue;
        const range = document.createRange();
        const from = edge === "start" ? at : at + phrase.length - 1;
        range.setStart(node, from);
        range.setEnd(node, from + 1);
        const box = range.getBoundingClientRect();
        return { x: edge === "start" ? box.left + 1 : box.right - 1, y: box.top + box.height / 2 };
      }
      return null;
    },
    { n, phrase, edge },
  );
}

/** Drags the mouse from the start of `fromPhrase` (paragraph `fromN`) to the end of `toPhrase`. */
async function selectWithMouse(page, fromN, fromPhrase, toN = fromN, toPhrase = fromPhrase) {
  await page.evaluate((n) => document.querySelector(`[data-paragraph="${n}"]`)?.scrollIntoView({ block: "center" }), fromN);
  const start = await pointOf(page, fromN, fromPhrase, "start");
  const end = await pointOf(page, toN, toPhrase, "end");
  if (!start || !end) throw new Error(`"${fromPhrase}" or "${toPhrase}" is not where it should be`);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps: 8 });
  await page.mouse.up();
}

const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? { tag: el.tagName, id: el.id, href: el.getAttribute("href"), refine: el.dataset?.refine, value: el.value } : null;
  });

/** Presses `key` until the focused element satisfies `wanted` (at most `max` times): the count. */
async function pressUntil(page, key, wanted, max = 80) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(key);
    if (wanted(await focused(page))) return i;
  }
  throw new Error(`${key} never reached the element wanted (now on ${JSON.stringify(await focused(page))})`);
}

/** Clicks a form's button and waits for the page it leads back to (the same address). */
async function submitAndReload(page, selector) {
  await Promise.all([page.waitForEvent("framenavigated", { timeout: 10_000 }), page.click(selector)]);
  await page.waitForLoadState("load");
  if (!AMENDMENT_URL.test(new URL(page.url()).pathname)) throw new Error(`The form led to ${page.url()}`);
}

async function axe(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const run = await window.axe.run(document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
  });
  return violations.filter((v) => BLOCKING.has(v.impact));
}

async function main() {
  setStep("launching chromium");
  await launch();
  const result = { ok: true };

  setStep("opening the reading view");
  const { page } = await openPage("author", env.BASE_URL, env.TEXT_PATH, env.COOKIE_AUTHOR);
  await page.waitForSelector(".amend-hint", { timeout: 10_000 });

  setStep("selecting over two paragraphs, then cancelling");
  // From inside a word of one paragraph to inside a word of the next: whole words, both ends.
  await selectWithMouse(page, env.SELECT_PARAGRAPH, "oulons", String(Number(env.SELECT_PARAGRAPH) + 1), "La cultu");
  await (await page.waitForSelector(".amend-selection", { state: "visible", timeout: 5_000 })).click();
  result.across = await page.textContent("#amend-passage");
  await page.keyboard.press("Escape");
  await page.evaluate(() => window.getSelection().removeAllRanges());

  setStep("selecting a passage with the mouse");
  await selectWithMouse(page, env.SELECT_PARAGRAPH, env.SELECT_PHRASE);
  result.selected = await page.evaluate(() => String(window.getSelection()));
  const button = await page.waitForSelector(".amend-selection", { state: "visible", timeout: 5_000 });
  await button.click();
  await page.waitForSelector("form.amend-editor", { timeout: 5_000 });
  result.passage = await page.textContent("#amend-passage");
  if (result.passage !== env.SELECT_PHRASE) throw new Error(`The passage is ${JSON.stringify(result.passage)}`);
  if ((await focused(page))?.id !== "amend-replacement") throw new Error("The wording does not have the focus");

  setStep("typing the new wording");
  await page.keyboard.press("Control+A");
  await page.keyboard.type(env.SELECT_NEW);
  await page.waitForFunction(() => document.querySelector("#amend-preview del") && document.querySelector("#amend-preview ins"), null, {
    timeout: 5_000,
  });
  result.preview = await page.innerHTML("#amend-preview");

  setStep("checking the open editor's accessibility");
  result.axe = await axe(page);
  if (result.axe.length) {
    throw new Error(`axe, editor open: ${result.axe.map((v) => `${v.id} [${v.impact}] ${v.targets.join(", ")}`).join(" | ")}`);
  }

  setStep("submitting without the rationale");
  await page.click("form.amend-editor button[value=submit]");
  await page.waitForFunction(() => (document.querySelector(".amend-error")?.textContent ?? "").length > 12 && !/…$/.test(document.querySelector(".amend-error").textContent), null, {
    timeout: 10_000,
  });
  result.refused = (await page.textContent(".amend-error")).trim();
  if ((await page.inputValue("#amend-replacement")) !== env.SELECT_NEW) throw new Error("The wording typed was not kept");
  if ((await page.getAttribute("#amend-rationale", "aria-invalid")) !== "true") throw new Error("The rationale is not marked invalid");

  setStep("submitting with the rationale");
  await page.fill("#amend-rationale", "Les trains de jour desservent aussi les villes moyennes.");
  await Promise.all([page.waitForURL(AMENDMENT_URL, { timeout: 10_000 }), page.click("form.amend-editor button[value=submit]")]);
  const amendmentPath = new URL(page.url()).pathname;
  result.amendment_path = amendmentPath;
  result.amendment_page_diff = await page.innerHTML(".diff");

  setStep("a second member supports it");
  const supporter = (await openPage("supporter", env.BASE_URL, amendmentPath, env.COOKIE_SUPPORTER)).page;
  await submitAndReload(supporter, "form[action$='/support'] button[type=submit]");
  if (await supporter.$("form[action$='/support'] button[type=submit]")) throw new Error("The support was not taken");

  setStep("the organiser screens it admissible, then adopts it");
  const organiser = (await openPage("organiser", env.BASE_URL, amendmentPath, env.COOKIE_ORGANISER)).page;
  for (const status of ["admissible", "adopted"]) {
    await organiser.selectOption("form[action$='/status'] select[name=status]", status);
    await submitAndReload(organiser, "form[action$='/status'] button[type=submit]");
    if (!(await organiser.$(`.tag--amendment-${status}`))) throw new Error(`The amendment is not ${status}`);
  }

  setStep("the organiser merges it into the text");
  await submitAndReload(organiser, "form[action$='/merge'] button[type=submit]");
  if (!(await organiser.$(".tag--amendment-merged"))) throw new Error("The amendment is not merged");

  setStep("the reading view shows the new wording");
  await organiser.goto(new URL(env.TEXT_PATH, env.BASE_URL).href);
  result.merged_paragraph = (await organiser.textContent(`[data-paragraph="${env.SELECT_PARAGRAPH}"]`)) ?? "";
  if (!result.merged_paragraph.includes(env.SELECT_NEW)) throw new Error(`The text reads ${JSON.stringify(result.merged_paragraph)}`);

  setStep("« d'où vient ce passage ? » leads back to the amendment");
  // From the text's amendments, its link to the provenance view.
  await organiser.goto(new URL(`${env.TEXT_PATH}/amendments`, env.BASE_URL).href);
  await Promise.all([organiser.waitForURL(/\/provenance$/, { timeout: 10_000 }), organiser.click(`a[href$="${env.TEXT_PATH}/provenance"]`)]);
  const written = `#p${env.SELECT_PARAGRAPH}`;
  result.provenance_marked = (await organiser.textContent(`${written} mark.provenance-merged`)) ?? "";
  if (!result.provenance_marked || !env.SELECT_NEW.includes(result.provenance_marked.trim())) {
    throw new Error(`The passage marked as merged is ${JSON.stringify(result.provenance_marked)}`);
  }
  await Promise.all([
    organiser.waitForURL(AMENDMENT_URL, { timeout: 10_000 }),
    organiser.click(`${written} .provenance-from a[href="${amendmentPath}"]`),
  ]);
  result.provenance_led_to = new URL(organiser.url()).pathname;
  if (result.provenance_led_to !== amendmentPath) throw new Error(`The provenance led to ${organiser.url()}`);

  setStep("adding a paragraph, kept as a draft");
  const adding = (await openPage("adding", env.BASE_URL, env.TEXT_PATH, env.COOKIE_AUTHOR)).page;
  await adding.waitForSelector(".amend-hint", { timeout: 10_000 });
  await adding.click(`a.amend-link[href$="paragraph=${env.KEYBOARD_PARAGRAPH}&add=1"]`);
  await adding.waitForSelector("form.amend-editor", { timeout: 5_000 });
  await adding.keyboard.type(env.ADD_NEW);
  await adding.waitForSelector("#amend-preview ins", { timeout: 5_000 });
  if (await adding.$("#amend-preview del")) throw new Error("Adding a paragraph deletes something");
  await adding.fill("#amend-rationale", "Un paragraphe de plus.");
  await Promise.all([adding.waitForURL(AMENDMENT_URL, { timeout: 10_000 }), adding.click("form.amend-editor button[value=draft]")]);
  result.added_amendment_path = new URL(adding.url()).pathname;

  setStep("keyboard only: Tab to a paragraph's « Amender »");
  const keys = (await openPage("keyboard", env.BASE_URL, env.TEXT_PATH, env.COOKIE_AUTHOR)).page;
  await keys.waitForSelector(".amend-hint", { timeout: 10_000 });
  const amendLink = (f) =>
    f?.tag === "A" && /\/amendments\/new\?paragraph=(\d+)$/.exec(f.href ?? "")?.[1] === env.KEYBOARD_PARAGRAPH;
  result.tabs = await pressUntil(keys, "Tab", amendLink);
  await keys.keyboard.press("Enter");
  await keys.waitForSelector("form.amend-editor", { timeout: 5_000 });
  if ((await focused(keys))?.id !== "amend-replacement") throw new Error("Enter did not put the focus in the wording");

  setStep("keyboard only: Escape cancels, the focus comes back");
  await keys.keyboard.press("Escape");
  if (await keys.$("form.amend-editor")) throw new Error("Escape left the editor open");
  if (!amendLink(await focused(keys))) throw new Error(`The focus went to ${JSON.stringify(await focused(keys))}`);
  await keys.keyboard.press("Enter");
  await keys.waitForSelector("form.amend-editor", { timeout: 5_000 });

  setStep("keyboard only: the start two words later");
  await pressUntil(keys, "Shift+Tab", (f) => f?.refine === "start-later", 10);
  await keys.keyboard.press("Enter");
  await keys.keyboard.press("Enter");
  result.keyboard_passage = await keys.textContent("#amend-passage");

  setStep("keyboard only: typing and submitting");
  await pressUntil(keys, "Tab", (f) => f?.id === "amend-replacement", 10);
  await keys.keyboard.press("Control+A");
  await keys.keyboard.type(env.KEYBOARD_NEW);
  await pressUntil(keys, "Tab", (f) => f?.id === "amend-rationale", 10);
  await keys.keyboard.type("Pour celles et ceux qui travaillent le jour.");
  await pressUntil(keys, "Tab", (f) => f?.tag === "BUTTON" && f.value === "submit", 10);
  await Promise.all([keys.waitForURL(AMENDMENT_URL, { timeout: 10_000 }), keys.keyboard.press("Enter")]);
  result.keyboard_amendment_path = new URL(keys.url()).pathname;

  succeed(result);
}

main().catch((error) => fail(error.message));

// Shared by the browser scripts: launch Debian's chromium through playwright-core (installed in
// assets/editor/node_modules; `npx playwright install` is never needed), sign pages in with a
// session cookie, wait on the editor's status, fail with one sentence.

import { createRequire } from "node:module";

const require = createRequire(new URL("../../assets/editor/package.json", import.meta.url));
const { chromium } = require("playwright-core");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let step = "starting";
let browser = null;
const problems = []; // page errors and console errors, reported on failure

export function setStep(name) {
  step = name;
}

export function requireEnv(names) {
  const values = {};
  for (const name of names) {
    const value = process.env[name];
    if (!value) fail(`${name} is not set.`);
    values[name] = value;
  }
  return values;
}

let finished = false;

export function fail(sentence) {
  if (finished) return;
  finished = true;
  sentence = String(sentence).replace(/\.$/, "");
  const detail = problems.length ? ` Page problems: ${problems.slice(-5).join(" | ")}` : "";
  process.stderr.write(`${sentence} (step: ${step}).${detail}\n`);
  const exit = () => process.exit(1);
  if (browser) browser.close().then(exit, exit);
  else exit();
  setTimeout(exit, 3000).unref();
}

export function succeed(result) {
  if (finished) return;
  // The server's Content-Security-Policy must not block anything the pages and the editor do.
  const violations = problems.filter((p) => p.includes("Content Security Policy"));
  if (violations.length) {
    fail(`The Content-Security-Policy blocked something: ${violations.slice(0, 3).join(" | ")}`);
    return;
  }
  finished = true;
  const exit = () => process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  if (browser) browser.close().then(exit, exit);
  else exit();
}

/** Fails the run if it has not finished within `ms`. */
export function overallTimeout(ms) {
  setTimeout(() => fail(`Timed out after ${ms / 1000} s`), ms).unref();
}

export async function launch() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return browser;
}

function parseCookie(pair, baseUrl) {
  const at = pair.indexOf("=");
  if (at <= 0) throw new Error(`A cookie must be name=value, got "${pair}"`);
  return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim(), url: baseUrl };
}

/** A new browser context signed in with `cookie`, its page loaded at `url`. */
export async function openPage(label, baseUrl, path, cookie) {
  const context = await browser.newContext();
  await context.addCookies([parseCookie(cookie, baseUrl)]);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`${label}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${label}: ${message.text()}`);
  });
  // Violations are also reported as events, whatever the console says.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const response = await page.goto(new URL(path, baseUrl).href);
  if (!response || !response.ok()) {
    throw new Error(`${label}: GET ${path} answered ${response ? response.status() : "nothing"}`);
  }
  return { label, context, page };
}

/** Waits until the status's data-state is one of `states`; returns it. */
export async function waitForState(page, states, timeout = 20_000) {
  const handle = await page.waitForFunction(
    (wanted) => {
      const state = document.querySelector("#atelier-editor-status")?.getAttribute("data-state");
      return wanted.includes(state) && window.atelierEditor ? state : null;
    },
    states,
    { timeout, polling: 50 },
  );
  return handle.jsonValue();
}

/** Focuses the editor and puts the caret at `where` ("start", "end" or an index). */
export async function placeCaret(page, where) {
  await page.click(".cm-content");
  await page.evaluate((where) => {
    const view = window.atelierEditor.view;
    const length = view.state.doc.length;
    const at = where === "end" ? length : where === "start" ? 0 : Math.min(where, length);
    view.focus();
    view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
  }, where);
}

export const markdownOf = (page) => page.evaluate(() => window.atelierEditor.getMarkdown());

/** Polls until every tab's Markdown ({label, page}) is the same and contains every sentence. */
export async function waitForConvergence(tabs, sentences, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let texts = [];
  while (Date.now() < deadline) {
    texts = await Promise.all(tabs.map((tab) => markdownOf(tab.page)));
    if (texts.every((t) => t === texts[0]) && sentences.every((s) => texts[0].includes(s))) {
      return texts[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `The pages did not converge: ${texts.map((t, i) => `${tabs[i].label}=${JSON.stringify(t.slice(-120))}`).join(", ")}`,
  );
}

/** A CSS attribute selector value, quoted. */
export function cssString(value) {
  return `"${String(value).replace(/["\\]/g, "\\$&")}"`;
}

/**
 * Scrolls the page (or the editor, if it scrolls itself) to the caret of the peer called `name`:
 * CodeMirror only renders what is near the viewport. Returns its index, or null if none is drawn.
 */
export function revealPeerCaret(page, name) {
  return page.evaluate((name) => {
    const editor = window.atelierEditor;
    const caret = editor.remoteCursors().find((c) => c.name === name);
    if (!caret) return null;
    const view = editor.view;
    const top = view.lineBlockAt(caret.head).top;
    const scroller = view.scrollDOM;
    if (scroller.scrollHeight > scroller.clientHeight + 1) scroller.scrollTop = Math.max(0, top - 50);
    else window.scrollTo(0, Math.max(0, window.scrollY + view.documentTop + top - 100));
    return caret.head;
  }, name);
}

// A newcomer's first contribution, counted in clicks (issue 11, point 4): from the invitation
// link read in the mail to typing in a programme text of a theme they have not joined yet.
//
//   BASE_URL=http://127.0.0.1:PORT INVITATION_PATH=/invitations/… NAME="Nina Nouvelle" \
//   PASSWORD=… TEXT_TITLE="Hôpital public" SENTENCE=" Une phrase." \
//   node tests/browser/first_contribution.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor.
// The path: open the link (no click: it is the mail's), fill in the form (typing, no click),
// 1. « Créer mon compte et rejoindre le groupe », landing on the welcome page;
// 2. « Contribuer » on the text, in the open themes: the editor, read-only, saying why;
// 3. « Rejoindre ce thème pour modifier »: back in the editor, now writable;
// 4. a click in the text, then typing SENTENCE at its end (Ctrl+End: a key, not a click).
// Checks each page on the way, that the editor shows the typed sentence and reaches "saved"
// (the server stored it), and that nothing broke the Content-Security-Policy. Prints one JSON
// line {ok, clicks, steps, markdown} and exits 0, or one sentence on stderr and exits 1.

import { fail, launch, overallTimeout, requireEnv, setStep, succeed, waitForState } from "./common.mjs";

overallTimeout(90_000);

const env = requireEnv(["BASE_URL", "INVITATION_PATH", "NAME", "PASSWORD", "TEXT_TITLE", "SENTENCE"]);

const problems = [];
const steps = [];
let clicks = 0;

/** Clicks `locator` (which must be the only match), counting it, and notes where it led. */
async function click(page, locator, what) {
  const count = await locator.count();
  if (count !== 1) throw new Error(`${count} elements match "${what}" on ${page.url()}`);
  clicks += 1;
  await locator.click();
  steps.push(what);
}

async function main() {
  setStep("launching chromium");
  const browser = await launch();
  const context = await browser.newContext({ locale: "fr-FR" });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  setStep("opening the invitation link");
  const response = await page.goto(new URL(env.INVITATION_PATH, env.BASE_URL).href);
  if (!response || !response.ok()) throw new Error(`the invitation answered ${response?.status()}`);
  await page.locator('input[name="name"]').fill(env.NAME);
  await page.locator('input[name="password"]').fill(env.PASSWORD);
  await page.locator('input[name="password_confirmation"]').fill(env.PASSWORD);

  setStep("accepting the invitation");
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/welcome"),
    click(page, page.getByRole("button", { name: "Créer mon compte et rejoindre le groupe" }), "accept"),
  ]);

  setStep("choosing the text on the welcome page");
  const item = page.locator("li.work-item").filter({ has: page.getByRole("heading", { name: env.TEXT_TITLE }) });
  await Promise.all([
    page.waitForURL((url) => url.pathname.endsWith("/edit")),
    click(page, item.getByRole("link", { name: /^Contribuer/ }), "contribute"),
  ]);
  if ((await waitForState(page, ["readonly-synced"])) !== "readonly-synced") {
    throw new Error("the editor of a theme not joined yet should be read-only");
  }
  const editUrl = page.url();

  setStep("joining the theme from the editor");
  await Promise.all([
    page.waitForURL((url) => url.href === editUrl, { waitUntil: "load" }),
    click(page, page.getByRole("button", { name: "Rejoindre ce thème pour modifier" }), "join"),
  ]);
  await waitForState(page, ["synced", "saved"]);

  setStep("typing in the text");
  await click(page, page.locator(".cm-content"), "editor");
  await page.keyboard.press("Control+End");
  await page.keyboard.type(env.SENTENCE);
  await page.waitForFunction((sentence) => window.atelierEditor.getMarkdown().includes(sentence), env.SENTENCE, {
    timeout: 10_000,
    polling: 50,
  });
  const shown = await page.locator(".cm-content").innerText();
  if (!shown.includes(env.SENTENCE.trim())) throw new Error(`the editor does not show the sentence: ${shown}`);
  // "saved": the server acknowledged the change, which it does once it is stored.
  await page.waitForFunction(
    () => document.querySelector("#atelier-editor-status")?.getAttribute("data-state") === "saved",
    null,
    { timeout: 20_000, polling: 50 },
  );
  const markdown = await page.evaluate(() => window.atelierEditor.getMarkdown());

  const violations = problems.filter((p) => p.includes("Content Security Policy"));
  if (violations.length) throw new Error(`the Content-Security-Policy blocked: ${violations.join(" | ")}`);
  succeed({ ok: true, clicks, steps, markdown });
}

main().catch((error) => fail(error.message ?? String(error)));

// « Des amendements proches existent déjà » in the in-place editor (issue 14, point 6): a member
// opens « Amender » on a paragraph, types a wording close to an existing amendment, and the
// list appears under the preview (an aria-live region), at most one request in flight, the
// first one no sooner than 600 ms after typing stopped.
//
//   BASE_URL=http://127.0.0.1:PORT TEXT_PATH=/texts/7 COOKIE=name=value PARAGRAPH=2 \
//   TYPED="trains de nuit avec couchettes" EXPECTED=/amendments/12 node tests/browser/similar.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor (playwright)
// and in tests/browser (axe-core). Prints one JSON line and exits 0, or one sentence on stderr
// and exits 1 (60 s at most).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { fail, launch, openPage, overallTimeout, requireEnv, setStep, succeed } from "./common.mjs";

overallTimeout(60_000);

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const env = requireEnv(["BASE_URL", "TEXT_PATH", "COOKIE", "PARAGRAPH", "TYPED", "EXPECTED"]);
const BLOCKING = new Set(["moderate", "serious", "critical"]);

async function main() {
  setStep("launching chromium");
  await launch();
  const result = { ok: true, requests: [] };

  setStep("opening the reading view");
  const { page } = await openPage("author", env.BASE_URL, env.TEXT_PATH, env.COOKIE);
  await page.waitForSelector(".amend-hint", { timeout: 10_000 });
  let inFlight = 0;
  page.on("request", (request) => {
    if (!request.url().endsWith("/amendments/similar")) return;
    inFlight++;
    result.requests.push({ at: Date.now(), in_flight: inFlight, body: request.postData() });
    result.most_in_flight = Math.max(result.most_in_flight || 0, inFlight);
  });
  const done = () => {
    inFlight--;
  };
  page.on("requestfinished", (request) => request.url().endsWith("/amendments/similar") && done());
  page.on("requestfailed", (request) => request.url().endsWith("/amendments/similar") && done());

  setStep("opening the editor on the paragraph");
  await page.click(`a.amend-link[href$="?paragraph=${env.PARAGRAPH}"]`);
  await page.waitForSelector("form.amend-editor #amend-replacement", { timeout: 10_000 });
  result.live = await page.getAttribute("#amend-similar", "aria-live");

  setStep("typing a wording close to an existing amendment");
  await page.fill("#amend-replacement", "");
  // When the last keystroke reached the page (the editor's own timer starts then).
  await page.evaluate(() => document.addEventListener("input", () => (window.lastInputAt = Date.now()), true));
  await page.keyboard.type(env.TYPED, { delay: 40 });
  await page.waitForSelector(`#amend-similar a[href="${env.EXPECTED}"]`, { timeout: 15_000 });
  const typedAt = await page.evaluate(() => window.lastInputAt);
  const firstAt = result.requests.find((r) => JSON.parse(r.body || "{}").replacement === env.TYPED)?.at;
  result.waited_ms = firstAt && typedAt ? firstAt - typedAt : null;
  result.list = (await page.textContent("#amend-similar")).replace(/\s+/g, " ").trim();
  result.link_target = await page.getAttribute(`#amend-similar a[href="${env.EXPECTED}"]`, "target");

  setStep("checking the open editor's accessibility");
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const run = await window.axe.run(document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
  });
  result.axe = violations.filter((v) => BLOCKING.has(v.impact));
  if (result.axe.length) {
    throw new Error(`axe: ${result.axe.map((v) => `${v.id} [${v.impact}] ${v.targets.join(", ")}`).join(" | ")}`);
  }
  result.requests = result.requests.length;
  succeed(result);
}

main().catch((error) => fail(error?.message || String(error)));

// axe-core over the main pages, signed in and out: no serious, critical or moderate violation.
//
//   BASE_URL=http://127.0.0.1:PORT PAGES='[{"path": "/", "cookie": null}, …]' \
//   node tests/browser/accessibility.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor (playwright)
// and in tests/browser (axe-core).
// A page may name an element to `click` first (a state of the page: the in-place amendment
// editor open), whose selector must then match.
// Each page is loaded (the editor until it has synced), axe runs with its default rules, and
// every violation of impact moderate or above is reported with its page and elements. Prints
// one JSON line and exits 0, or one sentence on stderr and exits 1 (240 s at most).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { fail, launch, openPage, overallTimeout, requireEnv, setStep, succeed } from "./common.mjs";

overallTimeout(240_000);

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const env = requireEnv(["BASE_URL", "PAGES"]);
const BLOCKING = new Set(["moderate", "serious", "critical"]);

async function main() {
  setStep("launching chromium");
  const browser = await launch();
  const pages = JSON.parse(env.PAGES);
  const found = [];
  const minor = [];
  for (const { path, cookie, click } of pages) {
    const who = cookie ? "signed in" : "signed out";
    setStep(`checking ${path} (${who})`);
    let tab;
    if (cookie) {
      tab = (await openPage(path, env.BASE_URL, path, cookie)).page;
    } else {
      const context = await browser.newContext();
      tab = await context.newPage();
      const response = await tab.goto(new URL(path, env.BASE_URL).href);
      if (!response || response.status() >= 500) throw new Error(`GET ${path} failed`);
    }
    if (await tab.$("#atelier-editor")) {
      await tab.waitForFunction(
        () => /synced|saved/.test(document.querySelector("#atelier-editor-status")?.dataset.state ?? ""),
        null,
        { timeout: 20_000 },
      );
    }
    if (click) {
      await tab.click(click);
      await tab.waitForSelector("form.amend-editor", { timeout: 5_000 });
    }
    // Evaluated through the DevTools protocol, which the page's CSP does not govern: the page
    // itself still runs only its own scripts.
    await tab.evaluate(AXE);
    const result = await tab.evaluate(async () => {
      const run = await window.axe.run(document, { resultTypes: ["violations"] });
      return run.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      }));
    });
    for (const violation of result) {
      (BLOCKING.has(violation.impact) ? found : minor).push({ path: click ? `${path} (${click})` : path, who, ...violation });
    }
    await tab.context().close();
  }
  if (found.length) {
    throw new Error(
      `axe found ${found.length} violations: ${found
        .map((v) => `${v.path} (${v.who}): ${v.id} [${v.impact}] ${v.targets.join(", ")}`)
        .join(" | ")}`,
    );
  }
  succeed({ ok: true, pages: pages.length, minor });
}

main().catch((error) => fail(error.message));

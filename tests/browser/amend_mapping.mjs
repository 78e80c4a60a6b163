// From a selection in the reading view to the passage of the Markdown the in-place editor opens
// (the rule in assets/editor/src/amend.js), over formatted text.
//
//   BASE_URL=http://127.0.0.1:PORT TEXT_PATH=/texts/7 COOKIE=name=value \
//   CASES='[{"paragraph": 2, "selection": "des trains de"}, …]' node tests/browser/amend_mapping.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor.
// For each case, selects the first occurrence of `selection` in the paragraph's rendered text
// (its « Amender » controls left out), presses « Amender ce passage », reads the passage the
// editor shows and whether it fell back to the whole paragraph, then Escape. Prints one JSON
// line {"ok": true, "passages": [{passage, whole}, …]} and exits 0, or one sentence on stderr
// and exits 1 (60 s at most).

import { fail, launch, openPage, overallTimeout, requireEnv, setStep, succeed } from "./common.mjs";

overallTimeout(60_000);

const env = requireEnv(["BASE_URL", "TEXT_PATH", "COOKIE", "CASES"]);

async function main() {
  setStep("launching chromium");
  await launch();
  const { page } = await openPage("member", env.BASE_URL, env.TEXT_PATH, env.COOKIE);
  await page.waitForSelector(".amend-hint", { timeout: 10_000 });
  const passages = [];
  for (const { paragraph, selection } of JSON.parse(env.CASES)) {
    setStep(`selecting "${selection}" in § ${paragraph}`);
    const found = await page.evaluate(
      ({ paragraph, selection }) => {
        const el = document.querySelector(`[data-paragraph="${paragraph}"]`);
        if (!el) return false;
        const nodes = [];
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!node.parentElement.closest(".amend-controls")) nodes.push(node);
        }
        const text = nodes.map((n) => n.data).join("");
        const at = text.indexOf(selection);
        if (at === -1) return false;
        const point = (offset) => {
          let before = 0;
          for (const node of nodes) {
            if (offset <= before + node.data.length) return [node, offset - before];
            before += node.data.length;
          }
          return [nodes[nodes.length - 1], nodes[nodes.length - 1].data.length];
        };
        const range = document.createRange();
        range.setStart(...point(at));
        range.setEnd(...point(at + selection.length));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        return true;
      },
      { paragraph, selection },
    );
    if (!found) throw new Error(`"${selection}" is not in § ${paragraph}`);
    await (await page.waitForSelector(".amend-selection", { state: "visible", timeout: 5_000 })).click();
    await page.waitForSelector("form.amend-editor", { timeout: 5_000 });
    passages.push({ passage: await page.textContent("#amend-passage"), whole: Boolean(await page.$(".amend-whole")) });
    await page.keyboard.press("Escape");
    await page.evaluate(() => window.getSelection().removeAllRanges());
  }
  succeed({ ok: true, passages });
}

main().catch((error) => fail(error.message));

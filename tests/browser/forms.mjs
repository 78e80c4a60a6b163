// A form too large to send is kept in the page, and the editor's focus ring stays on its box.
//
//   BASE_URL=http://127.0.0.1:PORT NEW_PATH=/groups/3/texts/new COOKIE=name=value \
//   node tests/browser/forms.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor.
// Checks: a new text whose Markdown is over the server's limit is not sent (no request leaves
// the page), the page says why next to the button (role="alert", naming the limit), and the
// text typed is still in the field; once shortened, the same form is sent and opens the editor.
// There, the focused text area draws no focus ring of its own (the box around it does): no
// stray bar inside the text. Prints one JSON line and exits 0, or one sentence on stderr and
// exits 1 (60 s at most).

import { fail, launch, openPage, overallTimeout, requireEnv, setStep, succeed, waitForState } from "./common.mjs";

overallTimeout(60_000);

const env = requireEnv(["BASE_URL", "NEW_PATH", "COOKIE"]);

async function main() {
  setStep("launching chromium");
  await launch();

  setStep("opening the new text form");
  const { page } = await openPage("writer", env.BASE_URL, env.NEW_PATH, env.COOKIE);
  const posts = [];
  page.on("request", (request) => {
    if (request.method() === "POST") posts.push(request.url());
  });
  const limit = Number(await page.getAttribute("body", "data-form-max-bytes"));
  if (!(limit > 0)) throw new Error("The page does not carry the server's limit");

  setStep("filling the form beyond the limit");
  // Accented text: its encoded size is well above its length in characters.
  const sentence = "Des hôpitaux de proximité dans chaque canton, à moins de trente minutes. ";
  const markdown = sentence.repeat(Math.ceil((limit * 1.1) / sentence.length));
  await page.fill("form[action$='/texts/new'] input[name=title]", "Hôpitaux");
  await page.$eval("textarea[name=markdown]", (field, value) => {
    field.value = value;
  }, markdown);
  const url = page.url();
  await page.click("form[action$='/texts/new'] button[type=submit]");
  const note = await page.waitForSelector(".form-too-large[role=alert]", { timeout: 5_000 });
  const said = (await note.textContent()).trim();
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (posts.length) throw new Error(`The oversized form was sent: ${posts.join(", ")}`);
  if (page.url() !== url) throw new Error(`The page changed to ${page.url()}`);
  const kept = await page.$eval("textarea[name=markdown]", (field) => field.value);
  if (kept !== markdown) throw new Error("The text typed is not kept in the field");
  const focused = await page.evaluate(() => document.activeElement?.className);
  const sentWhileTooLarge = posts.length;

  setStep("sending the shortened form");
  await page.fill("textarea[name=markdown]", "# Hôpitaux\n\nUn hôpital par canton.\n");
  await Promise.all([
    page.waitForURL(/\/texts\/\d+\/edit$/, { timeout: 10_000 }),
    page.click("form[action$='/texts/new'] button[type=submit]"),
  ]);
  if (await page.$(".form-too-large")) throw new Error("The note stayed after a form that fits");

  setStep("focusing the editor");
  await waitForState(page, ["synced", "saved"]);
  await page.click(".cm-content");
  await page.keyboard.press("End");
  const rings = await page.evaluate(() => {
    const content = getComputedStyle(document.querySelector(".cm-content"));
    const box = getComputedStyle(document.querySelector("#atelier-editor"));
    return {
      content_outline: content.outlineStyle,
      content_shadow: content.boxShadow,
      box_outline: box.outlineStyle,
      content_focused: document.activeElement?.classList.contains("cm-content") ?? false,
    };
  });
  if (!rings.content_focused) throw new Error("The editor's text area did not take the focus");
  if (rings.content_outline !== "none" || rings.content_shadow !== "none") {
    throw new Error(`The text area draws its own focus ring: ${JSON.stringify(rings)}`);
  }
  if (rings.box_outline === "none") throw new Error("The editor's box shows no focus");

  succeed({ ok: true, limit, said, sent_while_too_large: sentWhileTooLarge, focused_note: focused, rings });
}

main().catch((error) => fail(error.message));

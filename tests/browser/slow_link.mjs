// The editor on a slow link: bytes transferred and time until it is connected, first visit
// (empty cache) and second visit (same browser profile, a new tab), with the text's reading page
// (no editor) loaded on the same link as the baseline.
//
//   BASE_URL=http://127.0.0.1:PORT EDIT_PATH=/texts/42/edit READ_PATH=/texts/42 \
//   COOKIE=name=value [RUNS=5] node tests/browser/slow_link.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium). Needs `npm ci` in assets/editor.
// The link is emulated through the DevTools protocol (Network.emulateNetworkConditions): 150 ms
// of latency, 1.6 Mbit/s down, 750 kbit/s up (Lighthouse's slow 4G). Bytes are what the
// network carried: the sum of `encodedDataLength` of every response (headers included, bodies
// compressed as sent), and separately the WebSocket frames' payloads. "Connected" is the moment
// the editor's status first says `synced` (or `saved`, `readonly-synced`), read from
// `performance.now()` in the page, i.e. counted from the start of the navigation. Each request
// is listed with its bytes and whether the browser's cache answered it.
// Prints one JSON line {runs: [{first, second, baseline}], median: {...}} and exits 0, or one
// sentence on stderr and exits 1.

import { fail, launch, overallTimeout, requireEnv, setStep, succeed } from "./common.mjs";

const env = requireEnv(["BASE_URL", "EDIT_PATH", "READ_PATH", "COOKIE"]);
const RUNS = Math.max(1, Number(process.env.RUNS || 1));
overallTimeout(60_000 + RUNS * 90_000);

const SLOW_LINK = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
const CONNECTED = ["synced", "saved", "readonly-synced"];

let browser;

function cookieOf(pair) {
  const at = pair.indexOf("=");
  return { name: pair.slice(0, at), value: pair.slice(at + 1), url: env.BASE_URL };
}

/** A new signed-in browser profile (its own, empty HTTP cache). */
async function newProfile() {
  const context = await browser.newContext();
  await context.addCookies([cookieOf(env.COOKIE)]);
  return context;
}

/**
 * Opens `path` in a new tab of `context` on the slow link; resolves once `ready` (evaluated in
 * the page) gives a time, and the network has been quiet for a moment: {ms, bytes, ws, requests}.
 */
async function visit(context, path, ready) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_LINK);
  const urls = new Map();
  const requests = [];
  let bytes = 0;
  let ws = 0;
  let lastActivity = Date.now();
  cdp.on("Network.requestWillBeSent", (event) => {
    urls.set(event.requestId, event.request.url);
    lastActivity = Date.now();
  });
  const cached = new Set();
  cdp.on("Network.requestServedFromCache", (event) => cached.add(event.requestId));
  cdp.on("Network.responseReceived", (event) => {
    if (event.response.fromDiskCache || event.response.fromPrefetchCache) cached.add(event.requestId);
  });
  cdp.on("Network.loadingFinished", (event) => {
    bytes += event.encodedDataLength;
    lastActivity = Date.now();
    const url = new URL(urls.get(event.requestId) ?? "about:blank");
    requests.push({
      path: url.pathname,
      bytes: event.encodedDataLength,
      cached: cached.has(event.requestId),
    });
  });
  const frame = (event) => {
    const { opcode, payloadData } = event.response;
    // Binary frames come base64-encoded.
    ws += opcode === 2 ? Math.floor((payloadData.length * 3) / 4) : Buffer.byteLength(payloadData);
  };
  cdp.on("Network.webSocketFrameReceived", frame);
  cdp.on("Network.webSocketFrameSent", frame);

  // The moment the editor is connected, in the page's clock (0 = start of the navigation).
  await page.addInitScript((connected) => {
    const watch = () => {
      const status = document.getElementById("atelier-editor-status");
      if (!status) return false;
      const check = () => {
        if (window.__connectedAt === undefined && connected.includes(status.dataset.state)) {
          window.__connectedAt = performance.now();
        }
      };
      new MutationObserver(check).observe(status, { attributes: true });
      check();
      return true;
    };
    if (!watch()) document.addEventListener("DOMContentLoaded", watch);
  }, CONNECTED);

  const response = await page.goto(new URL(path, env.BASE_URL).href, { waitUntil: "commit" });
  if (!response || !response.ok()) {
    throw new Error(`GET ${path} answered ${response ? response.status() : "nothing"}`);
  }
  const handle = await page.waitForFunction(ready, null, { timeout: 60_000, polling: 50 });
  const ms = await handle.jsonValue();
  // Whatever was still on its way (the icon) counts too.
  while (Date.now() - lastActivity < 1000) await new Promise((r) => setTimeout(r, 100));
  if (problems.length) throw new Error(`page problems on ${path}: ${problems.slice(0, 3).join(" | ")}`);
  await page.close();
  return { ms: Math.round(ms), bytes, ws, requests };
}

const editorConnected = () => window.__connectedAt;
const pageLoaded = () => {
  const [navigation] = performance.getEntriesByType("navigation");
  return navigation && navigation.loadEventEnd > 0 ? navigation.loadEventEnd : undefined;
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  setStep("launching chromium");
  browser = await launch();
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    setStep(`run ${run + 1}: the reading page (baseline), empty cache`);
    const baselineProfile = await newProfile();
    const baseline = await visit(baselineProfile, env.READ_PATH, pageLoaded);
    await baselineProfile.close();

    setStep(`run ${run + 1}: the editor, first visit`);
    const profile = await newProfile();
    const first = await visit(profile, env.EDIT_PATH, editorConnected);
    setStep(`run ${run + 1}: the editor, second visit`);
    const second = await visit(profile, env.EDIT_PATH, editorConnected);
    await profile.close();
    runs.push({ first, second, baseline });
  }
  const summary = (key) => ({
    ms: median(runs.map((r) => r[key].ms)),
    bytes: median(runs.map((r) => r[key].bytes)),
    ws: median(runs.map((r) => r[key].ws)),
  });
  succeed({
    link: SLOW_LINK,
    runs,
    median: { first: summary("first"), second: summary("second"), baseline: summary("baseline") },
  });
}

main().catch((error) => fail(error && error.message ? error.message : String(error)));

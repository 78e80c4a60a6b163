// Builds ../static/editor.js: one minified ES module, automerge's WebAssembly inlined as base64,
// no source map, nothing that depends on the time or the machine (the output is committed and
// CI checks that it rebuilds byte for byte).
//
//   node build.mjs           write ../static/editor.js
//   node build.mjs --check   exit 1 if ../static/editor.js differs from a fresh build

import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const outfile = fileURLToPath(new URL("../static/editor.js", import.meta.url));
const check = process.argv.includes("--check");

const result = await build({
  absWorkingDir: here,
  entryPoints: ["src/editor.js"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2020"],
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  charset: "ascii",
  write: false,
  outfile,
  logLevel: "warning",
});

const bytes = result.outputFiles[0].contents;
const digest = createHash("sha256").update(bytes).digest("hex");

if (check) {
  let current = null;
  try {
    current = await readFile(outfile);
  } catch {
    // missing: reported below
  }
  if (!current || !Buffer.from(bytes).equals(current)) {
    console.error(
      `assets/static/editor.js is not the build of assets/editor (fresh build sha256 ${digest}); run: cd assets/editor && npm ci && npm run build`,
    );
    process.exit(1);
  }
  console.log(`assets/static/editor.js is up to date (sha256 ${digest}, ${bytes.length} bytes)`);
} else {
  await writeFile(outfile, bytes);
  console.log(`wrote assets/static/editor.js (sha256 ${digest}, ${bytes.length} bytes)`);
}

// Builds the editor into ../static/:
//   editor.js        one minified ES module (CodeMirror, automerge's JS side, our code)
//   amend.js         the reading view's in-place amendment editor (src/amend.js: a selection
//                    or a paragraph's « Amender » opens it; word diff in src/word-diff.js),
//                    separate so that reading never loads the live editor
//   automerge.wasm   automerge's WebAssembly, its custom sections (debug names: a fifth of the
//                    file) removed; the page hands its URL to editor.js, which compiles it
//                    while it downloads
//   *.br, *.gz       each of them compressed once, at the best settings (brotli 11, gzip 9):
//                    the server sends these as they are, never compressing per request
// No source map, nothing that depends on the time or the machine: the outputs are committed and
// CI checks that they rebuild.
//
//   node build.mjs           write the files
//   node build.mjs --check   exit 1 if a committed file is not what a fresh build gives
//
// The check compares editor.js and automerge.wasm byte for byte. A compressed file is checked
// by decompressing it: it must give exactly the fresh build (compressors of other Node versions
// may choose other, equally valid bytes).

import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";

const here = fileURLToPath(new URL(".", import.meta.url));
const staticDir = fileURLToPath(new URL("../static/", import.meta.url));
const check = process.argv.includes("--check");

/** A bundle of `entry` (the editor: automerge's slim entry point, which loads no WebAssembly by itself). */
async function bundle(entry, name) {
  const result = await build({
    absWorkingDir: here,
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2020"],
    minify: true,
    treeShaking: true,
    sourcemap: false,
    legalComments: "eof",
    charset: "ascii",
    write: false,
    outfile: `${staticDir}${name}`,
    logLevel: "warning",
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb128(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length || shift > 28) throw new Error("automerge.wasm: bad section size");
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, at];
  }
}

/**
 * The module without its custom sections (id 0: `name`, `producers`, `target_features`). The
 * engine never reads them; every other section is copied unchanged, in order.
 */
function withoutCustomSections(wasm) {
  const magic = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  if (!wasm.subarray(0, 8).equals(magic)) throw new Error("automerge.wasm: not a wasm 1 module");
  const kept = [magic];
  let at = 8;
  while (at < wasm.length) {
    const start = at;
    const id = wasm[at];
    const [size, body] = leb128(wasm, at + 1);
    at = body + size;
    if (at > wasm.length) throw new Error("automerge.wasm: a section runs past the end");
    if (id !== 0) kept.push(wasm.subarray(start, at));
  }
  return Buffer.concat(kept);
}

async function automergeWasm() {
  const path = fileURLToPath(
    new URL("node_modules/@automerge/automerge/dist/automerge.wasm", import.meta.url),
  );
  return withoutCustomSections(await readFile(path));
}

const brotli = (bytes, mode) =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_MODE]: mode,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
const gzip = (bytes) => gzipSync(bytes, { level: 9 });

const outputs = [
  ["editor.js", await bundle("src/editor.js", "editor.js"), constants.BROTLI_MODE_TEXT],
  ["amend.js", await bundle("src/amend.js", "amend.js"), constants.BROTLI_MODE_TEXT],
  ["automerge.wasm", await automergeWasm(), constants.BROTLI_MODE_GENERIC],
];

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const stale = [];

async function committed(name) {
  try {
    return await readFile(`${staticDir}${name}`);
  } catch {
    return null;
  }
}

for (const [name, bytes, mode] of outputs) {
  if (check) {
    const current = await committed(name);
    if (!current || !current.equals(bytes)) stale.push(`${name} (fresh build sha256 ${sha256(bytes)})`);
    for (const [suffix, decompress] of [
      [".br", brotliDecompressSync],
      [".gz", gunzipSync],
    ]) {
      const packed = await committed(name + suffix);
      let same = false;
      try {
        same = packed !== null && decompress(packed).equals(bytes);
      } catch {
        // not valid: reported below
      }
      if (!same) stale.push(`${name}${suffix} (does not decompress to the fresh ${name})`);
    }
    if (!stale.length) console.log(`assets/static/${name} is up to date (sha256 ${sha256(bytes)}, ${bytes.length} bytes)`);
  } else {
    const br = brotli(bytes, mode);
    const gz = gzip(bytes);
    await writeFile(`${staticDir}${name}`, bytes);
    await writeFile(`${staticDir}${name}.br`, br);
    await writeFile(`${staticDir}${name}.gz`, gz);
    console.log(
      `wrote assets/static/${name} (sha256 ${sha256(bytes)}, ${bytes.length} bytes; brotli ${br.length}, gzip ${gz.length})`,
    );
  }
}

if (stale.length) {
  console.error(
    `assets/static is not the build of assets/editor: ${stale.join("; ")}; run: cd assets/editor && npm ci && npm run build`,
  );
  process.exit(1);
}

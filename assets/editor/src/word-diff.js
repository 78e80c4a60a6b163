// The word diff of an amendment's passage and its new wording, in the browser, as the server
// writes it (src/markup/diff.rs) so that the live preview shows what the amendment's page will:
//
// 1. lines are diffed first; unchanged lines are copied, lines only deleted or only inserted are
//    shown whole;
// 2. each run of replaced lines is diffed again by word (Unicode word boundaries, through
//    Intl.Segmenter: `contrat.` is `contrat` and `.`); a run of spaces between two changes is
//    folded into them, so "le chat noir" → "un chien blanc" reads as one replacement;
// 3. character emphasis: a replacement of 1 to 3 words by as many words pairs them in order, and
//    in each pair of similar words (at most 40 characters, sharing at least half of their
//    characters) the characters that differ get a <mark> on both sides.
//
// The token diff is `similar` 2's Myers and compaction, ported below step by step. The server
// runs `similar` 3, whose Myers adds heuristics (a bounded search, records set aside first):
// on most texts the two agree to the byte, and where they differ it is in where a long rewrite
// is cut or on which side of a change a space goes, never in what is shown deleted or inserted
// (tests/it/amendments_browser.rs holds both). Past the budget (BUDGET_MS, as the server's
// deadline) the rest is coarser: replaced lines shown whole.

const BUDGET_MS = 500;
const MAX_EMPHASISED_WORDS = 3;
const MAX_EMPHASISED_WORD_LEN = 40;
const MIN_EMPHASIS_RATIO = 0.5;

const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** Lines with their line breaks, as `similar`'s tokenize_lines. */
function lines(text) {
  return text.match(/[^\n]*\n|[^\n]+$/g) || [];
}

let segmenter = null;
function words(text) {
  if (segmenter === null) {
    try {
      segmenter = new Intl.Segmenter(undefined, { granularity: "word" });
    } catch {
      segmenter = false;
    }
  }
  if (segmenter) return Array.from(segmenter.segment(text), (s) => s.segment);
  return text.match(/\s+|[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^]/gu) || [];
}

function graphemes(text) {
  try {
    return Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text), (s) => s.segment);
  } catch {
    return Array.from(text);
  }
}

/**
 * The operations turning `a` into `b` (arrays of strings), as `similar`'s
 * capture_diff_slices_deadline(Myers, …) gives them: its divide-and-conquer Myers, then its
 * `Compact` clean-up (insertions slid up and down along equal runs), then its `Replace` hook
 * (the deletions and insertions between two equal runs make one "replace") — each ported step by
 * step, so that ties are cut the same way. Runs of {tag: "equal" | "delete" | "insert" |
 * "replace", a0, a1, b0, b1}. Past `deadline` (performance.now()), a part not yet split is
 * deleted and inserted whole, as `similar` does.
 */
export function diffOps(a, b, deadline = Infinity) {
  // Myers' output, as `similar`'s DiffOps: {tag, o, n, ol, nl} (old and new index and length).
  const raw = [];
  const equal = (o, n, len) => raw.push({ tag: "equal", o, n, ol: len, nl: len });
  const remove = (o, len, n) => raw.push({ tag: "delete", o, n, ol: len, nl: 0 });
  const insert = (o, n, len) => raw.push({ tag: "insert", o, n, ol: 0, nl: len });

  const prefix = (os, oe, ns, ne) => {
    let k = 0;
    while (os + k < oe && ns + k < ne && a[os + k] === b[ns + k]) k++;
    return k;
  };
  const suffix = (os, oe, ns, ne) => {
    let k = 0;
    while (oe - k > os && ne - k > ns && a[oe - k - 1] === b[ne - k - 1]) k++;
    return k;
  };
  const maxD = (n, m) => Math.floor((n + m + 1) / 2) + 1;
  const size = maxD(a.length, b.length);
  const vf = new Int32Array(2 * size + 2);
  const vb = new Int32Array(2 * size + 2);

  function middleSnake(os, oe, ns, ne) {
    const n = oe - os;
    const m = ne - ns;
    const delta = n - m;
    const odd = (delta & 1) === 1;
    vf[1 + size] = 0;
    vb[1 + size] = 0;
    const dMax = maxD(n, m);
    for (let d = 0; d < dMax; d++) {
      if (performance.now() >= deadline) break;
      for (let k = d; k >= -d; k -= 2) {
        let x = k === -d || (k !== d && vf[k - 1 + size] < vf[k + 1 + size]) ? vf[k + 1 + size] : vf[k - 1 + size] + 1;
        const y = x - k;
        const x0 = x;
        const y0 = y;
        if (x < n && y >= 0 && y < m) x += prefix(os + x, oe, ns + y, ne);
        vf[k + size] = x;
        if (odd && Math.abs(k - delta) <= d - 1 && vf[k + size] + vb[-(k - delta) + size] >= n) {
          return [x0 + os, y0 + ns];
        }
      }
      for (let k = d; k >= -d; k -= 2) {
        let x = k === -d || (k !== d && vb[k - 1 + size] < vb[k + 1 + size]) ? vb[k + 1 + size] : vb[k - 1 + size] + 1;
        let y = x - k;
        if (x < n && y >= 0 && y < m) {
          const advance = suffix(os, os + n - x, ns, ns + m - y);
          x += advance;
          y += advance;
        }
        vb[k + size] = x;
        if (!odd && Math.abs(k - delta) <= d && vb[k + size] + vf[-(k - delta) + size] >= n) {
          return [n - x + os, m - y + ns];
        }
      }
    }
    return null;
  }

  function conquer(os, oe, ns, ne) {
    const pre = prefix(os, oe, ns, ne);
    if (pre > 0) equal(os, ns, pre);
    os += pre;
    ns += pre;
    const suf = suffix(os, oe, ns, ne);
    const sufAt = [oe - suf, ne - suf];
    oe -= suf;
    ne -= suf;
    if (os >= oe && ns >= ne) {
      // nothing left
    } else if (ns >= ne) remove(os, oe - os, ns);
    else if (os >= oe) insert(os, ns, ne - ns);
    else {
      const snake = middleSnake(os, oe, ns, ne);
      if (snake) {
        conquer(os, snake[0], ns, snake[1]);
        conquer(snake[0], oe, snake[1], ne);
      } else {
        remove(os, oe - os, ns);
        insert(os, ns, ne - ns);
      }
    }
    if (suf > 0) equal(sufAt[0], sufAt[1], suf);
  }

  conquer(0, a.length, 0, b.length);
  compact(raw, a, b);
  return replaced(raw);
}

/** `similar`'s common_prefix_len over two ranges [start, end) of `a` and `b`. */
function commonPrefix(a, [os, oe], b, [ns, ne]) {
  if (os >= oe || ns >= ne) return 0;
  let k = 0;
  while (ns + k < ne && os + k < oe && b[ns + k] === a[os + k]) k++;
  return k;
}

function commonSuffix(a, [os, oe], b, [ns, ne]) {
  if (os >= oe || ns >= ne) return 0;
  let k = 0;
  while (ne - k > ns && oe - k > os && b[ne - k - 1] === a[oe - k - 1]) k++;
  return k;
}

const oldRange = (op) => [op.o, op.o + op.ol];
const newRange = (op) => [op.n, op.n + op.nl];
const isEmptyOp = (op) => op.ol === 0 && op.nl === 0;
/** `similar`'s DiffOp::adjust: the indexes move by `offset`, the length(s) by `length`. */
function adjust(op, offset, length) {
  op.o += offset;
  op.n += offset;
  if (op.tag !== "insert") op.ol += length;
  if (op.tag !== "delete") op.nl += length;
}
const shiftLeft = (op, k) => adjust(op, -k, 0);
const shiftRight = (op, k) => adjust(op, k, 0);
const growLeft = (op, k) => adjust(op, -k, k);
const growRight = (op, k) => adjust(op, 0, k);
const shrinkLeft = (op, k) => adjust(op, 0, -k);
const shrinkRight = (op, k) => adjust(op, k, -k);

/** `similar`'s cleanup_diff_ops (algorithms/compact.rs), on `ops` in place. */
function compact(ops, a, b) {
  for (const tag of ["delete", "insert"]) {
    for (let pointer = 0; pointer < ops.length; pointer++) {
      if (ops[pointer].tag === tag) {
        pointer = shiftUp(ops, a, b, pointer);
        pointer = shiftDown(ops, a, b, pointer);
      }
    }
  }
}

function shiftUp(ops, a, b, pointer) {
  while (pointer > 0) {
    const prev = ops[pointer - 1];
    const op = ops[pointer];
    if (prev.tag === "equal") {
      const k = commonSuffix(a, oldRange(prev), b, newRange(op));
      if (k > 0) {
        if (ops[pointer + 1]?.tag === "equal") growLeft(ops[pointer + 1], k);
        else {
          const len = op.tag === "insert" ? k : prev.ol - k;
          ops.splice(pointer + 1, 0, { tag: "equal", o: prev.o + prev.ol - k, n: op.n + op.nl - k, ol: len, nl: len });
        }
        shiftLeft(ops[pointer], k);
        shrinkLeft(ops[pointer - 1], k);
        if (isEmptyOp(ops[pointer - 1])) {
          ops.splice(pointer - 1, 1);
          pointer--;
        }
      } else if (isEmptyOp(prev)) {
        ops.splice(pointer - 1, 1);
        pointer--;
      } else break;
    } else if (prev.tag !== op.tag) {
      ops[pointer - 1] = op;
      ops[pointer] = prev;
      pointer--;
    } else {
      growRight(prev, op.tag === "insert" ? op.nl : op.ol);
      ops.splice(pointer, 1);
      pointer--;
    }
  }
  return pointer;
}

function shiftDown(ops, a, b, pointer) {
  while (pointer + 1 < ops.length) {
    const next = ops[pointer + 1];
    const op = ops[pointer];
    if (next.tag === "equal") {
      const k = commonPrefix(a, oldRange(next), b, newRange(op));
      if (k > 0) {
        if (pointer > 0 && ops[pointer - 1].tag === "equal") growRight(ops[pointer - 1], k);
        else {
          ops.splice(pointer, 0, { tag: "equal", o: next.o, n: op.n, ol: k, nl: k });
          pointer++;
        }
        shiftRight(ops[pointer], k);
        shrinkRight(ops[pointer + 1], k);
        if (isEmptyOp(ops[pointer + 1])) ops.splice(pointer + 1, 1);
      } else if (isEmptyOp(next)) ops.splice(pointer + 1, 1);
      else break;
    } else if (next.tag !== op.tag) {
      ops[pointer] = next;
      ops[pointer + 1] = op;
      pointer++;
    } else {
      growRight(op, op.tag === "insert" ? next.nl : next.ol);
      ops.splice(pointer + 1, 1);
    }
  }
  return pointer;
}

/** `similar`'s Replace hook over `ops`: the runs, deletions and insertions merged. */
function replaced(raw) {
  const ops = [];
  let eq = null;
  let del = null;
  let ins = null;
  const flushEq = () => {
    if (eq) ops.push({ tag: "equal", a0: eq[0], a1: eq[0] + eq[2], b0: eq[1], b1: eq[1] + eq[2] });
    eq = null;
  };
  const flushDelIns = () => {
    if (del && ins) ops.push({ tag: "replace", a0: del[0], a1: del[0] + del[1], b0: ins[1], b1: ins[1] + ins[2] });
    else if (del) ops.push({ tag: "delete", a0: del[0], a1: del[0] + del[1], b0: del[2], b1: del[2] });
    else if (ins) ops.push({ tag: "insert", a0: ins[0], a1: ins[0], b0: ins[1], b1: ins[1] + ins[2] });
    del = null;
    ins = null;
  };
  for (const op of raw) {
    if (op.tag === "equal") {
      flushDelIns();
      eq = eq ? [eq[0], eq[1], eq[2] + op.ol] : [op.o, op.n, op.ol];
    } else if (op.tag === "delete") {
      flushEq();
      del = del ? [del[0], del[1] + op.ol, del[2]] : [op.o, op.ol, op.n];
    } else {
      flushEq();
      ins = ins ? [ins[0], ins[1], ins[2] + op.nl] : [op.o, op.n, op.nl];
    }
  }
  flushEq();
  flushDelIns();
  return ops;
}

const isWord = (token) => token.trim() !== "";
const isInlineSpace = (tokens) => tokens.length > 0 && tokens.every((t) => /^[^\S\n\r]+$/.test(t));

/** Runs of unchanged and changed tokens, the spaces between two changes folded into them. */
function segments(oldTokens, newTokens, deadline) {
  const raw = [];
  for (const op of diffOps(oldTokens, newTokens, deadline)) {
    const oldPart = oldTokens.slice(op.a0, op.a1);
    const newPart = newTokens.slice(op.b0, op.b1);
    const last = raw[raw.length - 1];
    if (op.tag === "equal") raw.push({ same: oldPart });
    else if (last && !last.same) {
      last.old.push(...oldPart);
      last.new.push(...newPart);
    } else raw.push({ old: oldPart, new: newPart });
  }
  const folded = [];
  let pending = null;
  const lastIsChange = () => folded.length > 0 && !folded[folded.length - 1].same;
  for (const segment of raw) {
    if (segment.same && isInlineSpace(segment.same) && lastIsChange()) {
      if (pending) folded.push({ same: pending });
      pending = segment.same;
    } else if (!segment.same) {
      if (pending && lastIsChange()) {
        const last = folded[folded.length - 1];
        last.old.push(...pending, ...segment.old);
        last.new.push(...pending, ...segment.new);
      } else {
        if (pending) folded.push({ same: pending });
        folded.push(segment);
      }
      pending = null;
    } else {
      if (pending) folded.push({ same: pending });
      pending = null;
      folded.push(segment);
    }
  }
  if (pending) folded.push({ same: pending });
  return folded;
}

/** Both words with their differing characters marked, or null when they are not alike. */
function emphasise(oldWord, newWord) {
  const a = graphemes(oldWord);
  const b = graphemes(newWord);
  if (a.length > MAX_EMPHASISED_WORD_LEN || b.length > MAX_EMPHASISED_WORD_LEN) return null;
  const ops = diffOps(a, b);
  let common = 0;
  for (const op of ops) if (op.tag === "equal") common += op.a1 - op.a0;
  const total = a.length + b.length;
  if (total === 0 || (2 * common) / total < MIN_EMPHASIS_RATIO) return null;
  let oldHtml = "";
  let newHtml = "";
  const marked = (text) => (text ? `<mark>${escapeHtml(text)}</mark>` : "");
  for (const op of ops) {
    const oldPart = a.slice(op.a0, op.a1).join("");
    const newPart = b.slice(op.b0, op.b1).join("");
    if (op.tag === "equal") {
      oldHtml += escapeHtml(oldPart);
      newHtml += escapeHtml(newPart);
    } else {
      oldHtml += marked(oldPart);
      newHtml += marked(newPart);
    }
  }
  return { old: oldHtml, new: newHtml };
}

function withEmphasis(tokens, emphasised) {
  let html = "";
  let at = 0;
  for (const token of tokens) {
    const word = isWord(token) ? emphasised[at++] : null;
    html += word ?? escapeHtml(token);
  }
  return html;
}

class Output {
  constructor(deadline) {
    this.deadline = deadline;
    this.html = "";
    this.insertions = 0;
    this.deletions = 0;
  }

  same(text) {
    this.html += escapeHtml(text);
  }

  side(element, inner) {
    if (inner) this.html += `<${element}>${inner}</${element}>`;
  }

  /** A change; its words paired and emphasised when `emphasis` allows it (see the top). */
  change(oldTokens, newTokens, emphasis) {
    this.deletions += oldTokens.filter(isWord).length;
    this.insertions += newTokens.filter(isWord).length;
    const oldWords = oldTokens.filter(isWord);
    const newWords = newTokens.filter(isWord);
    if (
      emphasis &&
      performance.now() < this.deadline &&
      oldWords.length > 0 &&
      oldWords.length === newWords.length &&
      oldWords.length <= MAX_EMPHASISED_WORDS
    ) {
      const pairs = oldWords.map((w, i) => emphasise(w, newWords[i]));
      this.side("del", withEmphasis(oldTokens, pairs.map((p) => p && p.old)));
      this.side("ins", withEmphasis(newTokens, pairs.map((p) => p && p.new)));
    } else {
      this.side("del", escapeHtml(oldTokens.join("")));
      this.side("ins", escapeHtml(newTokens.join("")));
    }
  }
}

/** The diff of `oldText` and `newText` within about `budgetMs`: {html, insertions, deletions} (words). */
export function wordDiff(oldText, newText, budgetMs = BUDGET_MS) {
  const deadline = performance.now() + budgetMs;
  const out = new Output(deadline);
  const oldLines = lines(oldText);
  const newLines = lines(newText);
  for (const op of diffOps(oldLines, newLines, deadline)) {
    const oldPart = oldLines.slice(op.a0, op.a1).join("");
    const newPart = newLines.slice(op.b0, op.b1).join("");
    if (op.tag === "equal") out.same(oldPart);
    else if (op.tag === "delete") out.change(words(oldPart), [], false);
    else if (op.tag === "insert") out.change([], words(newPart), false);
    else if (performance.now() >= deadline) out.change(words(oldPart), words(newPart), false);
    else {
      for (const segment of segments(words(oldPart), words(newPart), deadline)) {
        if (segment.same) out.same(segment.same.join(""));
        else out.change(segment.old, segment.new, true);
      }
    }
  }
  return { html: out.html, insertions: out.insertions, deletions: out.deletions };
}

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
// The server uses `similar`'s Myers diff; this is a longest common subsequence, which may align
// ties differently (rarely, and only in how a change is cut, never in what it says). Beyond
// MAX_CELLS (a passage of thousands of words on both sides) a run is shown replaced whole, as
// the server does when its deadline passes.

const MAX_CELLS = 4_000_000;
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
 * The operations turning `a` into `b` (arrays of strings): runs of
 * {tag: "equal" | "delete" | "insert" | "replace", a0, a1, b0, b1}.
 */
export function diffOps(a, b) {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  // Matched pairs (i, j) of the middle, in order.
  const matches = [];
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= MAX_CELLS) {
    const width = m + 1;
    // Lengths of the longest common subsequences of the suffixes; both sides are at most
    // MAX_CELLS / 2 long here, so a length fits in 32 bits (and in 16 when the shorter is).
    const table = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i * width + j] =
          a[pre + i] === b[pre + j]
            ? table[(i + 1) * width + j + 1] + 1
            : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (a[pre + i] === b[pre + j]) {
        matches.push([pre + i, pre + j]);
        i++;
        j++;
      } else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) i++;
      else j++;
    }
  }
  const ops = [];
  const push = (tag, a0, a1, b0, b1) => {
    const last = ops[ops.length - 1];
    if (last && last.tag === "equal" && tag === "equal") {
      last.a1 = a1;
      last.b1 = b1;
    } else ops.push({ tag, a0, a1, b0, b1 });
  };
  if (pre > 0) push("equal", 0, pre, 0, pre);
  let ai = pre;
  let bi = pre;
  for (const [i, j] of [...matches, [a.length - suf, b.length - suf]]) {
    if (ai < i || bi < j) {
      const tag = ai < i && bi < j ? "replace" : ai < i ? "delete" : "insert";
      ops.push({ tag, a0: ai, a1: i, b0: bi, b1: j });
    }
    if (i < a.length - suf) push("equal", i, i + 1, j, j + 1);
    ai = i + 1;
    bi = j + 1;
  }
  if (suf > 0) push("equal", a.length - suf, a.length, b.length - suf, b.length);
  return ops;
}

const isWord = (token) => token.trim() !== "";
const isInlineSpace = (tokens) => tokens.length > 0 && tokens.every((t) => /^[^\S\n\r]+$/.test(t));

/** Runs of unchanged and changed tokens, the spaces between two changes folded into them. */
function segments(oldTokens, newTokens) {
  const raw = [];
  for (const op of diffOps(oldTokens, newTokens)) {
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
  constructor() {
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

  change(oldTokens, newTokens) {
    this.deletions += oldTokens.filter(isWord).length;
    this.insertions += newTokens.filter(isWord).length;
    const oldWords = oldTokens.filter(isWord);
    const newWords = newTokens.filter(isWord);
    if (oldWords.length > 0 && oldWords.length === newWords.length && oldWords.length <= MAX_EMPHASISED_WORDS) {
      const pairs = oldWords.map((w, i) => emphasise(w, newWords[i]));
      this.side("del", withEmphasis(oldTokens, pairs.map((p) => p && p.old)));
      this.side("ins", withEmphasis(newTokens, pairs.map((p) => p && p.new)));
    } else {
      this.side("del", escapeHtml(oldTokens.join("")));
      this.side("ins", escapeHtml(newTokens.join("")));
    }
  }
}

/** The diff of `oldText` and `newText`: {html, insertions, deletions} (words). */
export function wordDiff(oldText, newText) {
  const out = new Output();
  const oldLines = lines(oldText);
  const newLines = lines(newText);
  for (const op of diffOps(oldLines, newLines)) {
    const oldPart = oldLines.slice(op.a0, op.a1).join("");
    const newPart = newLines.slice(op.b0, op.b1).join("");
    if (op.tag === "equal") out.same(oldPart);
    else if (op.tag === "delete") out.change(words(oldPart), []);
    else if (op.tag === "insert") out.change([], words(newPart));
    else {
      for (const segment of segments(words(oldPart), words(newPart))) {
        if (segment.same) out.same(segment.same.join(""));
        else out.change(segment.old, segment.new);
      }
    }
  }
  return { html: out.html, insertions: out.insertions, deletions: out.deletions };
}

// Proposing an amendment in place, from the reading view (issue 13, point 1). Loaded only on the
// reading view of a text open to amendments, for who may file now: the page then carries
// #amend-source (the Markdown the page shows, the document's heads it was read at) and, on each
// numbered paragraph's element, data-paragraph and its source range in UTF-16 units of that
// Markdown (data-src="start-end"). Without this script, the « Amender » links lead to the
// paragraph's form (src/http/amendments/filing.rs, which also offers to add a paragraph after
// it); this script adds the gaps' « Ajouter un paragraphe », and both open the same editor here,
// as does selecting a passage (then « Amender ce passage »).
//
// From a selection to a range of the Markdown — the rule:
//   1. the selection is cut to the numbered paragraphs it touches; in the first and the last,
//      its ends are taken in the paragraph's rendered text (the « Amender » controls left out),
//      trimmed of spaces and extended to whole words;
//   2. that text is looked up in the paragraph's Markdown source: when it occurs there as many
//      times as in the rendered text, its k-th occurrence in the source is the k-th in the
//      rendered text, and that is the range;
//   3. otherwise (formatting, a link, an escape inside the selection makes the two differ),
//      each character of the rendered text is found in turn in the source, the markup between
//      them skipped, and the passage is grown over the marks around it (emphasis, code, a link's
//      brackets and destination) until they pair up: « trains de » in `des *trains* de` is
//      `*trains* de`;
//   4. when they never do, the whole paragraph is taken, and the editor says so.
// A selection over several paragraphs maps its start in the first and its end in the last.
//
// In the editor, the keyboard path: « Amender » of each paragraph is a link reached by Tab;
// Enter opens the editor with the focus in the new wording; four buttons move the passage's
// start or end by one word (a word of the Markdown: what lies between spaces), keeping what was
// typed (a shrink that would drop a word the wording already changed is refused, and said);
// Escape cancels and brings the focus back to where the editor was opened from.
//
// The amendment is posted to the JSON API (POST /api/v1/texts/{id}/amendments) with the
// session's cookie and the page's CSRF token (<meta name="csrf-token">, X-CSRF-Token), with the
// heads the page was read at, so that the range is that of the state the member saw even if the
// text moved since (the server anchors it there). On success the browser goes to the
// amendment's page; a refusal is shown in the form (role="alert"), everything typed kept.
// Under the preview, the amendments most like what is being written are listed as the member
// types (similar.js: « Des amendements proches existent déjà »).

import { strings } from "./amend-strings.js";
import { watchSimilar } from "./similar.js";
import { wordDiff } from "./word-diff.js";

const SKIPPED = ".amend-controls, .amend-editor, .amend-selection";
/** The inline marks that pair up (emphasis, strikethrough, code). */
const MARKS = ["*", "_", "~", "`"];
const isWordChar = (c) => c !== undefined && /[\p{L}\p{N}\p{M}_'’-]/u.test(c);
const isSpace = (c) => c !== undefined && /\s/.test(c);

function element(tag, attributes = {}, children = []) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") el.textContent = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) el.append(child);
  return el;
}

/** Every occurrence of `needle` in `haystack`, overlapping ones included. */
function occurrences(haystack, needle) {
  const found = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/**
 * « Ajouter un paragraphe » in each gap: before each paragraph's « Amender » from the second on,
 * and after the last. The server sends one control per paragraph (without this script, the
 * paragraph's form offers to add one after it); these are made here, where they weigh nothing
 * on the wire. They are the same links the form would follow, so a click here opens the editor
 * and a click elsewhere (a new tab) opens the form.
 */
function addGapControls(article, paragraphs, t) {
  const link = (before, after) => {
    const href = `${before.amend.pathname}?paragraph=${before.number}&add=1`;
    const label = after ? t.addParagraphBetween(before.number, after.number) : t.addParagraphAfter(before.number);
    return element("a", { class: "amend-link amend-add", href, "aria-label": label, text: t.addParagraph });
  };
  const withControl = paragraphs
    .map((p) => ({ ...p, amend: article.querySelector(`a.amend-link[href$="?paragraph=${p.number}"]`) }))
    .filter((p) => p.amend);
  withControl.forEach((p, i) => {
    if (i === 0) return;
    p.amend.before(link(withControl[i - 1], p), " ");
  });
  const last = withControl[withControl.length - 1];
  if (last) {
    // At the end of the text, after whatever holds the last paragraph (a list, a quote).
    article.append(element("p", { class: "amend-controls" }, [link(last, null)]));
  }
}

function init(source) {
  const t = strings(source.dataset.lang);
  const textId = source.dataset.textId || "";
  const markdownUrl = source.dataset.markdownUrl || "";
  const heads = (source.dataset.heads || "").split(",").filter(Boolean);
  const rationaleRequired = source.dataset.rationaleRequired === "true";
  const article = document.querySelector("article.text-body");
  if (!article) return;

  let paragraphs = Array.from(article.querySelectorAll("[data-paragraph]"), (el) => {
    const [start, end] = (el.dataset.src || "").split("-").map(Number);
    return { el, number: Number(el.dataset.paragraph), start, end };
  }).filter((p) => Number.isInteger(p.start) && Number.isInteger(p.end) && p.start <= p.end);
  if (!paragraphs.length || !markdownUrl) return;
  const byNumber = new Map(paragraphs.map((p) => [p.number, p]));
  addGapControls(article, paragraphs, t);

  // ---- The Markdown the page shows, read when the member starts amending ----

  // A convention's text is a hundred kilobytes that only those who amend need: it is fetched
  // at the state the page shows (its heads, in the URL: the browser keeps it) at the first sign
  // of intent — a press, a focus or a selection in the text — and every use waits for it.
  let markdown = null;
  let loading = null;

  function loadMarkdown() {
    if (!loading) {
      loading = fetch(markdownUrl, { credentials: "same-origin", headers: { Accept: "text/markdown" } })
        .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
        .then((text) => {
          markdown = text;
          // Ranges past its end would be another state's: those paragraphs are not offered.
          paragraphs = paragraphs.filter((p) => p.end <= text.length);
          for (const [number, p] of byNumber) if (p.end > text.length) byNumber.delete(number);
          return text;
        })
        .catch((error) => {
          loading = null; // tried again at the next sign of intent
          throw error;
        });
    }
    return loading;
  }

  for (const type of ["pointerdown", "focusin", "keydown"]) article.addEventListener(type, () => loadMarkdown().catch(() => {}));

  // Above the text and its contents (not inside their grid).
  (article.closest(".text-layout") || article).before(element("p", { class: "hint amend-hint", text: t.hint }));

  // ---- The rendered text of a paragraph, and a DOM point's offset in it ----

  function textNodes(el) {
    const nodes = [];
    let at = 0;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement?.closest(SKIPPED) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      nodes.push({ node, at });
      at += node.data.length;
    }
    return { nodes, text: nodes.map((n) => n.node.data).join("") };
  }

  function plainOffset(rendered, container, offset) {
    const point = document.createRange();
    point.setStart(container, offset);
    for (const { node, at } of rendered.nodes) {
      if (node === container) return at + Math.min(offset, node.data.length);
      if (point.comparePoint(node, 0) >= 0) return at;
    }
    return rendered.text.length;
  }

  /** The range of the Markdown for [s, e) of paragraph `p`'s rendered text (see the rule above). */
  function mapInParagraph(p, s, e) {
    const { text } = textNodes(p.el);
    while (s < e && isSpace(text[s])) s++;
    while (e > s && isSpace(text[e - 1])) e--;
    while (s > 0 && s < e && isWordChar(text[s - 1]) && isWordChar(text[s])) s--;
    while (e < text.length && e > s && isWordChar(text[e - 1]) && isWordChar(text[e])) e++;
    if (s >= e) return null;
    const wanted = text.slice(s, e);
    const inText = occurrences(text, wanted);
    const inSource = occurrences(markdown.slice(p.start, p.end), wanted);
    const k = inText.indexOf(s);
    if (k !== -1 && inSource.length === inText.length) {
      const start = p.start + inSource[k];
      return { start, end: start + wanted.length, exact: true };
    }
    return aligned(p, text, s, e) || { start: p.start, end: p.end, exact: false };
  }

  /** The runs of `mark` in `text` (`**` is one run): their starts and ends. */
  function runs(text, mark) {
    const found = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] !== mark) continue;
      let j = i;
      while (text[j] === mark) j++;
      found.push([i, j]);
      i = j - 1;
    }
    return found;
  }

  /** Inline markup whose marks pair up: a passage cut inside a link, code or emphasis does not. */
  function balanced(slice) {
    const count = (c) => slice.split(c).length - 1;
    return (
      MARKS.every((mark) => runs(slice, mark).length % 2 === 0) &&
      count("[") === count("]") &&
      count("(") === count(")")
    );
  }

  /**
   * Step 3 of the rule, before the whole paragraph: each character of the rendered text is
   * found in turn in the source (the markup between them skipped), and the passage grown over
   * the marks around it (a run of `*`, `_`, `~` or backticks left unpaired: to its partner
   * before or after; a link cut in two: to its brackets and destination) until they pair up;
   * null when they never do.
   */
  function aligned(p, text, s, e) {
    const source = markdown.slice(p.start, p.end);
    const at = [];
    let j = 0;
    for (let i = 0; i < e; i++) {
      const c = text[i];
      while (j < source.length && source[j] !== c && !(isSpace(c) && isSpace(source[j]))) j++;
      if (j >= source.length) return null;
      at.push(j++);
    }
    let start = at[s];
    let end = at[e - 1] + 1;
    for (let step = 0; step < 16 && !balanced(source.slice(start, end)); step++) {
      const before = start;
      const after = end;
      const slice = source.slice(start, end);
      const count = (c) => slice.split(c).length - 1;
      // A link's text cut in two: to its bracket before, or to its bracket after.
      if (count("]") > count("[")) start = Math.max(0, source.lastIndexOf("[", start - 1));
      if (count("[") > count("]") && source.indexOf("]", end) !== -1) end = source.indexOf("]", end) + 1;
      if (source[end - 1] === "]" && source[end] === "(" && source.indexOf(")", end) !== -1) end = source.indexOf(")", end) + 1;
      if (count("(") > count(")") && source.indexOf(")", end) !== -1) end = source.indexOf(")", end) + 1;
      for (const mark of MARKS) {
        const found = runs(slice, mark);
        if (found.length % 2 === 0) continue;
        // The first run decides: one that closes (text before it, none after) has its partner
        // before the passage; one that opens, after it.
        const [a, b] = found[0];
        const closes = a > 0 && !isSpace(slice[a - 1]) && (b >= slice.length || isSpace(slice[b]) || /\p{P}/u.test(slice[b]));
        if (closes) {
          const open = source.lastIndexOf(mark, start - 1);
          if (open !== -1) start = runs(source.slice(0, open + 1), mark).pop()[0];
        } else {
          const close = source.indexOf(mark, end);
          if (close !== -1) {
            end = close;
            while (source[end] === mark) end++;
          }
        }
      }
      if (start === before && end === after) return null;
    }
    if (!balanced(source.slice(start, end))) return null;
    return { start: p.start + start, end: p.start + end, exact: true };
  }

  /** The passage the selection stands for, or null. */
  function selectedPassage() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const common = range.commonAncestorContainer;
    const commonEl = common.nodeType === Node.ELEMENT_NODE ? common : common.parentElement;
    if (!commonEl || commonEl.closest(".amend-editor") || !(article.contains(commonEl) || commonEl.contains(article))) {
      return null;
    }
    const touched = paragraphs.filter((p) => range.intersectsNode(p.el));
    if (!touched.length) return null;
    let first = touched[0];
    let last = touched[touched.length - 1];
    const firstText = textNodes(first.el);
    const lastText = first === last ? firstText : textNodes(last.el);
    const s = first.el.contains(range.startContainer) ? plainOffset(firstText, range.startContainer, range.startOffset) : 0;
    const e = last.el.contains(range.endContainer)
      ? plainOffset(lastText, range.endContainer, range.endOffset)
      : lastText.text.length;
    if (first === last) {
      const mapped = mapInParagraph(first, s, e);
      return mapped && { ...mapped, first, last };
    }
    // A selection that only grazes a paragraph (a triple click ends at the next one's start)
    // leaves it out.
    let head = mapInParagraph(first, s, firstText.text.length);
    if (!head) {
      first = touched[1];
      head = { start: first.start, exact: true };
    }
    let tail = mapInParagraph(last, 0, e);
    if (!tail) {
      last = touched[touched.length - 2];
      tail = { end: last.end, exact: true };
    }
    if (head.start >= tail.end) return null;
    return { start: head.start, end: tail.end, exact: head.exact && tail.exact, first, last };
  }

  // ---- « Amender ce passage » under the paragraph where the selection ends ----

  const selectButton = element("button", { type: "button", class: "button button--small amend-selection", text: t.amendSelection });
  let pending = null;
  let pointerDown = false;

  function placeSelectButton() {
    if (markdown === null) {
      const selection = window.getSelection();
      if (selection && !selection.isCollapsed && article.contains(selection.focusNode)) {
        loadMarkdown().then(placeSelectButton, () => {});
      }
      return;
    }
    const passage = selectedPassage();
    pending = passage;
    if (!passage) {
      selectButton.remove();
      return;
    }
    // Moved only when its place changes: a button moved between press and release gets no click.
    const host = passage.last.el;
    if (host.tagName === "LI") {
      if (selectButton.parentElement !== host || host.lastElementChild !== selectButton) host.append(selectButton);
    } else if (host.nextElementSibling !== selectButton) host.after(selectButton);
  }

  // The selection is read when it settles: after the mouse is released, or as the keyboard
  // moves it (never mid-drag, where moving the text below would move the selection too).
  document.addEventListener("pointerdown", (event) => {
    if (!selectButton.contains(event.target)) pointerDown = true;
  });
  document.addEventListener("pointerup", (event) => {
    pointerDown = false;
    if (!selectButton.contains(event.target)) setTimeout(placeSelectButton, 0);
  });
  document.addEventListener("selectionchange", () => {
    if (!pointerDown && document.activeElement !== selectButton) placeSelectButton();
  });
  // Pressing the button must not clear the selection it stands for.
  selectButton.addEventListener("mousedown", (event) => event.preventDefault());
  selectButton.addEventListener("click", () => {
    const passage = pending || selectedPassage();
    if (!passage) return;
    open({ ...passage, add: false, opener: null });
  });

  // ---- The controls of the paragraphs, enhanced ----

  article.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.amend-link") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    const p = byNumber.get(Number(url.searchParams.get("paragraph")));
    if (!p) return;
    event.preventDefault();
    const add = ["1", "true"].includes(url.searchParams.get("add") || "");
    // Without the Markdown (the network failed), the paragraph's own form does the same.
    loadMarkdown().then(
      () => {
        if (!byNumber.has(p.number)) return location.assign(link.href);
        if (add) open({ start: p.end, end: p.end, first: p, last: p, exact: true, add: true, opener: link });
        else open({ start: p.start, end: p.end, first: p, last: p, exact: true, add: false, opener: link });
      },
      () => location.assign(link.href),
    );
  });

  // ---- The editor ----

  let current = null;

  function open(passage) {
    if (current) {
      if (current.dirty()) {
        current.say(t.busy);
        current.replacement.focus();
        return;
      }
      current.close(false);
    }
    selectButton.remove();
    current = editor(passage);
  }

  function editor(passage) {
    const state = { start: passage.start, end: passage.end };
    const add = passage.add;
    const original = () => (add ? "" : markdown.slice(state.start, state.end));
    const title =
      add
        ? t.titleAdd(passage.first.number)
        : passage.first === passage.last
          ? t.titleAmend(passage.first.number)
          : t.titleAmendMany(passage.first.number, passage.last.number);

    const heading = element("p", { class: "amend-editor-title", id: "amend-editor-title", tabindex: "-1" }, [
      element("strong", { text: title }),
    ]);
    const passageBox = element("pre", { class: "amendment-original amend-passage", id: "amend-passage" });
    const refineStatus = element("p", { class: "amend-refine-status", role: "status", "aria-live": "polite" });
    const refineButtons = [
      ["start-earlier", t.startEarlier],
      ["start-later", t.startLater],
      ["end-earlier", t.endEarlier],
      ["end-later", t.endLater],
    ].map(([name, label]) => element("button", { type: "button", class: "button button--quiet button--small", "data-refine": name, text: label }));
    const passagePart = add
      ? []
      : [
          element("div", { class: "amend-passage-box" }, [
            element("p", { class: "amend-label", id: "amend-passage-label", text: t.passage }),
            passageBox,
            // What other groups wrote close to this paragraph: a page of its own, in a new tab
            // (what is typed here stays).
            element("p", { class: "hint" }, [
              element("a", { href: `/texts/${encodeURIComponent(textId)}/paragraphs/${passage.first.number}/related`, target: "_blank", rel: "noopener" }, [
                t.related(passage.first.number),
                element("span", { class: "visually-hidden", text: ` ${t.newTab}` }),
              ]),
            ]),
            ...(passage.exact ? [] : [element("p", { class: "hint amend-whole", text: t.wholeParagraph })]),
            element("div", { class: "amend-refine", role: "group", "aria-label": t.refine }, refineButtons),
            refineStatus,
          ]),
        ];

    const replacement = element("textarea", {
      id: "amend-replacement",
      name: "replacement",
      rows: "6",
      spellcheck: "true",
      "aria-describedby": add ? "amend-escape" : "amend-replacement-hint amend-escape",
    });
    const summary = element("span", { class: "amend-summary" });
    const preview = element("div", { class: "diff amend-preview", id: "amend-preview" });
    const rationale = element("textarea", { id: "amend-rationale", name: "rationale", rows: "4", "aria-required": rationaleRequired ? "true" : null });
    // « Des amendements proches existent déjà », filled as the member types (similar.js).
    const similarRegion = element("div", { class: "amend-similar", id: "amend-similar", "aria-live": "polite" });
    const error = element("div", { class: "amend-error", role: "alert", tabindex: "-1" });
    const draftButton = element("button", { type: "submit", class: "button button--quiet", value: "draft", text: t.saveDraft });
    const submitButton = element("button", { type: "submit", class: "button", value: "submit", text: t.submit });
    const cancelButton = element("button", { type: "button", class: "button button--quiet", text: t.cancel });

    const form = element("form", { class: "amend-editor", "aria-labelledby": "amend-editor-title", novalidate: true }, [
      heading,
      ...passagePart,
      element("div", { class: "field" }, [
        element("label", { for: "amend-replacement", text: add ? t.newParagraph : t.replacement }),
        ...(add ? [] : [element("p", { class: "hint", id: "amend-replacement-hint", text: t.replacementHint })]),
        replacement,
      ]),
      element("section", { class: "amend-preview-box", "aria-labelledby": "amend-preview-title" }, [
        element("p", { class: "amend-label", id: "amend-preview-title" }, [t.preview, " ", summary]),
        preview,
      ]),
      similarRegion,
      element("div", { class: "field" }, [
        element("label", { for: "amend-rationale" }, [t.rationale, ...(rationaleRequired ? [" ", element("span", { class: "hint", text: t.required })] : [])]),
        rationale,
      ]),
      error,
      element("p", { class: "hint", id: "amend-escape", text: t.escape }),
      element("div", { class: "form-actions" }, [draftButton, " ", submitButton, " ", cancelButton]),
    ]);

    const targets = paragraphs.filter((p) => p.number >= passage.first.number && p.number <= passage.last.number);
    for (const p of targets) p.el.classList.add("amend-target");
    const host = passage.last.el;
    if (host.tagName === "LI") host.append(form);
    else host.after(form);

    replacement.value = original();
    const initial = replacement.value;

    function refresh() {
      if (!add) passageBox.textContent = original();
      const diff = wordDiff(original(), replacement.value);
      if (diff.insertions === 0 && diff.deletions === 0 && original() === replacement.value) {
        preview.textContent = t.noChange;
        summary.textContent = "";
      } else {
        preview.innerHTML = diff.html; // our own escaping: only <del>, <ins>, <mark> are tags
        summary.textContent = `(${t.summary(diff.deletions, diff.insertions)})`;
      }
    }

    function say(message) {
      error.textContent = message;
    }

    /** Moves one end of the passage by a word of the Markdown, keeping what was typed. */
    function refine(how) {
      let { start, end } = state;
      const value = replacement.value;
      if (how === "start-earlier") {
        while (start > 0 && isSpace(markdown[start - 1])) start--;
        while (start > 0 && !isSpace(markdown[start - 1])) start--;
        replacement.value = markdown.slice(start, state.start) + value;
      } else if (how === "end-later") {
        while (end < markdown.length && isSpace(markdown[end])) end++;
        while (end < markdown.length && !isSpace(markdown[end])) end++;
        replacement.value = value + markdown.slice(state.end, end);
      } else if (how === "start-later") {
        while (start < end && !isSpace(markdown[start])) start++;
        while (start < end && isSpace(markdown[start])) start++;
        const dropped = markdown.slice(state.start, start);
        if (start >= end || !value.startsWith(dropped)) {
          refineStatus.textContent = t.cannotShrink;
          return;
        }
        replacement.value = value.slice(dropped.length);
      } else if (how === "end-earlier") {
        while (end > start && !isSpace(markdown[end - 1])) end--;
        while (end > start && isSpace(markdown[end - 1])) end--;
        const dropped = markdown.slice(end, state.end);
        if (end <= start || !value.endsWith(dropped)) {
          refineStatus.textContent = t.cannotShrink;
          return;
        }
        replacement.value = value.slice(0, value.length - dropped.length);
      }
      if (start === state.start && end === state.end) {
        refineStatus.textContent = t.cannotShrink;
        return;
      }
      state.start = start;
      state.end = end;
      refineStatus.textContent = t.rangeNow(original());
      refresh();
    }

    for (const button of refineButtons) button.addEventListener("click", () => refine(button.dataset.refine));
    replacement.addEventListener("input", refresh);
    const similar = watchSimilar({ textId, replacement, rationale, region: similarRegion, element, t });

    function close(giveFocus = true) {
      similar.stop();
      form.remove();
      for (const p of targets) p.el.classList.remove("amend-target");
      if (current === self) current = null;
      if (!giveFocus) return;
      const back =
        (passage.opener?.isConnected && passage.opener) ||
        article.querySelector(`a.amend-link[href$="paragraph=${passage.first.number}"]`) ||
        passage.first.el;
      if (back === passage.first.el && !back.hasAttribute("tabindex")) back.setAttribute("tabindex", "-1");
      back.focus();
    }

    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    cancelButton.addEventListener("click", () => close());

    let sending = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (sending) return;
      const submit = event.submitter?.value === "submit";
      const typed = replacement.value;
      const body = {
        start: state.start,
        end: state.end,
        replacement: add ? (typed.trim() ? `\n\n${typed.trimEnd()}` : "") : typed,
        rationale: rationale.value,
        submit,
      };
      if (heads.length) body.heads = heads;
      sending = true;
      for (const b of [draftButton, submitButton]) b.setAttribute("aria-disabled", "true");
      say(t.sending);
      for (const field of [replacement, rationale]) field.removeAttribute("aria-invalid");
      try {
        const response = await fetch(`/api/v1/texts/${encodeURIComponent(textId)}/amendments`, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]')?.content || "",
          },
          body: JSON.stringify(body),
        });
        if (response.status === 201) {
          const filed = await response.json();
          location.assign(`/amendments/${encodeURIComponent(filed.id)}`);
          return;
        }
        let answer = null;
        try {
          answer = await response.json();
        } catch {
          // not JSON: the status says it
        }
        const lines = [answer?.message || t.refused(response.status)];
        for (const [field, message] of Object.entries(answer?.fields || {})) {
          lines.push(`${t.fields[field] || field}${t.colon} ${message}`);
          (field === "rationale" ? rationale : replacement).setAttribute("aria-invalid", "true");
        }
        error.replaceChildren(...lines.map((line) => element("p", { text: line })));
        error.focus();
      } catch {
        say(t.network);
        error.focus();
      } finally {
        sending = false;
        for (const b of [draftButton, submitButton]) b.removeAttribute("aria-disabled");
      }
    });

    const self = {
      replacement,
      say,
      close,
      dirty: () => replacement.value !== initial || rationale.value !== "",
    };
    refresh();
    replacement.focus();
    // The caret at the end of the wording, where one starts typing a change.
    replacement.setSelectionRange(replacement.value.length, replacement.value.length);
    form.scrollIntoView({ block: "nearest" });
    return self;
  }
}

const source = document.getElementById("amend-source");
if (source) init(source);

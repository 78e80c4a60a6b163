// « Des amendements proches existent déjà » (issue 14, point 6): while a member writes an
// amendment in the in-place editor, the amendments most like the wording and rationale being
// written — of this text and of others, among those the member may see — are listed under the
// preview, so that the member may support one rather than file a duplicate.
//
// The server is asked (POST /api/v1/texts/{id}/amendments/similar) DELAY ms after typing stops,
// never while a request is in flight: what is typed meanwhile is asked once that one answers.
// The list is an aria-live="polite" region: a screen reader hears it when it changes, without
// being interrupted. Its links open in a new tab (said in their label), so that following one
// never loses what is being written. Without JavaScript, a draft's own page lists them above
// « Déposer ».

/** How long after the last keystroke the server is asked, in ms. */
export const DELAY = 600;

/**
 * Watches `fields` (the wording and the rationale textareas) and keeps `region` (an element the
 * caller placed, with aria-live="polite") showing the similar amendments. `element` makes DOM
 * elements, `t` holds the strings. Returns `stop()`, which cancels what is pending.
 */
export function watchSimilar({ textId, replacement, rationale, region, element, t }) {
  let timer = null;
  let inFlight = false;
  let again = false;
  let stopped = false;
  let lastAsked = null;

  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  function show(amendments) {
    if (!amendments.length) {
      region.replaceChildren();
      return;
    }
    const items = amendments.map((a) => {
      const heading = String(a.reference || "").startsWith("Sous-amendement ")
        ? a.reference
        : t.similarHeading(a.number, a.reference);
      const link = element("a", { href: a.url, target: "_blank", rel: "noopener" }, [
        heading,
        element("span", { class: "visually-hidden", text: ` ${t.newTab}` }),
      ]);
      const snippet = element("p", { class: "muted" });
      snippet.innerHTML = a.snippet_html; // escaped by the server's index: only <mark> is a tag
      return element("li", {}, [
        link,
        " ",
        element("span", { class: `tag tag--amendment-${a.status}`, text: t.statuses[a.status] || a.status }),
        " ",
        element("span", { class: "muted", text: a.text_title }),
        snippet,
      ]);
    });
    region.replaceChildren(
      element("p", { class: "amend-label", id: "amend-similar-title", text: t.similarTitle }),
      element("p", { class: "hint", text: t.similarHint }),
      element("ul", { class: "related-work", role: "list", "aria-labelledby": "amend-similar-title" }, items),
    );
  }

  async function ask() {
    timer = null;
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    const body = { replacement: replacement.value, rationale: rationale.value };
    const key = JSON.stringify(body);
    if (key === lastAsked) return;
    if (!body.replacement.trim() && !body.rationale.trim()) {
      lastAsked = key;
      show([]);
      return;
    }
    inFlight = true;
    try {
      const response = await fetch(`/api/v1/texts/${encodeURIComponent(textId)}/amendments/similar`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf() },
        body: key,
      });
      // A refusal (too long, the index being rebuilt) keeps the list as it was: it is a hint.
      if (response.ok) {
        const answer = await response.json();
        lastAsked = key;
        if (!stopped) show(Array.isArray(answer.amendments) ? answer.amendments : []);
      }
    } catch {
      // The network failed: the next keystroke asks again.
    } finally {
      inFlight = false;
      if (again && !stopped) {
        again = false;
        ask();
      }
    }
  }

  function typed() {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  }

  replacement.addEventListener("input", typed);
  rationale.addEventListener("input", typed);
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}

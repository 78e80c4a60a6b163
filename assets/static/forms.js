// Atelier's forms, checked before they leave the page: a form larger than the server accepts
// (the body's data-form-max-bytes, the server's own limit) is not sent, so nothing typed is
// lost; the page says why, next to the button, and keeps every field as it was. Pages work
// without this script: the server then answers a page that states the limit (see
// src/http/html_errors.rs). Loaded with `defer` from our own origin (the CSP allows only that).
(() => {
  "use strict";

  const body = document.body;
  const limit = Number(body.dataset.formMaxBytes || 0);
  const message = body.dataset.formTooLarge || "";

  /** The size of the form as the browser would send it (application/x-www-form-urlencoded). */
  function encodedSize(form, submitter) {
    let data;
    try {
      data = new FormData(form, submitter || undefined);
    } catch {
      data = new FormData(form);
    }
    // URLSearchParams percent-encodes UTF-8 as the browser does: its length is the byte count.
    return new URLSearchParams(data).toString().length;
  }

  function showTooLarge(form, submitter) {
    let note = form.querySelector(".form-too-large");
    if (!note) {
      note = document.createElement("p");
      note.className = "form-too-large";
      note.setAttribute("role", "alert");
      note.tabIndex = -1;
      const anchor = submitter && form.contains(submitter) ? submitter : null;
      if (anchor) anchor.insertAdjacentElement("beforebegin", note);
      else form.append(note);
    }
    note.textContent = message;
    note.focus();
  }

  if (limit > 0) {
    document.addEventListener("submit", (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      if ((form.method || "").toLowerCase() !== "post") return;
      // Uploads have their own limits, checked by the server with a message next to the field.
      if ((form.enctype || "").toLowerCase() === "multipart/form-data") return;
      if (encodedSize(form, event.submitter) > limit) {
        event.preventDefault();
        showTooLarge(form, event.submitter);
      } else {
        form.querySelector(".form-too-large")?.remove();
      }
    });
  }

  // The error page of a refused form: « back to the form » is the browser's own back, which
  // gives the form back with what was typed in it.
  for (const button of document.querySelectorAll("button[data-history-back]")) {
    button.hidden = false;
    button.addEventListener("click", () => history.back());
  }
})();

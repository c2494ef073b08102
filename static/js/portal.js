// Small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Colours come from data attributes because the content security policy forbids inline styles.
  for (const swatch of document.querySelectorAll("[data-colour]")) {
    const colour = swatch.dataset.colour;
    if (/^#[0-9a-fA-F]{6}$/.test(colour)) {
      swatch.style.background = colour;
    }
  }
  // Move keyboard and screen-reader focus to a form's error summary after a failed submit.
  const summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
});

// A table wider than the screen scrolls sideways in its box. Keyboard users can scroll it only if
// the box takes focus, so a box that overflows joins the tab order as a region named after its
// table's caption, and leaves it again when the screen is wide enough.
const scrollBoxes = new ResizeObserver((entries) => {
  for (const { target: box } of entries) {
    const caption = box.querySelector("caption");
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      if (caption) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption.textContent.trim().replace(/\s+/g, " "));
      }
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
});

function watchScrollBoxes(root) {
  for (const box of root.querySelectorAll(".table-responsive, .table-responsive-lg")) {
    scrollBoxes.observe(box);
  }
}

document.addEventListener("DOMContentLoaded", () => watchScrollBoxes(document));
// Blocks that htmx swaps in (an indicator after a new measurement) bring their own tables.
document.addEventListener("htmx:load", (event) => watchScrollBoxes(event.target));

// A second press of a submit button while the first request is still on its way saves the same
// thing twice. Once a plain POST form has been sent, it ignores further sends until the page is
// shown again (the back button can bring it back from the browser's cache, still marked as sent).
// The pressed button is marked busy but never disabled: a disabled button would leave its name and
// value out of the form data. htmx sends its own forms, and GET forms only read.
const HTMX_FORM = [
  "[hx-post]", "[hx-get]", "[hx-put]", "[hx-patch]", "[hx-delete]", "[data-hx-post]", "[data-hx-get]",
].join(", ");
let sentForms = new WeakSet();

document.addEventListener("submit", (event) => {
  const form = event.target;
  const submitter = event.submitter;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.matches(HTMX_FORM)) {
    return;
  }
  const method = (submitter?.getAttribute("formmethod") || form.getAttribute("method") || "get")
    .toLowerCase();
  const target = submitter?.getAttribute("formtarget") || form.getAttribute("target") || "_self";
  if (method !== "post" || target !== "_self") {
    return;
  }
  if (sentForms.has(form)) {
    event.preventDefault();
    return;
  }
  sentForms.add(form);
  if (submitter) {
    submitter.setAttribute("aria-disabled", "true");
    submitter.classList.add("is-submitting");
  }
});

window.addEventListener("pageshow", (event) => {
  if (!event.persisted) {
    return;
  }
  sentForms = new WeakSet();
  for (const button of document.querySelectorAll(".is-submitting")) {
    button.classList.remove("is-submitting");
    button.removeAttribute("aria-disabled");
  }
});

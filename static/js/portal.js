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

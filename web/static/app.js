// Conditional form fields: a field with data-show-if='{"method": ["cash"]}' shows only while the named
// field has one of those values. Hidden fields are disabled so they are not posted. No inline script:
// the CSP allows scripts from this site only.
(function () {
  "use strict";

  function currentValue(form, name) {
    const inputs = form.querySelectorAll('[name="' + name + '"]');
    for (const input of inputs) {
      if (input.type === "checkbox") return input.checked;
      if (input.type === "radio") { if (input.checked) return input.value; continue; }
      return input.value;
    }
    return null;
  }

  function refresh(form) {
    for (const box of form.querySelectorAll("[data-show-if]")) {
      const rule = JSON.parse(box.dataset.showIf);
      const shown = Object.entries(rule).every(([name, values]) => values.includes(currentValue(form, name)));
      box.hidden = !shown;
      for (const input of box.querySelectorAll("input, select, textarea")) input.disabled = !shown;
    }
  }

  function setup(root) {
    for (const form of root.querySelectorAll("form")) {
      if (!form.querySelector("[data-show-if]")) continue;
      refresh(form);
      form.addEventListener("change", () => refresh(form));
    }
  }

  document.addEventListener("DOMContentLoaded", () => setup(document));
  document.addEventListener("htmx:afterSettle", (event) => setup(event.target));
})();

// The payout cycle page: one button fills every cash-result choice on the page (the person still submits).
(function () {
  "use strict";

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-fill-cash]");
    if (!button) return;
    for (const select of document.querySelectorAll("select[data-cash-result]")) {
      if (!select.value) select.value = button.dataset.fillCash;
    }
  });
})();

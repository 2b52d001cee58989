// Progressive enhancements; every page works without this file.

// Forms with data-confirm ask before submitting (destructive actions).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Repeating groups of the application form: add and remove rows in the page instead of
// a round trip to the server (the buttons still work as submit buttons without JS).
document.addEventListener("click", (event) => {
  const button = event.target.closest("#application-form button[name=add], #application-form button[name=remove]");
  if (!button) {
    return;
  }
  if (button.name === "remove") {
    const row = button.closest("[data-row]");
    if (row) {
      event.preventDefault();
      row.remove();
      markDirty();
    }
    return;
  }
  const group = button.value;
  const template = document.querySelector(`template[data-row-template="${group}"]`);
  const rows = document.querySelector(`[data-rows="${group}"]`);
  if (!template || !rows) {
    return;
  }
  event.preventDefault();
  const used = [...rows.querySelectorAll("[data-row]")].map((r) => Number(r.dataset.row.split("-").pop()));
  const index = used.length ? Math.max(...used) + 1 : 0;
  rows.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__INDEX__", String(index)));
  document.querySelector(`[data-empty="${group}"]`)?.remove();
  rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea")?.focus();
  markDirty();
});

// Warn before leaving the application form with unsaved changes (e.g. to upload a document).
let dirty = false;
function markDirty() {
  dirty = true;
}
const applicationForm = document.getElementById("application-form");
if (applicationForm) {
  applicationForm.addEventListener("input", markDirty);
  applicationForm.addEventListener("submit", () => {
    dirty = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}

// After a server-side "add row", scroll to the group that grew.
const anchor = applicationForm?.dataset.anchor;
if (anchor) {
  document.getElementById(anchor)?.scrollIntoView();
}

// Error summaries: focus moves to the summary after a failed submit, and each of its links
// moves focus to its field (a plain #anchor only scrolls). Groups without one input (e.g.
// #documents) get a temporary tabindex so they can hold the focus.
const errorSummary = document.querySelector(".error-summary");
if (errorSummary) {
  errorSummary.focus();
  errorSummary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    if (!target.matches("input, select, textarea, button, a[href]")) {
      target.setAttribute("tabindex", "-1");
    }
    const label = document.querySelector(`label[for="${target.id}"]`);
    (label || target).scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });
}

// Length limits: a live counter instead of the browser cutting pasted text (forms.py renders
// data-maxlength, not maxlength). Textareas always show it; short inputs once 80% is used.
function updateCounter(field) {
  const limit = Number(field.dataset.maxlength);
  let counter = document.getElementById(`${field.id}-counter`);
  const used = field.value.length;
  const show = field.tagName === "TEXTAREA" || used >= limit * 0.8;
  if (!counter) {
    if (!show) {
      return;
    }
    counter = document.createElement("div");
    counter.id = `${field.id}-counter`;
    counter.className = "form-text";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${described} ${counter.id}` : counter.id);
  }
  const over = used - limit;
  // The wording comes translated from the page (base.html's <body data-counter-*>).
  const words = document.body.dataset;
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_match, name) => values[name]);
  counter.textContent = over > 0
    ? fill(words.counterOver || "{over} character(s) too many (limit {limit})", { over, limit })
    : fill(words.counterLeft || "{left} character(s) left", { left: limit - used });
  counter.classList.toggle("text-danger", over > 0);
  counter.classList.toggle("fw-semibold", over > 0);
}
document.querySelectorAll("[data-maxlength][id]").forEach(updateCounter);
document.addEventListener("input", (event) => {
  if (event.target.matches?.("[data-maxlength][id]")) {
    updateCounter(event.target);
  }
});

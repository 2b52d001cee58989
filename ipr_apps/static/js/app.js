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

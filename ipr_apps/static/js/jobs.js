// The job page's progress bar: polls the job's JSON while it is queued or running, and
// reloads the page when it has finished (the page then shows the result). Without this
// file the page is a plain page that asks to be reloaded.
(() => {
  const section = document.querySelector("[data-job-progress]");
  if (!section) {
    return;
  }
  const POLL_MS = 1500;
  const bar = section.querySelector("[data-progress-bar]");
  const meter = section.querySelector("[role=progressbar]");
  const text = section.querySelector("[data-progress-text]");
  const number = new Intl.NumberFormat("en");
  let failures = 0;

  function show(percent) {
    bar.style.width = `${percent}%`;
    bar.textContent = `${percent}%`;
    meter.setAttribute("aria-valuenow", String(percent));
  }

  function describe(job) {
    let key = `text${(job.phase || "").replace(/^./, (c) => c.toUpperCase())}`;
    if (job.status === "queued") {
      key = "textQueued";
    } else if (job.phase === "export" && job.total === null) {
      key = "textCounting";
    }
    const template = section.dataset[key];
    if (!template) {
      return text.textContent;
    }
    return template.replace("{done}", number.format(job.done)).replace("{total}", number.format(job.total || 0));
  }

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, {headers: {Accept: "application/json"}, cache: "no-store"});
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const job = await response.json();
      failures = 0;
      show(job.percent);
      if (job.finished) {
        window.location.reload();
        return;
      }
      text.textContent = describe(job);
    } catch (error) {
      failures += 1;
      if (failures >= 5) {
        text.textContent = section.dataset.textError;
        return;
      }
    }
    window.setTimeout(poll, POLL_MS);
  }

  show(Number(meter.getAttribute("aria-valuenow")) || 0);
  window.setTimeout(poll, POLL_MS);
})();

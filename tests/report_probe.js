// Drives a Snakemake report as a reader would (clicks: Results, the module's category, the eye
// button of an item) and records what was rendered in <pre id="probe"> as JSON. The view to end
// on (for the screenshot) is the page's hash: #claims (default) or #figure.
(async () => {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const until = async (find, what) => {
    for (let i = 0; i < 200; i++) {
      const found = find();
      if (found) return found;
      await sleep(50);
    }
    throw new Error("timed out waiting for " + what);
  };
  const link = (text) =>
    [...document.querySelectorAll("#app a")].find((a) => a.textContent.trim() === text);
  const click = async (text) => (await until(() => link(text), "link " + text)).click();
  const openItem = async (name) => {
    const row = await until(
      () => [...document.querySelectorAll("#app tr")].find((tr) => tr.textContent.includes(name)),
      "result row " + name,
    );
    row.querySelector('a[iconname="eye"]').click();
  };
  const out = {};
  try {
    const app = await until(() => document.querySelector("#app .prose"), "landing page");
    out.landing = app.innerText;
    // with one category the menu hides it behind a "Results" link; with several it lists them
    const entry = await until(() => link(PROBE_CATEGORY) || link("Results"), "results menu");
    if (entry.textContent.trim() === "Results") entry.click();
    await click(PROBE_CATEGORY);
    const ending = location.hash === "#figure" ? ["claims", "figure"] : ["figure", "claims"];
    for (const view of ending) {
      if (view === "claims") {
        await openItem(PROBE_CLAIMS);
        const frame = await until(() => document.querySelector("#app iframe"), "claims iframe");
        const rows = await until(() => {
          const doc = frame.contentDocument;
          const table = doc && doc.querySelector("#claims");
          return table && table.querySelectorAll("tbody tr").length ? table : null;
        }, "claims table in iframe");
        out.claims_rows = rows.querySelectorAll("tbody tr").length;
        out.claims_reproduced = rows.querySelectorAll("tbody tr.reproduced").length;
        out.claims_fails = rows.querySelectorAll("tbody tr.fails").length;
        out.claims_summary = frame.contentDocument.querySelector("#summary").innerText;
      } else {
        await openItem(PROBE_FIGURE);
        const img = await until(() => {
          const found = document.querySelector("#app img:not(.h-4)");
          return found && found.complete && found.naturalWidth > 0 ? found : null;
        }, "figure image");
        out.figure_width = img.naturalWidth;
        out.figure_height = img.naturalHeight;
      }
    }
  } catch (error) {
    out.error = String(error);
  }
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.style.display = "none";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();

// Machine page: one curve chart per interpreter version, and the JSON timing bars.
import { pageData } from "./charts.js";
import { drawCurves, drawJSONBars } from "./curves.js";

const data = pageData();
if (data) {
  for (const canvas of document.querySelectorAll("canvas.curve-chart")) {
    const group = data.curveGroups[Number(canvas.dataset.group)];
    if (!group) continue;
    const series = group.series.map((s) => ({ ...s, label: `${s.procs} process${s.procs === 1 ? "" : "es"}` }));
    drawCurves(canvas, series, [
      { bytes: group.defaultBytes, label: "PyPy default" },
      { bytes: group.recommendedBytes, label: "Recommended" },
    ]);
  }
  const bars = document.getElementById("json-chart");
  if (bars && data.json.rows.length > 0) {
    // Tall enough for every row to keep its label.
    bars.parentElement.classList.add("chart-tall");
    drawJSONBars(bars, data.json);
  }
}

// Compare page: the machines' one-process curves overlaid, and their JSON timings as bars.
import { pageData } from "./charts.js";
import { drawCurves, drawJSONBars } from "./curves.js";

const data = pageData();
if (data) {
  const curves = document.getElementById("compare-curves");
  if (curves && data.curves.length > 0) drawCurves(curves, data.curves, []);
  const bars = document.getElementById("compare-json");
  if (bars && data.json.rows.length > 0) drawJSONBars(bars, data.json);
}

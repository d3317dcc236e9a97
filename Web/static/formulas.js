// Formulas page: observed best nursery against the formula's prediction, one colour per class,
// with the diagonal (a perfect prediction) drawn for reference.
import { pageData, drawChart, log2SizeAxis, baseOptions, palette, formatBytes } from "./charts.js";

const data = pageData();
const canvas = document.getElementById("formulas-chart");
if (data && canvas) {
  const colours = palette();
  // Small deterministic jitter: many machines share a (predicted, observed) pair of powers of two.
  const jitter = (i) => ((i * 37) % 11 - 5) * 0.025;
  const datasets = data.classes.map((cls, index) => ({
    label: cls.name,
    data: cls.points.map((p, i) => ({ x: Math.log2(p.predicted) + jitter(i), y: Math.log2(p.observed) + jitter(i + 3), machine: p.machine })),
    backgroundColor: colours.series[index % colours.series.length],
    pointRadius: 3,
  }));
  const all = data.classes.flatMap((c) => c.points.flatMap((p) => [Math.log2(p.predicted), Math.log2(p.observed)]));
  if (all.length > 0) {
    const low = Math.floor(Math.min(...all)) - 1;
    const high = Math.ceil(Math.max(...all)) + 1;
    datasets.push({
      label: "Exact prediction", data: [{ x: low, y: low }, { x: high, y: high }], showLine: true,
      borderColor: colours.muted, borderDash: [5, 4], pointRadius: 0, borderWidth: 1,
    });
  }
  const options = baseOptions();
  options.scales = { x: log2SizeAxis("Predicted nursery"), y: log2SizeAxis("Observed best nursery") };
  options.plugins.tooltip = {
    callbacks: { label: (item) => `${item.raw.machine || ""} predicted ${formatBytes(2 ** Math.round(item.raw.x))}, best ${formatBytes(2 ** Math.round(item.raw.y))}` },
  };
  drawChart(canvas, { type: "scatter", data: { datasets }, options });
}

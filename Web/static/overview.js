// Overview: each machine's best nursery against its last-level cache, with the formula's
// recommendation and PyPy's default for the same machine drawn over it.
import { pageData, drawChart, log2SizeAxis, baseOptions, palette, formatBytes } from "./charts.js";

const data = pageData();
const canvas = document.getElementById("headline-chart");
if (data && canvas) {
  const colours = palette();
  const toPoint = (value) => (p) => ({ x: Math.log2(p.llc), y: Math.log2(value(p)), machine: p.machine });
  const datasets = [
    {
      label: "Measured best",
      data: data.points.map(toPoint((p) => p.best)),
      backgroundColor: colours.series[0],
      pointRadius: 3.5,
    },
  ];
  const predicted = data.points.filter((p) => p.predicted != null);
  if (predicted.length > 0) {
    datasets.push({
      label: `Formula (${data.formulaName})`,
      data: predicted.map(toPoint((p) => p.predicted)),
      backgroundColor: colours.series[1],
      borderColor: colours.series[1],
      pointStyle: "crossRot",
      pointRadius: 6,
      borderWidth: 2,
    });
  }
  datasets.push({
    label: "PyPy's default",
    data: data.points.map(toPoint((p) => p.pypyDefault)),
    backgroundColor: colours.series[3],
    borderColor: colours.series[3],
    pointStyle: "line",
    pointRadius: 7,
    borderWidth: 2,
  });
  const options = baseOptions();
  options.scales = { x: log2SizeAxis("Last-level cache (L3, or L2 without one)"), y: log2SizeAxis("Nursery size") };
  options.plugins.tooltip = {
    callbacks: {
      label: (item) => `${item.raw.machine}: ${formatBytes(2 ** item.raw.y)} (cache ${formatBytes(2 ** item.raw.x)})`,
    },
  };
  drawChart(canvas, { type: "scatter", data: { datasets }, options });
}

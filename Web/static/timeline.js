// Timeline page: medians across interpreter versions, one line per benchmark variant.
import { pageData, drawChart, valueAxis, baseOptions, palette } from "./charts.js";

function drawTimeline(canvas, chart) {
  const colours = palette();
  const datasets = chart.rows.map((label, index) => ({
    label,
    data: chart.values[index],
    borderColor: colours.series[index % colours.series.length],
    backgroundColor: colours.series[index % colours.series.length],
    spanGaps: true,
    pointRadius: 3,
    borderWidth: 2,
  }));
  const options = baseOptions();
  options.scales = {
    x: { ticks: { color: colours.muted }, grid: { color: colours.grid } },
    y: valueAxis("Median CPU time (ms)", { beginAtZero: true }),
  };
  return drawChart(canvas, { type: "line", data: { labels: chart.versions, datasets }, options });
}

const data = pageData();
if (data) {
  const gc = document.getElementById("timeline-gc");
  if (gc && data.gcbench.rows.length > 0) drawTimeline(gc, data.gcbench);
  const json = document.getElementById("timeline-json");
  if (json && data.json.rows.length > 0) drawTimeline(json, data.json);
}

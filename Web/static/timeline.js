// Timeline page: one chart per implementation, each line a benchmark variant's CPU time
// relative to the implementation's first version, chained through paired steps.
import { pageData, drawChart, valueAxis, baseOptions, palette } from "./charts.js";

function drawTimeline(canvas, chart) {
  const colours = palette();
  const datasets = chart.rows.map((label, index) => ({
    label,
    data: chart.index[index],
    machines: chart.machines[index],
    borderColor: colours.series[index % colours.series.length],
    backgroundColor: colours.series[index % colours.series.length],
    spanGaps: false,
    pointRadius: 3,
    borderWidth: 2,
  }));
  const options = baseOptions();
  options.scales = {
    x: { ticks: { color: colours.muted }, grid: { color: colours.grid } },
    y: valueAxis("CPU time relative to the chain's first version"),
  };
  options.plugins.tooltip = {
    callbacks: {
      label: (item) => {
        const machines = item.dataset.machines[item.dataIndex];
        const basis = machines == null ? "first version" : `paired on ${machines} machines`;
        return `${item.dataset.label}: ${item.formattedValue} (${basis})`;
      },
    },
  };
  return drawChart(canvas, { type: "line", data: { labels: chart.versions, datasets }, options });
}

const data = pageData();
if (data) {
  for (const chart of data.charts) {
    const canvas = document.getElementById(chart.id);
    if (canvas) drawTimeline(canvas, chart);
  }
}

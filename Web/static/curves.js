// Nursery-curve charts, shared by the machine and compare pages: relative CPU time against
// nursery size on a log2 axis, one line per series, best-size intervals shaded, PyPy's default
// and the recommendation marked.
import { drawChart, log2SizeAxis, valueAxis, baseOptions, palette, withAlpha, formatBytes, markersPlugin } from "./charts.js";

/**
 * Draws `series` ([{label, points: [{nursery, relative}], lower, upper}]) on `canvas`, with
 * dashed markers for `lines` ([{bytes, label}]).
 */
export function drawCurves(canvas, series, lines) {
  const colours = palette();
  const datasets = series.map((s, index) => {
    const colour = colours.series[index % colours.series.length];
    return {
      label: s.label,
      data: s.points.map((p) => ({ x: Math.log2(p.nursery), y: p.relative })),
      borderColor: colour,
      backgroundColor: colour,
      showLine: true,
      tension: 0,
      pointRadius: 3,
      borderWidth: 2,
    };
  });
  const bands = series
    .map((s, index) => (s.lower && s.upper
      ? { from: Math.log2(s.lower) - 0.5, to: Math.log2(s.upper) + 0.5, colour: withAlpha(colours.series[index % colours.series.length], 0.12) }
      : null))
    .filter(Boolean);
  const markerLines = lines
    .filter((line) => line.bytes)
    .map((line, row) => ({ x: Math.log2(line.bytes), label: `${line.label} ${formatBytes(line.bytes)}`, colour: colours.muted, row }));
  const options = baseOptions();
  options.scales = { x: log2SizeAxis("Nursery size (PYPY_GC_NURSERY)"), y: valueAxis("CPU time relative to PyPy's default") };
  options.plugins.markers = { lines: markerLines, bands };
  options.plugins.tooltip = {
    callbacks: { label: (item) => `${item.dataset.label}: ${item.raw.y.toFixed(3)} at ${formatBytes(2 ** item.raw.x)}` },
  };
  return drawChart(canvas, { type: "scatter", data: { datasets }, options, plugins: [markersPlugin] });
}

/** Grouped bars of JSON timings: `data` is {rows, interpreters, values[interpreter][row]}. */
export function drawJSONBars(canvas, data, seriesLabels = data.interpreters) {
  const colours = palette();
  const datasets = seriesLabels.map((label, index) => ({
    label,
    data: data.values[index],
    backgroundColor: colours.series[index % colours.series.length],
  }));
  const options = baseOptions();
  options.indexAxis = "y";
  options.scales = {
    x: valueAxis("Median CPU time (ms)", { beginAtZero: true }),
    y: { ticks: { color: colours.muted }, grid: { display: false } },
  };
  return drawChart(canvas, { type: "bar", data: { labels: data.rows, datasets }, options });
}

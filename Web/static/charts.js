// Chart helpers shared by the page modules: reading the page's data block, the log2 size axis,
// colours that work in light and dark mode, and marking each canvas once it has drawn.

/** The page's JSON data block (rendered by the server, escaped for a script element). */
export function pageData() {
  const element = document.getElementById("chart-data");
  return element ? JSON.parse(element.textContent) : null;
}

/** Chart.js, or null when the server has none (the tables carry the data then). */
export function chartLibrary() {
  return typeof window.Chart === "function" ? window.Chart : null;
}

/** `8M`, `256K`, `1G` for a byte count, as PyPy writes sizes. */
export function formatBytes(bytes) {
  const units = [[2 ** 30, "G"], [2 ** 20, "M"], [2 ** 10, "K"]];
  for (const [size, suffix] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return (Number.isInteger(value) ? String(value) : value.toFixed(1)) + suffix;
    }
  }
  return String(Math.round(bytes));
}

/** A linear axis over log2(bytes) labelled with sizes, one tick per power of two. */
export function log2SizeAxis(title) {
  return {
    type: "linear",
    title: { display: true, text: title, color: palette().muted },
    ticks: { stepSize: 1, color: palette().muted, callback: (value) => formatBytes(2 ** value) },
    grid: { color: palette().grid },
  };
}

/** A plain value axis. */
export function valueAxis(title, extra = {}) {
  return {
    title: { display: true, text: title, color: palette().muted },
    ticks: { color: palette().muted },
    grid: { color: palette().grid },
    ...extra,
  };
}

/** Series colours and axis colours for the current colour scheme. */
export function palette() {
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return {
    series: dark
      ? ["#7aa5ff", "#ffb35c", "#6fd39a", "#f47e9c", "#c59bff", "#5fd4d9"]
      : ["#2459c7", "#d9770b", "#1c8f51", "#c7335a", "#7a45c9", "#168a90"],
    muted: dark ? "#9aa3b2" : "#5b6474",
    grid: dark ? "rgba(255,255,255,0.08)" : "rgba(0,0,0,0.07)",
    band: dark ? "rgba(122,165,255,0.14)" : "rgba(36,89,199,0.10)",
    text: dark ? "#e4e7ee" : "#1d2330",
  };
}

/** A colour with transparency, from `#rrggbb`. */
export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Options every chart shares: no animation (a chart is drawn when it is created), legend in
 * the muted colour, responsive inside its figure. */
export function baseOptions() {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { labels: { color: palette().text, boxWidth: 14 } } },
  };
}

/**
 * Plugin drawing vertical markers and shaded x-ranges behind the data, from
 * `options.plugins.markers = { lines: [{x, label, colour}], bands: [{from, to, colour}] }`.
 */
export const markersPlugin = {
  id: "markers",
  beforeDatasetsDraw(chart, _args, options) {
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    if (!x || !options) return;
    ctx.save();
    for (const band of options.bands || []) {
      const left = Math.max(chartArea.left, x.getPixelForValue(band.from));
      const right = Math.min(chartArea.right, x.getPixelForValue(band.to));
      if (right <= left) continue;
      ctx.fillStyle = band.colour;
      ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
    }
    for (const line of options.lines || []) {
      const px = x.getPixelForValue(line.x);
      if (px < chartArea.left || px > chartArea.right) continue;
      ctx.strokeStyle = line.colour;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = line.colour;
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText(line.label, Math.min(px + 4, chartArea.right - 90), chartArea.top + 14 + 14 * (line.row || 0));
    }
    ctx.restore();
  },
};

/**
 * Creates a chart on `canvas` and records on the canvas that it drew and how many pixels it
 * painted (`data-chart-state`, `data-painted-pixels`): the browser test checks charts this way.
 */
export function drawChart(canvas, config) {
  const Chart = chartLibrary();
  if (!Chart || !canvas) return null;
  const chart = new Chart(canvas, config);
  canvas.dataset.chartState = "drawn";
  canvas.dataset.paintedPixels = String(paintedPixels(canvas));
  return chart;
}

/** Pixels with any opacity, sampled on a grid (cheap, and enough to tell blank from drawn). */
function paintedPixels(canvas) {
  const context = canvas.getContext("2d");
  if (!context || canvas.width === 0 || canvas.height === 0) return 0;
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4 * 7) {
    if (data[i] !== 0) painted += 1;
  }
  return painted;
}

// The dashboard's charts, drawn with Chart.js (served by the app from node_modules). Each <canvas
// data-chart="key"> takes its data from the <script type="application/json" id="chart-key"> beside it
// (no inline script: the CSP forbids it). Loaded on every page; Chart.js itself only when needed.
(function () {
  "use strict";

  const PALETTE = ["#0b5cad", "#1d6b36", "#9a6400", "#b3261e", "#6f42c1", "#59636e", "#0a7a8a"];
  let loading = null;

  function loadChartJs(src) {
    if (window.Chart) return Promise.resolve();
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = () => {
          loading = null;
          reject(new Error(src));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function config(spec) {
    const datasets = spec.datasets.map((d, i) => {
      const colour = PALETTE[i % PALETTE.length];
      const set = { label: d.label, data: d.data, backgroundColor: d.colors || colour, borderColor: colour };
      if (d.type) {
        set.type = d.type;
        set.backgroundColor = colour;
        set.borderDash = [6, 4];
        set.pointRadius = 4;
        set.showLine = false;
      }
      if (spec.type === "line") set.fill = false;
      return set;
    });
    const value = spec.horizontal ? "x" : "y";
    const scales = {};
    scales[value] = { beginAtZero: true, stacked: !!spec.stacked };
    scales[value === "x" ? "y" : "x"] = { stacked: !!spec.stacked };
    if (spec.percent) scales[value].max = 100;
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { position: "bottom" } },
      },
    };
  }

  async function draw(canvas, src) {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    const data = document.getElementById("chart-" + canvas.dataset.chart);
    try {
      await loadChartJs(src);
      new window.Chart(canvas, config(JSON.parse(data.textContent)));
      canvas.dataset.ready = "1";
    } catch (error) {
      canvas.replaceWith(document.createTextNode("Không vẽ được biểu đồ: " + error.message));
    }
  }

  function setup() {
    const canvases = document.querySelectorAll("canvas[data-chart]");
    if (!canvases.length) return;
    const src = document.querySelector("main .dashboard").dataset.chartjs;
    canvases.forEach((canvas) => draw(canvas, src));
  }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("htmx:afterSettle", setup);
})();

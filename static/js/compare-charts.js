// Charts on the compare page, drawn from the json_script data beside each canvas.
// Every number is also in a table under its chart, so the page works without this file.
"use strict";

(() => {
  // Series differ by colour, dash pattern, point style and legend text, so colour is never the
  // only signal. The colours keep at least 3:1 contrast against the white background.
  const COLOURS = ["#0a4d6e", "#b35900", "#146c2e", "#8e2c7a", "#a1261b", "#3b3b3b"];
  const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [12, 6]];
  const POINTS = ["circle", "triangle", "rect", "rectRot", "star", "crossRot"];
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const locale = document.documentElement.lang || "sv";

  const style = (index) => ({
    borderColor: COLOURS[index % COLOURS.length],
    backgroundColor: COLOURS[index % COLOURS.length],
    borderDash: DASHES[index % DASHES.length],
    pointStyle: POINTS[index % POINTS.length],
  });

  // Dates travel as ISO strings; the x axis is linear in UTC milliseconds.
  const time = (iso) => Date.parse(`${iso}T00:00:00Z`);
  const dateLabel = (ms) =>
    new Date(ms).toLocaleDateString(locale, { timeZone: "UTC", year: "numeric", month: "short" });

  const baseOptions = () => ({
    locale,
    animation: reducedMotion ? false : { duration: 300 },
    aspectRatio: 2.2,
    plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
    scales: { y: { grace: "5%" } },
  });

  const pilotsChart = (data) => {
    const datasets = [];
    for (const series of data.series) {
      datasets.push({
        ...style(series.style),
        label: series.label,
        data: series.points.map(([iso, value]) => ({ x: time(iso), y: value })),
        borderWidth: 2,
        pointRadius: 3,
        tension: 0,
      });
      if (series.references.length) {
        // Baseline and target: hollow markers joined by a thin dotted line, the planned path.
        datasets.push({
          ...style(series.style),
          label: series.referenceLabel,
          data: series.references.map(([iso, value]) => ({ x: time(iso), y: value })),
          backgroundColor: "#ffffff",
          borderDash: [1, 3],
          borderWidth: 1,
          pointRadius: 6,
          pointBorderWidth: 2,
        });
      }
    }
    const options = baseOptions();
    options.interaction = { mode: "nearest", intersect: false };
    options.scales.x = { type: "linear", ticks: { callback: dateLabel, maxTicksLimit: 8 } };
    options.plugins.tooltip = { callbacks: { title: (items) => dateLabel(items[0].parsed.x) } };
    return { type: "line", data: { datasets }, options };
  };

  const trendChart = (data) => {
    const datasets = data.series.map((series) => ({
      ...style(series.style),
      label: series.label,
      data: series.values,
      borderWidth: 2,
      pointRadius: 3,
      spanGaps: true,
      tension: 0,
    }));
    const options = baseOptions();
    options.interaction = { mode: "index", intersect: false };
    return { type: "line", data: { labels: data.labels, datasets }, options };
  };

  const draw = (canvas) => {
    const source = document.getElementById(canvas.dataset.compareSource);
    if (!source || !window.Chart || window.Chart.getChart(canvas)) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const config = canvas.dataset.compareKind === "trend" ? trendChart(data) : pilotsChart(data);
    if (data.unit) {
      config.options.scales.y.title = { display: true, text: data.unit };
    }
    canvas.hidden = false;
    new window.Chart(canvas, config);
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const canvas of document.querySelectorAll("canvas[data-compare-source]")) {
      draw(canvas);
    }
  });
})();

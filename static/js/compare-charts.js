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

  // The figure's height comes from portal.css, and the legend is a list under the chart: drawn
  // in the canvas, a long pilot name runs off both edges of a phone's screen and the legend
  // leaves the plot only a strip.
  const baseOptions = () => ({
    locale,
    animation: reducedMotion ? false : { duration: 300 },
    maintainAspectRatio: false,
    plugins: { legend: { display: false } },
    scales: { y: { grace: "5%" } },
  });

  // A legend entry's sample repeats its series' colour, dash pattern and point style.
  const SAMPLE = { width: 36, height: 14 };
  const sample = (dataset) => {
    const canvas = document.createElement("canvas");
    const scale = window.devicePixelRatio || 1;
    canvas.width = SAMPLE.width * scale;
    canvas.height = SAMPLE.height * scale;
    canvas.className = "chart-legend-sample";
    canvas.setAttribute("aria-hidden", "true");
    const pen = canvas.getContext("2d");
    pen.scale(scale, scale);
    const middle = SAMPLE.height / 2;
    pen.strokeStyle = dataset.borderColor;
    pen.fillStyle = dataset.backgroundColor;
    pen.lineWidth = dataset.borderWidth;
    pen.setLineDash(dataset.borderDash);
    pen.beginPath();
    pen.moveTo(1, middle);
    pen.lineTo(SAMPLE.width - 1, middle);
    pen.stroke();
    pen.setLineDash([]);
    pen.lineWidth = dataset.pointBorderWidth || 1;
    const point = {
      pointStyle: dataset.pointStyle,
      rotation: 0,
      radius: Math.min(dataset.pointRadius, 5),
      borderWidth: pen.lineWidth,
    };
    window.Chart.helpers.drawPoint(pen, point, SAMPLE.width / 2, middle);
    return canvas;
  };

  const legend = (config) => {
    const list = document.createElement("ul");
    list.className = "chart-legend list-unstyled small";
    for (const dataset of config.data.datasets) {
      const item = document.createElement("li");
      item.append(sample(dataset), document.createTextNode(dataset.label));
      list.append(item);
    }
    return list;
  };

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
    canvas.parentElement.after(legend(config));
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const canvas of document.querySelectorAll("canvas[data-compare-source]")) {
      draw(canvas);
    }
  });
})();

// Trend charts on the pilot page, drawn from the json_script data beside each canvas.
// The numbers are also in a table under every chart, so the page works without this file.
"use strict";

(() => {
  // The content security policy forbids inline styles: htmx must neither add its <style>
  // element nor copy style attributes (which Chart.js sets on canvases) while settling a swap.
  const quietHtmx = () => {
    if (window.htmx) {
      window.htmx.config.includeIndicatorStyles = false;
      window.htmx.config.attributesToSettle = ["class", "width", "height"];
    }
  };
  quietHtmx();
  document.addEventListener("DOMContentLoaded", quietHtmx);

  const COLOURS = { values: "#0a4d6e", baseline: "#495057", target: "#146c2e" };
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  const referenceLine = (label, value, count, colour, dash) => ({
    label,
    data: Array(count).fill(value),
    borderColor: colour,
    backgroundColor: colour,
    borderDash: dash,
    borderWidth: 2,
    pointRadius: 0,
    pointHoverRadius: 0,
  });

  const draw = (canvas) => {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source || !window.Chart || window.Chart.getChart(canvas)) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const count = data.labels.length;
    const datasets = [
      {
        label: data.names.values,
        data: data.values,
        borderColor: COLOURS.values,
        backgroundColor: COLOURS.values,
        borderWidth: 2,
        pointRadius: 3,
        tension: 0,
      },
    ];
    if (data.baseline !== null) {
      datasets.push(referenceLine(data.names.baseline, data.baseline, count, COLOURS.baseline, [6, 4]));
    }
    if (data.target !== null) {
      datasets.push(referenceLine(data.names.target, data.target, count, COLOURS.target, [2, 3]));
    }
    canvas.hidden = false;
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets },
      options: {
        locale: document.documentElement.lang || "sv",
        animation: reducedMotion ? false : { duration: 300 },
        // The figure's height comes from portal.css: a fixed aspect ratio would leave a phone a
        // strip of plot between the legend and the axis labels.
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxHeight: 2 } } },
        scales: { y: { grace: "5%" } },
      },
    });
  };

  const drawWithin = (root) => {
    for (const canvas of root.querySelectorAll("canvas[data-chart-source]")) {
      draw(canvas);
    }
  };

  document.addEventListener("DOMContentLoaded", () => drawWithin(document));
  // htmx swaps one indicator's block after a measurement is recorded: free the old chart first.
  document.addEventListener("htmx:beforeSwap", (event) => {
    for (const canvas of event.detail.target.querySelectorAll("canvas[data-chart-source]")) {
      const chart = window.Chart && window.Chart.getChart(canvas);
      if (chart) {
        chart.destroy();
      }
      canvas.removeAttribute("style");
    }
  });
  document.addEventListener("htmx:load", (event) => drawWithin(event.target));
})();

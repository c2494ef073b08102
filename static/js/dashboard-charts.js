// Charts on the city and area dashboards, drawn from the json_script data beside each canvas.
// Every chart has a table with the same numbers and a one-line summary in the page, so the page
// works without this file. Colours pass 3:1 against white and are never the only signal:
// series also differ by pattern, keep a fixed order, and are named in the legend and the table.
"use strict";

(() => {
  const BLUE = "#0a4d6e";
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const lang = document.documentElement.lang || "sv";
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });

  // A tile filled with the colour and drawn over in white: stripes, crosses or dots.
  const pattern = (colour, shape) => {
    const size = 10;
    const tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    const pen = tile.getContext("2d");
    pen.fillStyle = colour;
    pen.fillRect(0, 0, size, size);
    pen.strokeStyle = "rgba(255, 255, 255, 0.85)";
    pen.fillStyle = "rgba(255, 255, 255, 0.85)";
    pen.lineWidth = 2;
    if (shape === "stripes" || shape === "cross") {
      pen.beginPath();
      pen.moveTo(0, size);
      pen.lineTo(size, 0);
      pen.moveTo(-size / 2, size / 2);
      pen.lineTo(size / 2, -size / 2);
      pen.moveTo(size / 2, size * 1.5);
      pen.lineTo(size * 1.5, size / 2);
      if (shape === "cross") {
        pen.moveTo(0, 0);
        pen.lineTo(size, size);
      }
      pen.stroke();
    } else if (shape === "dots") {
      pen.beginPath();
      pen.arc(size / 2, size / 2, 1.6, 0, 2 * Math.PI);
      pen.fill();
    }
    return pen.createPattern(tile, "repeat");
  };

  // Indicator status: the same order everywhere (best first) and a pattern for each.
  const SERIES = {
    reached: () => pattern("#1b5e20", "solid"),
    on_track: () => pattern("#2e7d32", "stripes"),
    off_track: () => pattern("#b3261e", "cross"),
    no_data: () => pattern("#6c757d", "dots"),
  };
  // Stopped pilots left the ladder: striped grey sets them apart from the stages.
  const BARS = { stopped: () => pattern("#495057", "stripes") };

  // PNG downloads and prints get a white background instead of a transparent one.
  const whiteBackground = {
    id: "whiteBackground",
    beforeDraw: (chart) => {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.globalCompositeOperation = "destination-over";
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };

  const fill = (series, data) => {
    if (SERIES[series.key]) {
      return SERIES[series.key]();
    }
    if (data.keys && data.series.length === 1) {
      return data.keys.map((key) => (BARS[key] ? BARS[key]() : BLUE));
    }
    return BLUE;
  };

  const dataset = (series, data) => {
    const colour = fill(series, data);
    const common = { label: series.label, data: series.values, backgroundColor: colour };
    if (data.kind === "line") {
      return { ...common, borderColor: BLUE, borderWidth: 2, pointRadius: 4, pointStyle: "rectRot", tension: 0 };
    }
    return { ...common, borderColor: "#ffffff", borderWidth: data.stacked ? 1 : 0 };
  };

  const axisLabel = (data) => (value) => (data.percent ? `${numbers.format(value)} %` : numbers.format(value));

  // Horizontal bars need a band of height per label whatever the width. Other charts grow with
  // their width, but a fixed ratio would leave a phone a strip of plot between the axis labels
  // and the legend, so they keep a floor.
  const FLOOR = { bar: 240, line: 180 };
  const RATIO = { bar: 2.2, line: 2 };

  const aspectRatio = (canvas, data) => {
    const width = Math.max(canvas.parentElement.clientWidth, 300);
    if (data.horizontal) {
      return width / (data.labels.length * 26 + 90);
    }
    const kind = data.kind === "line" ? "line" : "bar";
    return width / Math.max(width / RATIO[kind], FLOOR[kind]);
  };

  // Chart.js keeps the ratio it was given when the figure's width changes, and never grows a
  // chart taller than the figure was: work the ratio out again and fill the width.
  const refit = (chart, data) => {
    const ratio = aspectRatio(chart.canvas, data);
    const width = chart.canvas.parentElement.clientWidth;
    if (Math.abs(chart.options.aspectRatio - ratio) > 0.01 || chart.width < width - 1) {
      chart.options.aspectRatio = ratio;
      chart.resize();
    }
  };

  const options = (canvas, data) => {
    const horizontal = Boolean(data.horizontal);
    const valueAxis = {
      beginAtZero: data.kind !== "line",
      stacked: Boolean(data.stacked),
      title: { display: Boolean(data.axis), text: data.axis },
      ticks: { callback: axisLabel(data), precision: data.percent ? undefined : 0 },
    };
    if (data.percent) {
      valueAxis.max = 100;
    }
    const categoryAxis = { stacked: Boolean(data.stacked), ticks: { autoSkip: !horizontal } };
    return {
      locale: lang,
      indexAxis: horizontal ? "y" : "x",
      animation: reducedMotion ? false : { duration: 300 },
      aspectRatio: aspectRatio(canvas, data),
      onResize: (chart) => refit(chart, data),
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { display: data.series.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${axisLabel(data)(item.raw)}`,
          },
        },
      },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
    };
  };

  const draw = (canvas) => {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source || !window.Chart || window.Chart.getChart(canvas)) {
      return;
    }
    const data = JSON.parse(source.textContent);
    canvas.hidden = false;
    new window.Chart(canvas, {
      type: data.kind === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: data.series.map((series) => dataset(series, data)) },
      options: options(canvas, data),
      plugins: [whiteBackground],
    });
    for (const button of document.querySelectorAll(`[data-chart-download="${canvas.id}"]`)) {
      button.hidden = false;
    }
  };

  const download = (button) => {
    const chart = window.Chart && window.Chart.getChart(document.getElementById(button.dataset.chartDownload));
    if (!chart) {
      return;
    }
    const link = document.createElement("a");
    link.href = chart.toBase64Image("image/png", 1);
    link.download = button.dataset.filename || "chart.png";
    document.body.append(link);
    link.click();
    link.remove();
  };

  const resizeAll = () => {
    if (window.Chart) {
      for (const chart of Object.values(window.Chart.instances)) {
        chart.resize();
      }
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const canvas of document.querySelectorAll("canvas[data-chart-source].dashboard-chart-canvas")) {
      draw(canvas);
    }
  });
  // A <button> answers Enter and Space by itself, so one click handler serves keyboards too.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-chart-download]");
    if (button) {
      download(button);
    }
  });
  // Charts drawn for the screen are too wide for an A4 page: fit them to the printed width.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();

/* Charts on the coordinators' pages, drawn with Apache ECharts (static/vendor/echarts).
   Each chart is a <div data-chart='{"kind": ...}'> holding plain data written by the server
   (sojourn/stats/charts.py), labels already in the reader's language. The table below every
   chart has the same figures, so nothing is lost without JavaScript. No animation; tooltips
   are drawn on the canvas (richText) so that no inline style ever reaches the page (CSP). */
(function () {
  "use strict";

  var INK = "#1b1b1b";
  var MUTED = "#454545";
  // Distinguishable for common colour blindness (Okabe-Ito), dark enough on white.
  var PALETTE = ["#0a4b8c", "#b35806", "#1d6b2f", "#7b3294", "#a8141b", "#006d77"];

  var size = 15;

  function base(spec) {
    var elder = document.body.classList.contains("elder");
    size = elder ? 18 : 15;
    return {
      animation: false,
      color: PALETTE,
      textStyle: { color: INK, fontSize: elder ? 18 : 15 },
      tooltip: { renderMode: "richText", confine: true, textStyle: { fontSize: elder ? 18 : 15 } },
      aria: { enabled: false } // the element has its own label; the table is the accessible version
    };
  }

  function sankey(spec, options) {
    var labels = {};
    spec.nodes.forEach(function (node) { labels[node.name] = node.label; });
    options.tooltip.trigger = "item";
    options.tooltip.formatter = function (p) {
      if (p.dataType === "edge") {
        return labels[p.data.source] + " → " + labels[p.data.target] + ": " + p.data.value + " " + spec.unit;
      }
      return labels[p.name] + ": " + p.value + " " + spec.unit;
    };
    options.series = [{
      type: "sankey",
      left: 8, right: 140, top: 16, bottom: 16,
      nodeGap: 14,
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "gradient", opacity: 0.45 },
      label: { color: INK, fontSize: size, formatter: function (p) { return labels[p.name]; } },
      data: spec.nodes.map(function (node) { return { name: node.name }; }),
      links: spec.links
    }];
  }

  function heatmap(spec, options) {
    options.tooltip.formatter = function (p) {
      return spec.y[p.value[1]] + " " + spec.x[p.value[0]] + ": " + p.value[2] + spec.unit;
    };
    options.grid = { left: 8, right: 16, top: 16, bottom: 72, containLabel: true };
    options.xAxis = { type: "category", data: spec.x, splitArea: { show: true }, axisLabel: { color: INK, fontSize: size } };
    options.yAxis = { type: "category", data: spec.y, splitArea: { show: true }, axisLabel: { color: INK, fontSize: size } };
    options.visualMap = {
      min: 0, max: spec.max, calculable: false, orient: "horizontal", left: "center", bottom: 4,
      text: [spec.high, spec.low], textStyle: { color: INK, fontSize: size },
      inRange: { color: ["#f7fbff", "#9ecae1", "#2171b5", "#08306b"] }
    };
    options.series = [{
      type: "heatmap", data: spec.data,
      label: { show: spec.x.length <= 14, color: INK, fontSize: size, formatter: function (p) { return Math.round(p.value[2]) + ""; },
               backgroundColor: "rgba(255,255,255,0.85)", padding: [1, 3] }
    }];
  }

  function bars(spec, options) {
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: { color: INK, fontSize: size, interval: 0, hideOverlap: true } };
    var valueAxis = { type: "value", name: spec.unit, nameTextStyle: { color: MUTED, fontSize: size }, axisLabel: { color: INK, fontSize: size } };
    if (spec.max) valueAxis.max = spec.max;
    options.tooltip.trigger = "axis";
    options.legend = { top: 0, textStyle: { color: INK, fontSize: size } };
    options.grid = { left: 8, right: 24, top: 40, bottom: 8, containLabel: true };
    options.xAxis = spec.horizontal ? valueAxis : categoryAxis;
    options.yAxis = spec.horizontal ? categoryAxis : valueAxis;
    options.series = spec.series.map(function (series) {
      return { type: "bar", name: series.name, data: series.data, stack: spec.stacked ? "all" : undefined };
    });
  }

  var KINDS = { sankey: sankey, heatmap: heatmap, bars: bars };

  function draw(element) {
    var spec;
    try {
      spec = JSON.parse(element.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var build = KINDS[spec.kind];
    if (!build || typeof window.echarts === "undefined") return;
    var options = base(spec);
    build(spec, options);
    var chart = window.echarts.init(element, null, {
      renderer: "canvas",
      locale: (document.documentElement.lang || "zh").indexOf("zh") === 0 ? "ZH" : "EN"
    });
    chart.setOption(options);
    element.setAttribute("data-chart-ready", "true");
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () { chart.resize(); }).observe(element);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();

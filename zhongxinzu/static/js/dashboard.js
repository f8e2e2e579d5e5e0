// 驾驶舱: draw each chart of the page's JSON (json_script "dashboard-data") with ECharts
// (static/vendor/echarts, installed from the npm registry). No inline script (CSP).
// Clicking a bar or a point opens the records behind it (the same links as the tables).
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder) return;
  var data = JSON.parse(holder.textContent);
  function openTables() {
    document.querySelectorAll("details.dash-details").forEach(function (d) { d.open = true; });
  }
  if (typeof window.echarts === "undefined") {
    var note = document.getElementById("dashboard-fallback");
    if (note) note.hidden = false;
    openTables();
    return;
  }
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var drawn = [];

  function unitText(spec, v) {
    if (v === null || v === undefined) return "—";
    return v + (spec.unit === "%" ? "%" : spec.unit);
  }

  function seriesOption(spec, s) {
    var values = s.data;
    if (s.colours) {
      values = s.data.map(function (v, i) {
        return { value: v, itemStyle: { color: s.colours[i % s.colours.length] } };
      });
    }
    var out = {
      name: s.name,
      type: s.type,
      data: values,
      cursor: s.links ? "pointer" : "default",
      emphasis: { focus: "series" }
    };
    if (s.stack) out.stack = s.stack;
    if (s.colour) out.itemStyle = { color: s.colour };
    if (s.type === "bar") out.barMaxWidth = 36;
    if (s.type === "line") {
      out.symbolSize = s.dashed ? 0 : 7;
      out.showSymbol = !s.dashed;
      out.lineStyle = s.dashed ? { type: "dashed", width: 2 } : { width: 2 };
      if (s.dashed) out.silent = true;
    }
    return out;
  }

  function option(spec, width) {
    var narrow = width < 480;
    var category = {
      type: "category",
      data: spec.categories,
      inverse: !!spec.horizontal,
      axisLabel: {
        fontSize: narrow ? 10 : 12,
        interval: spec.horizontal ? 0 : "auto",
        width: narrow ? 72 : 140,
        overflow: "truncate"
      }
    };
    var value = {
      type: "value",
      minInterval: spec.unit === "%" ? 0 : 1,
      axisLabel: { fontSize: narrow ? 10 : 12, formatter: spec.unit === "%" ? "{value}%" : "{value}" }
    };
    if (spec.unit === "%") value.max = 100;
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      color: ["#b71c1c", "#1565c0", "#757575", "#ef6c00", "#2e7d32"],
      tooltip: {
        trigger: spec.series.length > 1 || spec.series.some(function (s) { return s.type === "line"; }) ? "axis" : "item",
        confine: true,
        // Drawn in the chart, not as HTML: ECharts' HTML tooltip carries style attributes,
        // which the CSP (style-src 'self') blocks.
        renderMode: "richText",
        valueFormatter: function (v) { return unitText(spec, v); }
      },
      legend: spec.series.length > 1 ? { top: 0, type: "scroll", textStyle: { fontSize: narrow ? 11 : 12 } } : { show: false },
      grid: { left: 8, right: narrow ? 8 : 16, top: spec.series.length > 1 ? 32 : 12, bottom: 4, containLabel: true },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? category : value,
      series: spec.series.map(function (s) { return seriesOption(spec, s); })
    };
  }

  data.charts.forEach(function (spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el) return;
    if (!spec.categories.length) { el.hidden = true; return; }
    if (spec.horizontal) el.style.height = Math.max(220, 60 + 34 * spec.categories.length) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg", locale: "ZH" });
    chart.setOption(option(spec, el.clientWidth));
    chart.on("click", function (params) {
      var s = spec.series[params.seriesIndex];
      var link = s && s.links && s.links[params.dataIndex];
      if (link) window.location.assign(link);
    });
    el.setAttribute("data-ready", "1");
    drawn.push({ chart: chart, spec: spec, el: el });
  });

  function resize() {
    drawn.forEach(function (d) {
      d.chart.setOption(option(d.spec, d.el.clientWidth));
      d.chart.resize();
    });
  }
  var timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(resize, 150);
  });
  // Print: the charts take the printed page's width, then the screen's again.
  // Printed, each chart has its table under it.
  window.addEventListener("beforeprint", function () { openTables(); resize(); });
  window.addEventListener("afterprint", resize);
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    var onChange = function () { resize(); };
    if (mq.addEventListener) mq.addEventListener("change", onChange);
  }
})();

// Draws the dashboard charts with ECharts (served locally) from the numbers the page carries in
// its json_script block ("dashboard-chart-data"); no inline script. SVG renderer, so the charts
// print crisply. Every chart has the table of its numbers one click away (a <details> next to
// it); before printing, those tables are opened so that the paper carries the numbers too.
(function () {
  "use strict";
  var charts = [];

  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  var source = document.getElementById("dashboard-chart-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var font = window.getComputedStyle(document.body).fontFamily;

  function make(element) {
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }

  (data.trends || []).forEach(function (spec) {
    var element = document.getElementById(spec.id);
    if (!element) {
      return;
    }
    var series = [
      {
        type: "line",
        name: spec.name,
        data: spec.values,
        connectNulls: true,
        symbolSize: 5,
        color: "#0b5ed7",
        label: { show: true, fontSize: 10, color: "#212529" },
      },
    ];
    if (spec.target !== null) {
      // The target as a dashed line of its own: it is in the tooltip, and the axis reaches it.
      series.push({
        type: "line",
        name: spec.targetLabel,
        data: spec.years.map(function () {
          return spec.target;
        }),
        symbol: "none",
        color: "#6c757d",
        lineStyle: { type: "dashed", width: 1 },
        endLabel: { show: true, formatter: spec.targetLabel, fontSize: 10, color: "#495057", align: "right", offset: [0, -9] },
        silent: true,
      });
    }
    make(element).setOption({
      animation: false,
      textStyle: { fontFamily: font },
      grid: { left: 44, right: 18, top: 18, bottom: 22 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: spec.years, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", scale: true, splitNumber: 3, axisLabel: { fontSize: 10 } },
      series: series,
    });
  });

  var ranking = data.ranking;
  var rankingElement = ranking && document.getElementById(ranking.id);
  if (rankingElement) {
    var axis = { type: "value", name: ranking.name, nameLocation: "middle", nameGap: 22 };
    if (ranking.target !== null) {
      // The axis reaches the target, so that its line is on the chart.
      axis.max = function (extent) {
        return Math.ceil(Math.max(extent.max, ranking.target) * 1.1);
      };
    }
    make(rankingElement).setOption({
      animation: false,
      textStyle: { fontFamily: font },
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: axis,
      yAxis: { type: "category", inverse: true, data: ranking.townships, axisLabel: { interval: 0 } },
      series: [
        {
          type: "bar",
          name: ranking.name,
          data: ranking.values,
          color: "#0b5ed7",
          barMaxWidth: 18,
          label: { show: true, position: "right", color: "#212529" },
          markLine: ranking.target === null ? undefined : {
            silent: true,
            symbol: "none",
            lineStyle: { type: "dashed", color: "#b02a37" },
            label: { formatter: ranking.targetLabel, color: "#b02a37" },
            data: [{ xAxis: ranking.target }],
          },
        },
      ],
    });
  }

  function resize() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }
  window.addEventListener("resize", resize);

  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.board-chart-table:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
    resize();
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) {
      details.open = false;
    });
    opened = [];
    resize();
  });
})();

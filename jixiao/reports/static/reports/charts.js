// Draws every chart of a report page. Each chart is an element with data-chart="<id of a
// json_script element holding the ECharts option>"; the option is built on the server with
// translated labels. A bar or point that carries a "url" opens it when clicked. The chart
// instances are kept in window.jixiaoCharts (by element id) for tests and printing.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var charts = {};
  window.jixiaoCharts = charts;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var option = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.href = params.data.url; }
    });
    charts[el.id] = chart;
    el.setAttribute("data-ready", "1");
  });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    }, 100);
  });
  // Printed pages are narrower than the screen: fit the charts to the paper.
  window.addEventListener("beforeprint", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
})();

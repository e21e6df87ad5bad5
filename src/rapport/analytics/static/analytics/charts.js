/* Rapport's report charts: each [data-chart] element draws the JSON of the script tag it names
   (written by json_script on the server; nothing is built from strings here). */
(function () {
  var locales = {ru: "RU", uk: "UK", lv: "LV"};
  var locale = locales[(document.documentElement.lang || "en").slice(0, 2)] || "EN";
  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined, {maximumFractionDigits: 2});

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data.categories || !data.categories.length) return;
    var chart = echarts.init(el, null, {locale: locale, renderer: "svg"});
    chart.setOption({
      tooltip: {trigger: "axis", valueFormatter: function (v) { return numberFormat.format(v); }},
      legend: {top: 0},
      grid: {left: 8, right: 8, bottom: 8, top: 36, containLabel: true},
      xAxis: {type: "category", data: data.categories, axisLabel: {hideOverlap: true}},
      yAxis: {type: "value", axisLabel: {formatter: function (v) { return numberFormat.format(v); }}},
      series: data.series.map(function (s) {
        return {name: s.name, type: s.type || data.type || "bar", data: s.data};
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.drawn = "1";
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();

// Proves each chart drew: counts its marks with a non-zero rendered size and writes the
// result on the chart (data-marks) and on <body> (data-charts, data-charts-ok).
(function () {
  var charts = document.querySelectorAll("svg.chart");
  var empty = [];
  charts.forEach(function (svg) {
    var drawn = 0;
    svg.querySelectorAll(".mark").forEach(function (mark) {
      var box = mark.getBBox();
      var line = mark.tagName.toLowerCase() === "path";
      if ((box.width > 0 && box.height > 0) || (line && (box.width > 0 || box.height > 0))) {
        drawn += 1;
      }
    });
    svg.setAttribute("data-marks", String(drawn));
    if (drawn === 0) {
      empty.push(svg.id);
    }
  });
  document.body.setAttribute("data-charts", String(charts.length));
  document.body.setAttribute("data-charts-ok", empty.length ? "no: " + empty.join(" ") : "yes");
})();

// The event summary's charts (events/after_summary.html), drawn by the vendored Chart.js
// (static/vendor/chart.umd.min.js) from the figures the page carries in a json_script
// element. No inline script: the Content-Security-Policy allows this site's files only.
// The numbers are also in the tables beside each chart, which stand alone without this.
(function () {
  "use strict";
  var source = document.getElementById("event-summary-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var brand = "#2f5bd3";  // app.css --brand: 3:1 or more against white
  var amber = "#b86e00";
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function bars(id, labels, values, colour, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    canvas.parentNode.classList.add("drawn");
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ data: values, backgroundColor: colour, borderRadius: 4, maxBarThickness: 48 }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: reduced ? false : { duration: 400 },
        plugins: { legend: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
  }

  bars("chart-ratings", data.ratings.labels, data.ratings.values, brand, false);
  bars("chart-after", data.after.labels, data.after.values, amber, true);
})();

// The policy simulator's chart (insights/simulator.html): mentors by asks given, current
// policy beside the draft, drawn with Chart.js (vendor/chart.umd.min.js) from the numbers
// the page carries as JSON (json_script). The table beside it says the same without it.
(function () {
  "use strict";
  var source = document.getElementById("simulator-data");
  var canvas = document.getElementById("chart-sim-load");
  if (!source || !canvas || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#5b6478";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  canvas.parentNode.classList.add("drawn");
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.asks.map(String),
      datasets: [
        { label: "Current policy", data: data.current, backgroundColor: "#5b6478" },
        { label: "Draft", data: data.draft, backgroundColor: "#2f5bd3" }
      ]
    },
    options: {
      scales: {
        x: { title: { display: true, text: "Asks given to a mentor" } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Mentors" } }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();

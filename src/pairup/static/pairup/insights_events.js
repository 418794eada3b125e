// The events chart of the insights dashboard (the events section of insights/dashboard.html):
// per event, the people registered, checked in and absent, the meetings held and the
// follow-up asks as bars, the mean rating of the meetings as a line on its own 1–5 axis.
// Drawn once every deferred script has run (Chart.js and insights.js, which sets the
// defaults, come after this one in the page); the table beside it has every number.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("insights-data");
  var canvas = document.getElementById("chart-events");
  if (!source || !canvas || typeof window.Chart === "undefined") { return; }
  // The most recent twenty events: the table keeps them all.
  var events = JSON.parse(source.textContent).figures.events.slice(-20);
  var BLUE = "#2f5bd3", GREEN = "#1e7a46", RED = "#b42318", TEAL = "#0f766e",
    AMBER = "#b86e00", GREY = "#5b6478";
  var narrow = window.matchMedia("(max-width: 640px)").matches;
  var max = narrow ? 12 : 24;
  function pluck(key) { return events.map(function (e) { return e[key]; }); }
  canvas.parentNode.classList.add("drawn");
  new window.Chart(canvas, {
    data: {
      labels: events.map(function (e) {
        var day = e.starts_at.slice(0, 10);
        var title = e.title.length > max ? e.title.slice(0, max - 1) + "\u2026" : e.title;
        return [title, day];
      }),
      datasets: [
        { type: "bar", label: "Registered", data: pluck("registered"), backgroundColor: GREY },
        { type: "bar", label: "Checked in", data: pluck("checked_in"), backgroundColor: GREEN },
        { type: "bar", label: "No-show", data: pluck("absent"), backgroundColor: RED },
        { type: "bar", label: "Meetings held", data: pluck("meetings_held"), backgroundColor: TEAL },
        { type: "bar", label: "Follow-up asks", data: pluck("follow_ups"), backgroundColor: AMBER },
        {
          type: "line", label: "Mean rating (right axis)", yAxisID: "rating",
          data: events.map(function (e) { return e.ratings.mean; }),
          borderColor: BLUE, backgroundColor: BLUE, spanGaps: true
        }
      ]
    },
    options: {
      scales: {
        y: { beginAtZero: true, grace: "8%", ticks: { precision: 0 }, title: { display: true, text: "people, meetings, asks" } },
        rating: {
          position: "right", min: 1, max: 5, ticks: { stepSize: 1 },
          grid: { drawOnChartArea: false }, title: { display: !narrow, text: "mean rating" }
        }
      }
    }
  });
});

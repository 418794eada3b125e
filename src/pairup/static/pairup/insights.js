// The program insights dashboard's charts (insights/dashboard.html), drawn with Chart.js
// (vendor/chart.umd.min.js) from the figures the page carries as JSON (json_script). Every
// number is also in the table beside its chart: without this file, or without JavaScript,
// the page still says everything.
(function () {
  "use strict";
  var source = document.getElementById("insights-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var f = data.figures;
  var Chart = window.Chart;

  // Colours with 3:1 or more against white; each series also differs by its legend.
  var BLUE = "#2f5bd3", AMBER = "#b86e00", GREEN = "#1e7a46", RED = "#b42318",
    PURPLE = "#6b3fa0", GREY = "#5b6478", TEAL = "#0f766e";
  var SESSION_COLOURS = {
    held: GREEN, no_show_mentee: AMBER, no_show_mentor: RED,
    late_cancelled: PURPLE, cancelled: GREY, booked: BLUE
  };

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#5b6478";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 14;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    canvas.parentNode.classList.add("drawn");
    return new Chart(canvas, config);
  }

  function integerAxis(title) {
    return {
      beginAtZero: true,
      ticks: { precision: 0 },
      title: { display: !!title, text: title || "" }
    };
  }

  function pluck(list, key) { return list.map(function (item) { return item[key]; }); }

  // Category labels cut to fit a phone's width (the tooltip and the table keep them whole).
  function shortLabels(max) {
    return {
      autoSkip: false,
      callback: function (value) {
        var label = String(this.getLabelForValue(value));
        return label.length > max ? label.slice(0, max - 1) + "\u2026" : label;
      }
    };
  }
  var narrow = window.matchMedia("(max-width: 640px)").matches;
  var LABEL = narrow ? 16 : 28;

  // The funnel: one bar per step.
  draw("chart-funnel", {
    type: "bar",
    data: {
      labels: pluck(f.funnel.steps, "label"),
      datasets: [{ label: "Asks", data: pluck(f.funnel.steps, "count"), backgroundColor: BLUE }]
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: integerAxis("asks") }
    }
  });

  // Response and match times: medians solid, 90th percentiles dashed.
  var weeks = f.response_times.weeks;
  function times(key, part) {
    return weeks.map(function (w) { return w[key][part]; });
  }
  draw("chart-times", {
    type: "line",
    data: {
      labels: pluck(weeks, "week"),
      datasets: [
        { label: "First answer, median", data: times("first_response_hours", "median"), borderColor: BLUE, backgroundColor: BLUE },
        { label: "First answer, 90th percentile", data: times("first_response_hours", "p90"), borderColor: BLUE, backgroundColor: BLUE, borderDash: [6, 4] },
        { label: "Match, median", data: times("match_hours", "median"), borderColor: AMBER, backgroundColor: AMBER },
        { label: "Match, 90th percentile", data: times("match_hours", "p90"), borderColor: AMBER, backgroundColor: AMBER, borderDash: [6, 4] }
      ]
    },
    options: {
      spanGaps: true,
      scales: { y: { beginAtZero: true, title: { display: true, text: "hours" } } }
    }
  });

  // Sessions by week, stacked by outcome.
  draw("chart-sessions", {
    type: "bar",
    data: {
      labels: pluck(f.sessions.weeks, "week"),
      datasets: data.session_kinds.map(function (kind) {
        return {
          label: kind[1],
          data: pluck(f.sessions.weeks, kind[0]),
          backgroundColor: SESSION_COLOURS[kind[0]]
        };
      })
    },
    options: { scales: { x: { stacked: true }, y: Object.assign(integerAxis("sessions"), { stacked: true }) } }
  });

  // Ratings 1–5: engagements beside sessions.
  draw("chart-ratings", {
    type: "bar",
    data: {
      labels: ["1", "2", "3", "4", "5"],
      datasets: [
        { label: "Engagements (wrap-up)", data: pluck(f.ratings.engagement.counts, "count"), backgroundColor: BLUE },
        { label: "Sessions", data: pluck(f.ratings.session.counts, "count"), backgroundColor: AMBER }
      ]
    },
    options: { scales: { x: { title: { display: true, text: "rating" } }, y: integerAxis("ratings") } }
  });

  // What mentees applied, the ten topics named most.
  var applied = f.ratings.applied.topics.slice(0, 10);
  draw("chart-applied", {
    type: "bar",
    data: {
      labels: pluck(applied, "name"),
      datasets: [{ label: "Wrap-ups", data: pluck(applied, "count"), backgroundColor: GREEN }]
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: integerAxis("wrap-ups"), y: { ticks: shortLabels(LABEL) } }
    }
  });

  // Mentor load: how many mentors gave 0, 1, 2 … sessions.
  draw("chart-load", {
    type: "bar",
    data: {
      labels: pluck(f.mentor_load.histogram, "sessions"),
      datasets: [{ label: "Mentors", data: pluck(f.mentor_load.histogram, "mentors"), backgroundColor: TEAL }]
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { x: { title: { display: true, text: "sessions given" } }, y: integerAxis("mentors") }
    }
  });

  // Demand and supply: the twelve topics with the most unmet demand.
  var topics = f.topics.slice(0, 12);
  draw("chart-topics", {
    type: "bar",
    data: {
      labels: pluck(topics, "name"),
      datasets: [
        { label: "Still open", data: pluck(topics, "open"), backgroundColor: AMBER, stack: "demand" },
        { label: "Found no mentor", data: pluck(topics, "unmatched"), backgroundColor: RED, stack: "demand" },
        { label: "Free capacity (sessions)", data: pluck(topics, "free_capacity"), backgroundColor: GREEN, stack: "supply" }
      ]
    },
    options: {
      indexAxis: "y",
      scales: {
        x: Object.assign(integerAxis(), { stacked: true }),
        y: { stacked: true, ticks: shortLabels(LABEL) }
      }
    }
  });

  // Thanks and continuing, of the engagements begun in the range.
  draw("chart-thanks", {
    type: "bar",
    data: {
      labels: ["Engagements", "Thanked", "One proposed continuing", "Both proposed continuing"],
      datasets: [{
        label: "Engagements",
        data: [f.thanks.engagements, f.thanks.thanked, f.thanks.continue_proposed, f.thanks.continue_both],
        backgroundColor: [GREY, GREEN, AMBER, BLUE]
      }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: integerAxis() } }
  });
})();

// The live room (events/live_*.html): counts down to the phase's end and polls the state
// document every few seconds. The browser revalidates with If-None-Match (fetch's
// "no-cache"), so an unchanged state costs a 304 and no rendering. The page is complete
// without this file (the server renders the state it had); this keeps it current.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.fetch) { return; }

  var url = root.getAttribute("data-live-url");
  var view = root.getAttribute("data-live-view") || "room";
  var POLL_MS = 5000;
  var doc = null;
  var etag = root.getAttribute("data-live-etag") || null; // of the state the page shows
  var skewMs = 0; // server clock minus ours
  var timer = null;
  var busy = false;
  var failures = 0;

  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined && text !== null && text !== "") { el.textContent = text; }
    return el;
  }
  function find(name) { return root.querySelector("[data-live-" + name + "]"); }
  function setText(name, text) {
    var el = find(name);
    if (el) { el.textContent = text || ""; }
  }
  function show(name, visible) {
    var el = find(name);
    if (el) { el.hidden = !visible; }
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    seconds = Math.max(0, Math.ceil(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return (h ? h + ":" + two(m) : m) + ":" + two(s);
  }

  // ---------------------------------------------------------------- rendering

  function tableItem(t) {
    var li = make("li", "live-table");
    li.appendChild(make("span", "live-table-name", t.name));
    li.appendChild(make("span", "live-mentor", t.mentor));
    li.appendChild(make("span", "live-mentees", t.mentees.length ? t.mentees.join(", ") : "No one this round"));
    return li;
  }

  function seating(name, block, emptyText) {
    var list = find(name + "-tables");
    var out = find(name + "-out");
    var title = find(name + "-title");
    if (!list) { return; }
    list.textContent = "";
    if (!block) {
      list.appendChild(make("li", "live-empty", emptyText));
      if (out) { out.hidden = true; }
      return;
    }
    if (title) { title.textContent = title.getAttribute("data-prefix") + " " + block.round; }
    block.tables.forEach(function (t) { list.appendChild(tableItem(t)); });
    if (!block.tables.length) { list.appendChild(make("li", "live-empty", "No seats in this round.")); }
    if (out) {
      out.hidden = !block.sitting_out.length;
      out.textContent = block.sitting_out.length ? "Sitting out: " + block.sitting_out.join(", ") : "";
    }
  }

  function place(name, p, title) {
    var box = find(name);
    if (!box) { return; }
    box.textContent = "";
    box.appendChild(make("h2", "", title + (p ? " · round " + p.round : "")));
    if (!p) {
      box.appendChild(make("p", "muted", name === "me-now" ? "No round under way." : "Nothing after this."));
      return;
    }
    if (p.sitting_out) {
      box.appendChild(make("p", "live-big", "You sit this round out"));
      box.appendChild(make("p", "muted", "Grab a drink: you will meet someone next round."));
      return;
    }
    if (p.table) {
      box.appendChild(make("p", "live-big", p.table.name));
      if (p.table.video_url) {
        var a = make("a", "button small", "Join the video call");
        a.href = p.table.video_url;
        a.rel = "noopener";
        box.appendChild(a);
      }
    }
    var list = make("ul", "live-people");
    p["with"].forEach(function (w) {
      var li = make("li");
      li.appendChild(make("strong", "", w.name));
      if (w.topics && w.topics.length) { li.appendChild(make("span", "live-topics", w.topics.join(" · "))); }
      if (w.want) { li.appendChild(make("q", "live-want", w.want)); }
      list.appendChild(li);
    });
    if (!p["with"].length) { list.appendChild(make("li", "muted", "No one at your table this round.")); }
    box.appendChild(list);
    if (p.also && p.also.length) { box.appendChild(make("p", "muted", "Also at the table: " + p.also.join(", "))); }
  }

  function render() {
    if (!doc) { return; }
    setText("phase", doc.label);
    root.setAttribute("data-phase", doc.phase);
    var nextText = doc.next && doc.next.label ? "Next: " + doc.next.label : "";
    setText("next-label", nextText);
    if (view === "room") {
      seating("now", doc.seating, "No round under way.");
      seating("next", doc.next_seating, "Nothing after this round.");
      show("now-section", !!doc.seating);
      show("next-section", !!doc.next_seating);
    }
    if (doc.me) {
      place("me-now", doc.me.now, "Now");
      place("me-next", doc.me.next, "Next");
      show("me-now", !!doc.me.now);
    }
    tick();
  }

  // ---------------------------------------------------------------- the clock

  var asked = 0;
  function tick() {
    var el = find("countdown");
    if (!el || !doc) { return; }
    var text = "";
    if (doc.phase === "paused" && doc.paused_seconds_left !== null) {
      text = clock(doc.paused_seconds_left);
    } else if (doc.ends_at) {
      var left = (Date.parse(doc.ends_at) - (Date.now() + skewMs)) / 1000;
      text = clock(left);
      // The phase is over: the server already computes the next one; ask at once
      // (at most every two seconds).
      if (left <= 0 && Date.now() - asked > 2000) { asked = Date.now(); poll(); }
    }
    el.textContent = text;
    el.hidden = !text;
  }

  // ---------------------------------------------------------------- polling

  function schedule(ms) {
    window.clearTimeout(timer);
    // A little jitter, so a thousand phones opened together do not poll in step.
    timer = window.setTimeout(poll, ms + Math.floor(Math.random() * 1000));
  }

  function poll() {
    if (busy) { return; }
    if (document.visibilityState === "hidden") { schedule(POLL_MS); return; }
    busy = true;
    fetch(url + (view === "room" ? "" : "?view=me"), {
      cache: "no-cache",
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var date = response.headers.get("Date");
      if (date) { skewMs = Date.parse(date) - Date.now(); }
      if (response.status === 404) {
        setText("status", "This room is not open to you any more (signed out?). Reload the page.");
        return null;
      }
      if (!response.ok && response.status !== 304) { throw new Error(String(response.status)); }
      var tag = response.headers.get("ETag");
      if (response.status === 304 || (tag && tag === etag)) { return null; }
      var changed = etag !== null;
      etag = tag;
      if (view === "control" && changed) {
        // The organisers' panel is a form page: load it again for the new phase, unless
        // someone is typing a check-in code.
        var typing = document.activeElement && document.activeElement.tagName === "INPUT" &&
          document.activeElement.value;
        if (!typing) { window.location.reload(); return null; }
        setText("status", "The room has moved on: reload the page for the new controls.");
      }
      return response.json();
    }).then(function (data) {
      failures = 0;
      setText("status", "");
      if (data) { doc = data; render(); }
    }).catch(function () {
      failures += 1;
      setText("status", "Connection lost: retrying…");
    }).then(function () {
      busy = false;
      schedule(failures ? Math.min(30000, POLL_MS * (1 + failures)) : POLL_MS);
    });
  }

  var initial = document.getElementById("live-initial");
  if (initial) {
    try { doc = JSON.parse(initial.textContent); } catch (e) { doc = null; }
  }
  window.setInterval(tick, 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { poll(); }
  });
  tick();
  schedule(POLL_MS);
})();

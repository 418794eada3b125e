// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // Parts that need this file show, and their plain stand-ins hide (app.css, ".js ...").
  document.documentElement.classList.add("js");

  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  // Pre-fill the time zone from the browser on a profile not filled in yet.
  document.querySelectorAll("[data-browser-timezone]").forEach(function (form) {
    var input = document.getElementById(form.getAttribute("data-browser-timezone"));
    try {
      var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (input && tz && (!input.value || input.value === "UTC")) { input.value = tz; }
    } catch (e) { /* old browser: keep the server's value */ }
  });

  // Chips with a type-ahead over a group of checkboxes (core.widgets.ChipsSelectMultiple).
  // The checkboxes stay the form's state: a chip is a checked box, choosing a suggestion
  // ticks one, removing a chip unticks it. "Browse all" shows the boxes themselves.
  var pickers = 0;
  document.querySelectorAll("[data-chips]").forEach(function (picker) {
    pickers += 1;
    var uid = "chips" + pickers;
    var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));
    var groups = picker.querySelector(".chip-groups");
    if (!boxes.length || !groups) { return; }
    function labelOf(box) { return box.parentNode.textContent.trim(); }
    function groupOf(box) {
      var legend = box.closest("fieldset") && box.closest("fieldset").querySelector("legend");
      return legend ? legend.textContent.trim() : "";
    }

    var chosen = make("ul", "chips-chosen");
    chosen.setAttribute("aria-label", "Chosen");
    var box = make("div", "chips-input");
    var input = make("input");
    input.type = "text";
    input.id = uid + "-find";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", uid + "-list");
    input.setAttribute("autocomplete", "off");
    input.placeholder = (picker.getAttribute("data-find-label") || "Find") + "…";
    input.setAttribute("aria-label", picker.getAttribute("data-find-label") || "Find");
    var list = make("ul", "chips-suggestions");
    list.id = uid + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var browse = make("button", "linklike chips-browse", picker.getAttribute("data-browse-label") || "Browse all");
    browse.type = "button";
    browse.setAttribute("aria-expanded", "false");
    groups.id = groups.id || uid + "-groups";
    browse.setAttribute("aria-controls", groups.id);
    var live = make("p", "sr-only");
    live.setAttribute("aria-live", "polite");
    box.appendChild(input);
    box.appendChild(list);
    picker.insertBefore(live, groups);
    picker.insertBefore(chosen, groups);
    picker.insertBefore(box, groups);
    picker.insertBefore(browse, groups);
    picker.classList.add("enhanced");

    var matches = [];
    var active = -1;

    function render() {
      chosen.textContent = "";
      boxes.forEach(function (b) {
        if (!b.checked) { return; }
        var li = make("li", "chip chosen-chip");
        li.appendChild(make("span", "", labelOf(b)));
        var remove = make("button", "chip-remove", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", "Remove " + labelOf(b));
        remove.addEventListener("click", function () {
          b.checked = false;
          render();
          live.textContent = "Removed " + labelOf(b);
          input.focus();
        });
        li.appendChild(remove);
        chosen.appendChild(li);
      });
      chosen.hidden = !chosen.children.length;
      picker.dispatchEvent(new CustomEvent("chips:change", { bubbles: true }));
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && list.children[index]) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(b) {
      b.checked = true;
      input.value = "";
      close();
      render();
      live.textContent = "Added " + labelOf(b);
      input.focus();
    }

    function suggest() {
      var q = input.value.trim().toLowerCase();
      list.textContent = "";
      if (!q) { close(); return; }
      var scored = [];
      boxes.forEach(function (b) {
        if (b.checked) { return; }
        var name = labelOf(b).toLowerCase();
        var hint = (b.getAttribute("data-hint") || "").toLowerCase();
        var score = name.indexOf(q) === 0 ? 0 : (" " + name).indexOf(" " + q) >= 0 ? 1 :
          name.indexOf(q) >= 0 ? 2 : hint.indexOf(q) >= 0 ? 3 : -1;
        if (score >= 0) { scored.push([score, name, b]); }
      });
      scored.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : 1); });
      matches = scored.slice(0, 8).map(function (s) { return s[2]; });
      if (!matches.length) {
        var none = make("li", "none", "No topic matches “" + input.value.trim() + "”");
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        list.appendChild(none);
      }
      matches.forEach(function (b, i) {
        var li = make("li");
        li.id = uid + "-opt" + i;
        li.setAttribute("role", "option");
        li.appendChild(make("span", "", labelOf(b)));
        var group = groupOf(b);
        if (group) { li.appendChild(make("span", "muted", group)); }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(b); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(matches.length ? 0 : -1);
    }

    input.addEventListener("input", suggest);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && matches.length) {
        e.preventDefault();
        if (list.hidden) { suggest(); } else { highlight((active + 1) % matches.length); }
      } else if (e.key === "ArrowUp" && matches.length) {
        e.preventDefault();
        highlight((active - 1 + matches.length) % matches.length);
      } else if (e.key === "Enter") {
        // Enter picks a topic; it never submits the form from this box.
        e.preventDefault();
        if (!list.hidden && active >= 0 && matches[active]) { choose(matches[active]); }
      } else if (e.key === "Escape") {
        close();
      } else if (e.key === "Backspace" && !input.value) {
        var last = boxes.filter(function (b) { return b.checked; }).pop();
        if (last) { last.checked = false; render(); live.textContent = "Removed " + labelOf(last); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    browse.addEventListener("click", function () {
      var open = !picker.classList.contains("browsing");
      picker.classList.toggle("browsing", open);
      browse.setAttribute("aria-expanded", open ? "true" : "false");
    });
    boxes.forEach(function (b) { b.addEventListener("change", render); });
    render();
  });

  // Topics suggested from an ask's question (asks/_topic_suggestions.html, which htmx
  // refreshes as the mentee types): a suggestion adds its topic's chip, or removes it when
  // pressed again; the note "if you choose none, we take …" shows only while none is chosen.
  function topicFieldOf(el) { return el.closest("fieldset") || document; }
  function topicBox(field, slug) {
    return field.querySelector("[data-chips] input[type=checkbox][value='" + slug + "']");
  }
  function syncTopicSuggestions() {
    document.querySelectorAll("[data-topic-suggestions]").forEach(function (area) {
      var field = topicFieldOf(area);
      var any = field.querySelector("[data-chips] input[type=checkbox]:checked") !== null;
      area.querySelectorAll("[data-add-topic]").forEach(function (button) {
        var box = topicBox(field, button.getAttribute("data-add-topic"));
        button.setAttribute("aria-pressed", box && box.checked ? "true" : "false");
      });
      area.querySelectorAll("[data-when-no-topic]").forEach(function (note) { note.hidden = any; });
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-add-topic]") : null;
    if (!button) { return; }
    var box = topicBox(topicFieldOf(button), button.getAttribute("data-add-topic"));
    if (!box) { return; }
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    syncTopicSuggestions();
  });
  document.addEventListener("chips:change", syncTopicSuggestions);
  document.addEventListener("htmx:afterSettle", syncTopicSuggestions);
  syncTopicSuggestions();

  // A photo field: show the chosen picture at once (read as a data: URL, which the
  // Content-Security-Policy allows for images, unlike blob:), and say beside the field when
  // it is too large or not a picture (the server checks again, and has the last word).
  // Until there is a photo, the initials follow the name as it is typed.
  function initialsOf(name) {
    var words = name.replace(/-/g, " ").split(/\s+/).filter(function (w) {
      return /^[\p{L}\p{N}]/u.test(w);
    });
    if (!words.length) { return "?"; }
    var first = Array.from(words[0])[0];
    var last = words.length > 1 ? Array.from(words[words.length - 1])[0] : "";
    return (first + last).toUpperCase();
  }
  document.querySelectorAll("[data-photo-preview]").forEach(function (preview) {
    var input = document.getElementById(preview.getAttribute("data-photo-preview"));
    var name = document.getElementById(preview.getAttribute("data-initials-from") || "");
    if (name) {
      name.addEventListener("input", function () {
        var span = preview.querySelector("span.avatar");
        if (span) { span.textContent = initialsOf(name.value); }
      });
    }
    if (!input || !window.FileReader) { return; }
    var max = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    var field = input.closest(".field");
    var original = Array.prototype.slice.call(preview.childNodes);
    function restore() {
      preview.textContent = "";
      original.forEach(function (node) { preview.appendChild(node); });
    }
    input.addEventListener("change", function () {
      field.querySelectorAll(".error").forEach(function (old) { old.remove(); });
      var file = input.files && input.files[0];
      var problem = "";
      if (file && max && file.size > max) {
        problem = "This photo is " + (file.size / 1048576).toFixed(1) + " MB; the limit is " +
          Math.round(max / 1048576) + " MB. Choose a smaller one.";
      } else if (file && !/^image\/(jpeg|png|webp)$/.test(file.type)) {
        problem = "This file is not a photo we can use: choose a JPEG, PNG or WebP picture.";
      }
      if (problem) {
        var p = make("p", "error", problem);
        p.id = input.id + "_error";
        p.setAttribute("role", "alert");
        input.setAttribute("aria-invalid", "true");
        var described = (input.getAttribute("aria-describedby") || "").split(" ");
        if (described.indexOf(p.id) < 0) {
          input.setAttribute("aria-describedby", [p.id].concat(described).join(" ").trim());
        }
        input.after(p);
        input.value = "";
        restore();
        return;
      }
      input.removeAttribute("aria-invalid");
      if (!file) { restore(); return; }
      var reader = new FileReader();
      reader.addEventListener("load", function () {
        var img = make("img", "avatar avatar-lg");
        img.alt = "";
        img.src = reader.result;
        preview.textContent = "";
        preview.appendChild(img);
      });
      reader.readAsDataURL(file);
    });
  });

  // A formset's "Add a topic": a new empty row from its <template>, numbered after the
  // others (Django's management form counts them), instead of "save to get more rows".
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-row");
    var rows = document.querySelector("[data-formset='" + prefix + "']");
    var template = document.getElementById(prefix + "-empty");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!rows || !template || !total) { return; }
    button.hidden = false;
    var fieldset = button.closest("fieldset");
    var noJs = fieldset.querySelector("[data-no-js-help]");
    var withJs = fieldset.querySelector("[data-js-help]");
    if (noJs) { noJs.hidden = true; }
    if (withJs) { withJs.hidden = false; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var select = row.querySelector("select");
      if (select) { select.focus(); }
    });
  });

  // On a phone the account menu lies open inside the folded navigation, so one tap on
  // "Menu" shows Sign out; on a wide screen it is a dropdown again, closed.
  var phone = window.matchMedia("(max-width: 760px)");
  var account = document.querySelector("details[data-open-on-phone]");
  function fit() { if (account) { account.open = phone.matches; } }
  fit();
  phone.addEventListener("change", fit);
})();

// A "Copy" button beside a read-only field (the invite link): shown only where it works.
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () { input.select(); });
    });
  });
}());

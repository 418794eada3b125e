// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

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
})();

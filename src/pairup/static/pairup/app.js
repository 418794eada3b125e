// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // Pre-fill the time zone from the browser on a profile not filled in yet.
  document.querySelectorAll("[data-browser-timezone]").forEach(function (form) {
    var input = document.getElementById(form.getAttribute("data-browser-timezone"));
    try {
      var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (input && tz && (!input.value || input.value === "UTC")) { input.value = tz; }
    } catch (e) { /* old browser: keep the server's value */ }
  });

  // On a phone the account menu lies open inside the folded navigation, so one tap on
  // "Menu" shows Sign out; on a wide screen it is a dropdown again, closed.
  var phone = window.matchMedia("(max-width: 760px)");
  var account = document.querySelector("details[data-open-on-phone]");
  function fit() { if (account) { account.open = phone.matches; } }
  fit();
  phone.addEventListener("change", fit);
})();

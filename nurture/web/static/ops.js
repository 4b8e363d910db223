// nurture console: refresh the parts of a page marked data-refresh every 15 seconds, without ever
// losing what the user is doing. Served from /static (script-src 'self'): no inline script.
(function () {
  "use strict";
  var PERIOD_MS = 15000;

  function fieldChanged(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].selected !== field.options[i].defaultSelected) return true;
      }
      return false;
    }
    if (field.type === "hidden" || field.type === "submit") return false;
    return field.value !== field.defaultValue;
  }

  // Busy: a form field has the focus, or holds something not yet submitted.
  function busy() {
    var active = document.activeElement;
    if (active && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(active.tagName)) return true;
    var fields = document.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fieldChanged(fields[i])) return true;
    }
    return false;
  }

  function refresh() {
    if (document.hidden || busy()) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || busy()) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var regions = document.querySelectorAll("[data-refresh][id]");
        for (var i = 0; i < regions.length; i++) {
          var old = regions[i];
          var replacement = fresh.getElementById(old.id);
          if (!replacement) continue;
          // What the user opened stays open.
          var open = old.querySelectorAll("details[open][id]");
          for (var j = 0; j < open.length; j++) {
            var again = replacement.querySelector("#" + CSS.escape(open[j].id));
            if (again) again.open = true;
          }
          old.replaceWith(document.importNode(replacement, true));
        }
        document.documentElement.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }

  if (document.querySelector("[data-refresh]")) {
    window.setInterval(refresh, PERIOD_MS);
  }
})();

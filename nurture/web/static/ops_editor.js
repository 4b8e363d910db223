// nurture console, the editor of templates and schedules: as the marketer types, ask the server to
// lint the text and preview it (POST /ops/editor/check, 400 ms after the last key), then redraw the
// findings, the SMS figures and the preview. Only DOM text is written (never HTML), so nothing typed
// or rendered runs as markup; served from /static under script-src 'self': no inline script.
(function () {
  "use strict";
  var DEBOUNCE_MS = 400;

  var form = document.getElementById("editor-form");
  if (!form) return;
  var body = document.getElementById("editor-body");
  var sample = document.getElementById("preview-sample");
  var lead = document.getElementById("preview-lead");
  var previewForm = document.getElementById("preview-form");
  var publish = document.getElementById("publish");
  var checkBox = document.getElementById("check");
  var live = document.getElementById("live");
  var timer = null;
  var asked = 0;  // the number of the newest request: an older answer arriving late is dropped

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function csrfToken() {
    var field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function drawCheck(answer) {
    var errors = answer.findings.filter(function (f) { return f.level === "error"; }).length;
    var warnings = answer.findings.length - errors;
    var summary = errors ? plural(errors, "error") + ": publishing waits until they are fixed" : "No error";
    if (warnings) summary += "; " + plural(warnings, "warning");
    var parts = [el("p", { id: "check-summary", "class": errors ? "bad" : "ok", text: summary + "." })];
    if (answer.segments !== null) {
      parts.push(el("p", { id: "sms-figures" }, [
        el("strong", { id: "segments", text: String(answer.segments) }),
        " segment" + (answer.segments === 1 ? "" : "s") + " · ",
        el("span", { id: "encoding", text: answer.encoding }), " · ",
        el("span", { id: "characters", text: String(answer.characters) }), " characters ",
        el("span", { "class": "muted", text: "(the longest any sample lead receives)" })]));
    }
    var list = el("ul", { id: "findings", "class": "findings" });
    answer.findings.forEach(function (f) {
      list.appendChild(el("li", { "class": "finding " + f.level }, [
        el("span", { "class": "level", text: f.level }),
        (f.line ? " line " + f.line : "") + ": " + f.message]));
    });
    parts.push(list);
    checkBox.replaceChildren.apply(checkBox, parts);
    if (live) live.textContent = answer.segments === null ? "" : plural(answer.segments, "segment") + ", " + answer.encoding;
    if (publish) publish.disabled = !answer.ok;
  }

  function drawMessage(box, m) {
    box.appendChild(el("p", { "class": "muted", id: "preview-who", text: "For " + m.who + "." }));
    if (m.channel === "sms") {
      var figures = el("p", { id: "preview-figures" }, [
        plural(m.segments, "segment") + ", " + m.encoding + ", " + Array.from(m.text).length + " characters"]);
      if (m.forcing.length) {
        var forcing = el("span", { "class": "forcing" });
        m.forcing.forEach(function (c) { forcing.appendChild(el("code", { text: c })); forcing.appendChild(document.createTextNode(" ")); });
        figures.appendChild(document.createTextNode("; UCS-2 because of "));
        figures.appendChild(forcing);
      }
      box.appendChild(figures);
      box.appendChild(el("pre", { "class": "sms", id: "preview-text", text: m.text }));
      return;
    }
    box.appendChild(el("p", { id: "preview-subject" }, [
      el("strong", { text: "Subject:" }), " " + (m.subject || ""), el("br"),
      el("strong", { text: "Preheader:" }), " " + (m.preheader || "")]));
    box.appendChild(el("pre", { id: "preview-text", text: m.text }));
    if (m.html) {
      box.appendChild(el("details", { id: "preview-html" }, [
        el("summary", { text: "HTML part (source)" }), el("pre", { "class": "code", text: m.html })]));
    }
  }

  function drawTimeline(box, t) {
    box.appendChild(el("p", { "class": "muted", id: "preview-who",
                              text: "For " + t.who + ", tier " + t.tier + " now, planned under this text." }));
    if (t.lead_action) box.appendChild(el("p", { "class": "error", text: t.lead_action }));
    var table = el("table", { "class": "stack timeline" }, [
      el("tr", { "class": "head" }, ["local time", "UTC", "channel", "template", "tier", "why"].map(function (h) {
        return el("th", { text: h });
      }))]);
    t.rows.forEach(function (r) {
      var template = el("td", { "data-label": "template", "class": "code", text: r.template });
      if (r.deadline) { template.appendChild(document.createTextNode(" ")); template.appendChild(el("span", { "class": "badge", text: "deadline" })); }
      table.appendChild(el("tr", {}, [
        el("td", { "data-label": "local time", text: r.local }), el("td", { "data-label": "UTC", "class": "t", text: r.utc }),
        el("td", { "data-label": "channel", text: r.channel }), template, el("td", { "data-label": "tier", text: r.tier }),
        el("td", { "data-label": "why", text: r.reason })]));
    });
    if (!t.rows.length) table.appendChild(el("tr", {}, [el("td", { colspan: "6", "class": "muted", text: "Nothing planned." })]));
    box.appendChild(table);
    if (t.skipped.length) {
      var list = el("ul", { "class": "items" });
      t.skipped.forEach(function (s) {
        list.appendChild(el("li", {}, [el("span", { "class": "code", text: s.step }),
                                       " (" + s.channel + ", " + s.template + "): " + s.reason]));
      });
      box.appendChild(el("details", { id: "preview-skipped" }, [
        el("summary", { text: "Not planned (" + t.skipped.length + ")" }), list]));
    }
  }

  function drawPreview(answer) {
    var box = document.getElementById("preview");
    var fresh = el("div", { id: "preview", "aria-live": "polite" });
    if (answer.problem) fresh.appendChild(el("p", { "class": "error", text: answer.problem }));
    else if (answer.preview) drawMessage(fresh, answer.preview);
    else if (answer.timeline) drawTimeline(fresh, answer.timeline);
    box.replaceWith(fresh);
  }

  function refused(status, answer) {
    var words = "The check could not run (HTTP " + status + ")";
    if (answer && answer.detail && answer.detail.length) {
      words += ": " + answer.detail.map(function (d) { return d.message; }).join("; ");
    }
    checkBox.replaceChildren(el("p", { id: "check-summary", "class": "bad", text: words + "." }));
  }

  function check() {
    var mine = ++asked;
    var request = { kind: form.dataset.kind, name: form.dataset.name, body: body.value,
                    sample: sample ? sample.value : "critical" };
    if (lead && lead.value.trim()) request.lead = lead.value.trim();
    checkBox.setAttribute("aria-busy", "true");
    fetch(form.dataset.check, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(request)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (answer) {
        if (mine !== asked) return;  // the text changed since: a newer answer is on its way
        if (response.ok && answer) { drawCheck(answer); drawPreview(answer); }
        else refused(response.status, answer);
        checkBox.setAttribute("aria-busy", "false");
      });
    }).catch(function () {
      if (mine !== asked) return;
      refused("unreachable", null);
      checkBox.setAttribute("aria-busy", "false");
    });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DEBOUNCE_MS);
  });
  if (sample) sample.addEventListener("change", check);
  if (previewForm) {
    // The preview's choices redraw the preview of the text as typed, without leaving the page.
    previewForm.addEventListener("submit", function (event) { event.preventDefault(); check(); });
  }
})();

// Intake desk: list similar earlier petitions while the clerk types (no inline script; CSP-safe).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  var box = document.getElementById("similar");
  if (!form || !box) return;
  var url = form.getAttribute("data-similar-url");
  var timer = null;
  function lookup() {
    var q = new URLSearchParams({
      title: form.elements.title.value,
      phone: form.elements.p_phone.value,
      content: form.elements.content.value.slice(0, 2000),
    });
    // the topic hint (insight): the matter's region and the topic the clerk chose, if any
    if (form.elements.region_code) q.set("region_code", form.elements.region_code.value);
    if (form.elements.topic) q.set("topic", form.elements.topic.value);
    // the routing rules (xinfang.routing): category, Art. 31 route, the organ accused
    ["category", "route", "accused_organ_id"].forEach(function (name) {
      var el = form.elements[name];
      if (el && el.value !== undefined) q.set(name, el.value);
    });
    // by POST, so the phone number typed stays out of URLs, access logs and history (issue 11)
    q.set("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fetch(url, { method: "POST", body: q, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html) { box.innerHTML = html; syncSuggestion(); } });
  }
  // Carry the suggestion shown into hidden fields, so registration records what was suggested.
  function syncSuggestion() {
    var s = document.getElementById("topic-suggestion");
    var get = function (k) { return s ? s.getAttribute("data-" + k) || "" : ""; };
    [["label", "label"], ["confidence", "confidence"], ["version", "version"], ["terms", "terms"]]
      .forEach(function (p) {
        var el = form.elements["topic_sugg_" + p[0]];
        if (el) el.value = get(p[1]);
      });
  }
  box.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("[data-use-topic]") : null;
    if (!b || !form.elements.topic) return;
    form.elements.topic.value = b.getAttribute("data-use-topic");
    lookup();
  });
  ["topic", "region_code", "category", "route", "accused_organ_id"].forEach(function (name) {
    if (form.elements[name]) form.elements[name].addEventListener("change", lookup);
  });
  ["title", "p_phone", "content"].forEach(function (name) {
    form.elements[name].addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 300);
    });
  });
})();

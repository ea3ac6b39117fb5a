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
    fetch(url + "?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html) box.innerHTML = html; });
  }
  ["title", "p_phone", "content"].forEach(function (name) {
    form.elements[name].addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 300);
    });
  });
})();

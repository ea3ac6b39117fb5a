// Handling opinion (Art. 32): list what the opinion does not state yet, while it is written.
// No inline script (strict CSP): the form holds #opinion-check with the check URL.
(function () {
  "use strict";
  var box = document.getElementById("opinion-check");
  if (!box) return;
  var form = box.closest("form");
  var url = box.getAttribute("data-url");
  if (!form || !url) return;
  // After a refusal (400) put back what was typed: the server sends it as JSON data.
  var saved = document.getElementById("opinion-post");
  if (saved) {
    try {
      var values = JSON.parse(saved.textContent);
      Object.keys(values).forEach(function (k) {
        var el = form.elements[k];
        if (el && !el.value) el.value = values[k];
      });
    } catch (e) { /* nothing to restore */ }
  }
  var timer = null;
  function check() {
    var ack = form.elements.ack_missing ? form.elements.ack_missing.checked : false;
    var token = form.elements.csrfmiddlewaretoken ? form.elements.csrfmiddlewaretoken.value : "";
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        box.innerHTML = html;
        if (ack && form.elements.ack_missing) form.elements.ack_missing.checked = true;
      });
  }
  function later(ev) {
    if (ev && ev.target && ev.target.name === "ack_missing") return;
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (saved) check();
})();

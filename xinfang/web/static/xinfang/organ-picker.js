// The organ picker (issue 12, item 10): a filter box before each grouped organ <select>. The
// select works on its own without JavaScript; this only narrows its options to the organs whose
// name or group (level · region) contains what is typed. No inline script; CSP-safe.
// A picker whose list the page had to cut (data-search-url: a province has thousands of organs)
// searches the server instead, as its search box does without JavaScript, and walks the tree
// level by level ("下级机关" lists the children of the organ chosen).
(function () {
  "use strict";
  var pickers = document.querySelectorAll("select[data-organ-picker]");
  var label = document.documentElement.lang === "en" ? "Type part of the name to filter" : "输入名称中的字筛选";
  var en = document.documentElement.lang === "en";
  var none = en ? "No match" : "没有符合的选项";
  function found(n) { return en ? n + " found" : "找到 " + n + " 个"; }
  Array.prototype.forEach.call(pickers, function (select, n) {
    // each picker includes the script; the first run enhances every picker, later runs none
    if (select.hasAttribute("data-organ-picker-ready")) return;
    select.setAttribute("data-organ-picker-ready", "");
    if (select.hasAttribute("data-search-url")) { remote(select); return; }
    var all = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (g) {
      return { label: g.label, options: Array.prototype.slice.call(g.querySelectorAll("option")) };
    });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "organ-filter";
    box.id = (select.id || "organ-picker-" + n) + "-filter";
    box.setAttribute("aria-label", label);
    box.setAttribute("aria-controls", select.id || "");
    box.autocomplete = "off";
    var count = document.createElement("span");
    count.className = "organ-filter-count muted";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select);
    function apply() {
      var q = box.value.trim().toLowerCase();
      var chosen = select.value;
      var shown = 0;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) { g.remove(); });
      all.forEach(function (g) {
        var inGroup = q && g.label.toLowerCase().indexOf(q) !== -1;
        var keep = g.options.filter(function (o) {
          return !q || inGroup || o.value === chosen || o.text.toLowerCase().indexOf(q) !== -1;
        });
        if (!keep.length) return;
        var el = document.createElement("optgroup");
        el.label = g.label;
        keep.forEach(function (o) { el.appendChild(o); });
        select.appendChild(el);
        shown += keep.length;
      });
      select.value = chosen;
      // while filtering, show the matches as an open list (arrow keys move through it)
      select.size = q ? Math.max(2, Math.min(8, shown + select.querySelectorAll("optgroup").length + 1)) : 0;
      count.textContent = q ? (shown ? found(shown) : none) : "";
    }
    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === "ArrowDown") {  // to the list, never submitting the form
        ev.preventDefault();
        // the first organ that matches what is typed becomes the choice, so what is sent is
        // what the filter shows (an earlier choice kept visible is not a match)
        var q = box.value.trim().toLowerCase();
        var options = Array.prototype.slice.call(select.querySelectorAll("optgroup option"));
        var first = options.filter(function (o) {
          return !q || o.text.toLowerCase().indexOf(q) !== -1 ||
            o.parentNode.label.toLowerCase().indexOf(q) !== -1;
        })[0];
        if (first && (q || !select.value)) select.value = first.value;
        select.focus();
      }
    });
  });
  function remote(select) {
    var box = document.getElementById(select.id + "-q");
    var note = document.getElementById(select.id + "-note");
    var go = box && box.parentNode.querySelector(".organ-search-go");
    if (!box || !note) return;
    var url = select.getAttribute("data-search-url");
    if (go) go.type = "button";  // the step's own button stays the form's default (Enter)
    var down = document.createElement("button");
    down.type = "button";
    down.className = "organ-down";
    down.textContent = en ? "Organs below the chosen one" : "下级机关";
    down.disabled = true;
    select.parentNode.insertBefore(down, select.nextSibling);
    var children = {};  // option value -> how many organs below it the step may send to
    var timer = null, seq = 0, pending = null;
    function fill(data) {
      var chosen = select.value;
      var kept = chosen ? select.querySelector("option[value='" + chosen + "']") : null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) { g.remove(); });
      var groups = {}, order = [];
      data.organs.forEach(function (o) {
        if (!groups[o.group]) { groups[o.group] = document.createElement("optgroup"); groups[o.group].label = o.group; order.push(o.group); }
        var opt = document.createElement("option");
        opt.value = String(o.id);
        opt.textContent = o.children ? o.name + (en ? " (" + o.children + " below)" : "（下级 " + o.children + " 个）") : o.name;
        children[opt.value] = o.children;
        groups[o.group].appendChild(opt);
      });
      order.forEach(function (l) { select.appendChild(groups[l]); });
      if (kept && !select.querySelector("option[value='" + chosen + "']")) {
        var g = document.createElement("optgroup");
        g.label = en ? "Chosen" : "已选";
        g.appendChild(kept);
        select.appendChild(g);
      }
      select.value = chosen;
      note.textContent = data.message;
      select.size = data.organs.length ? Math.max(2, Math.min(8, data.organs.length + order.length + 1)) : 0;
      sync();
    }
    function search(params) {
      var mine = ++seq;
      pending = fetch(url + "?" + params, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
        .then(function (res) {
          if (mine !== seq) return;
          if (res.ok) fill(res.d); else note.textContent = res.d.message || "";
        })
        .catch(function () { note.textContent = en ? "Search failed; try again" : "搜索失败，请重试"; });
      return pending;
    }
    function byText() {
      clearTimeout(timer);
      return search("q=" + encodeURIComponent(box.value.trim()));
    }
    function sync() { down.disabled = !(children[select.value] > 0); }
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(byText, 250); });
    box.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" && ev.key !== "ArrowDown") return;
      ev.preventDefault();  // to the list, never submitting the form
      byText().then(function () {
        var first = select.querySelector("optgroup option");
        if (first && (box.value.trim() || !select.value)) select.value = first.value;
        sync();
        select.focus();
      });
    });
    if (go) go.addEventListener("click", function () { byText(); });
    down.addEventListener("click", function () {
      if (!select.value) return;
      search("parent=" + encodeURIComponent(select.value));
    });
    select.addEventListener("change", sync);
  }
})();

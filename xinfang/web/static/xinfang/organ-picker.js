// The organ picker (issue 12, item 10): a filter box before each grouped organ <select>. The
// select works on its own without JavaScript; this only narrows its options to the organs whose
// name or group (level · region) contains what is typed. No inline script; CSP-safe.
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
})();

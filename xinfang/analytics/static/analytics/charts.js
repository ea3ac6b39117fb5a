// Draw every chart of the page from its JSON (json_script), with plotly.js when it loaded.
// The tables beside the charts carry the same numbers, so nothing is lost without it.
(function () {
  if (typeof Plotly === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach(function (div) {
    var spec = document.getElementById(div.getAttribute("data-chart"));
    if (!spec) return;
    var fig = JSON.parse(spec.textContent);
    Plotly.newPlot(div, fig.data, fig.layout, {displaylogo: false, responsive: true});
  });
})();

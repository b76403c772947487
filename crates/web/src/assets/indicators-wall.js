// The wall view of the indicators: listens to its events (SSE) and puts each figure in
// place. Without JavaScript the page shows the figures of its load and a reload link.
(function () {
  var root = document.getElementById("wall");
  if (!root || !window.EventSource) return;
  var es = new EventSource(root.getAttribute("data-events"));
  es.onmessage = function (e) {
    var s;
    try { s = JSON.parse(e.data); } catch (_) { return; }
    Object.keys(s).forEach(function (k) {
      var el = document.getElementById("w-" + k);
      if (el && el.textContent !== String(s[k])) el.textContent = s[k];
    });
    root.setAttribute("data-updated", s.at || "");
  };
})();

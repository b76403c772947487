// The applicant-facing screen of a counter: listens to the counter's events (SSE) and shows
// each state as it comes. Without JavaScript the page reloads itself instead. The rating
// stage (a result handed back) and the thanks are pages of their own (a form): entering or
// leaving them reloads the page, unless the applicant is filling the form in.
(function () {
  var root = document.getElementById("screen");
  if (!root || !window.EventSource) return;
  function set(id, v) {
    var el = document.getElementById("s-" + id);
    if (el) el.textContent = v ? v : "—";
  }
  function list(items) {
    var ul = document.getElementById("s-components");
    if (!ul) return;
    while (ul.firstChild) ul.removeChild(ul.firstChild);
    (items || []).forEach(function (t) {
      var li = document.createElement("li");
      li.textContent = t;
      ul.appendChild(li);
    });
  }
  var es = new EventSource(root.getAttribute("data-events"));
  es.onmessage = function (e) {
    var s;
    try { s = JSON.parse(e.data); } catch (_) { return; }
    var was = root.getAttribute("data-stage") || "idle";
    var now = s.stage || "idle";
    var own = function (x) { return x === "rating" || x === "thanks"; };
    if (was !== now && (own(was) || own(now))) {
      if (was === "rating" && now === "thanks") return;
      window.location.reload();
      return;
    }
    if (own(now)) return;
    set("procedure", s.procedure);
    set("applicant", s.applicant);
    list(s.components);
    set("code", s.code);
    set("appointment", s.appointment);
    root.setAttribute("data-stage", s.stage || "idle");
  };
})();

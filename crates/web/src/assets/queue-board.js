// The hall board: listens to the centre's queue (SSE) and redraws the numbers called. With
// data-speak="1" (the board opened with ?doc=1) it reads each new call aloud with the
// browser's speech synthesis in Vietnamese. Without JavaScript the page reloads itself.
(function () {
  var root = document.getElementById("board");
  if (!root || !window.EventSource) return;
  var speak = root.getAttribute("data-speak") === "1" && "speechSynthesis" in window;
  var en = root.getAttribute("data-lang") === "en";
  var body = document.getElementById("lines");
  var first = body.querySelector("tr");
  var lastKey = first ? first.getAttribute("data-key") : "";
  function say(l) {
    if (!speak) return;
    // "A012" is read letter then digits: "A không một hai".
    var spelled = l.number.split("").join(" ");
    var text = en ? "Ticket " + spelled + ", counter " + l.counter : "Mời số " + spelled + " đến quầy " + l.counter;
    var u = new SpeechSynthesisUtterance(text);
    u.lang = en ? "en-US" : "vi-VN";
    window.speechSynthesis.speak(u);
  }
  var es = new EventSource(root.getAttribute("data-events"));
  es.onmessage = function (e) {
    var b;
    try { b = JSON.parse(e.data); } catch (_) { return; }
    while (body.firstChild) body.removeChild(body.firstChild);
    (b.lines || []).forEach(function (l, i) {
      var tr = document.createElement("tr");
      if (i === 0) tr.className = "latest";
      tr.setAttribute("data-key", l.call_key);
      var n = document.createElement("td");
      n.className = "number";
      n.textContent = l.number;
      var c = document.createElement("td");
      c.textContent = l.counter;
      tr.appendChild(n);
      tr.appendChild(c);
      body.appendChild(tr);
    });
    var w = document.getElementById("waiting");
    if (w) w.textContent = b.waiting;
    var top = (b.lines || [])[0];
    if (top && top.call_key !== lastKey) {
      lastKey = top.call_key;
      say(top);
    }
  };
})();

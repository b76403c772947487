// The reception screen posts what the officer enters (procedure, applicant name, ticked
// components) to the counter's second screen, so the applicant can check it as it is typed.
// The form works the same without this script.
(function () {
  var form = document.getElementById("reception");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-screen");
  var csrf = form.querySelector('input[name="csrf_token"]');
  if (!url || !csrf) return;
  var timer = null;
  function draft() {
    var name = form.querySelector('[name="applicant.name"]');
    var components = [];
    form.querySelectorAll("input[data-component]").forEach(function (c) {
      if (c.checked) components.push(c.getAttribute("data-component"));
    });
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf.value },
      body: JSON.stringify({
        procedure: form.getAttribute("data-procedure") || "",
        applicant: name ? name.value : "",
        components: components
      })
    }).catch(function () {});
  }
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(draft, 200);
  }
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  draft();
})();

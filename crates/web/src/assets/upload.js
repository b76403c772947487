// motcua: upload progress for the filing wizard's file steps (progressive enhancement).
// Without JavaScript the form posts multipart/form-data to the page and works the same.
// With it, the chosen file goes to the JSON API (PUT …/components/{key}/files) with a
// progress bar; on success the wizard moves on, and on any error the form is posted
// normally so the page shows the error summary.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var input = form.querySelector('input[type="file"]');
      var file = input && input.files && input.files[0];
      if (!file || !window.XMLHttpRequest) {
        return;
      }
      ev.preventDefault();
      var token = form.querySelector('input[name="csrf_token"]');
      var box = form.querySelector(".progress");
      var bar = box && box.querySelector("progress");
      var button = form.querySelector('button[type="submit"]');
      if (box) { box.hidden = false; }
      if (button) { button.disabled = true; }
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", form.getAttribute("data-upload") + "?name=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      if (token) { xhr.setRequestHeader("X-CSRF-Token", token.value); }
      xhr.upload.addEventListener("progress", function (e) {
        if (bar && e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
      });
      var fallback = function () {
        if (button) { button.disabled = false; }
        HTMLFormElement.prototype.submit.call(form);
      };
      xhr.addEventListener("load", function () {
        if (xhr.status === 201) {
          if (bar) { bar.value = 100; }
          window.location.assign(form.getAttribute("data-next"));
        } else {
          fallback();
        }
      });
      xhr.addEventListener("error", fallback);
      xhr.send(file);
    });
  });
})();

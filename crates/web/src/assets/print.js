// Buttons marked data-print open the browser's print dialog (the page prints without it too).
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});

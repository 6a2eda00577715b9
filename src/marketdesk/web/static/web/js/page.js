// Small behaviours every page may use, kept out of the markup: the Content-Security-Policy
// refuses inline event handlers and style attributes.
//   <select data-autosubmit>   submits its form when changed
//   <span data-share="42">     is drawn 42% wide (a bar of a chart)
(function () {
  "use strict";

  function apply(root) {
    root.querySelectorAll("[data-share]").forEach(function (el) {
      var share = Math.max(0, Math.min(100, parseFloat(el.dataset.share) || 0));
      el.style.width = share + "%";
    });
  }

  document.addEventListener("change", function (event) {
    var field = event.target.closest && event.target.closest("[data-autosubmit]");
    if (field && field.form) {
      field.form.requestSubmit();
    }
  });
  document.addEventListener("htmx:load", function (event) {
    apply(event.detail.elt);
  });
  apply(document);
})();

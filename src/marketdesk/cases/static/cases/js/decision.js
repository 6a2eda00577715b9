// The decision form: the rationale starts from the chosen outcome's template until the operator edits it.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("[data-decision-form]");
    var data = document.getElementById("rationale-starts");
    if (!form || !data) return;
    var starts = JSON.parse(data.textContent);
    var outcome = form.querySelector("select[name$='outcome']");
    var rationale = form.querySelector("textarea[name$='rationale']");
    if (!outcome || !rationale) return;
    var last = rationale.value;
    outcome.addEventListener("change", function () {
      var untouched = rationale.value === last || rationale.value.trim() === "";
      if (untouched && starts[outcome.value] !== undefined) {
        rationale.value = starts[outcome.value];
        last = rationale.value;
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

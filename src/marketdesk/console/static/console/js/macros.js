// Insert a macro, filled in for this case by the server (which counts the use), at the cursor of its textarea.
(function () {
  "use strict";
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }
  function insertAt(area, text) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    if (typeof start !== "number" || document.activeElement !== area && value.trim() === "") {
      area.value = text;
    } else {
      area.value = value.slice(0, start) + text + value.slice(end);
      area.selectionStart = area.selectionEnd = start + text.length;
    }
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }
  function init() {
    document.querySelectorAll("[data-macro-picker]").forEach(function (picker) {
      var select = picker.querySelector("[data-macro-select]");
      var button = picker.querySelector("[data-macro-insert]");
      var error = picker.querySelector("[data-macro-error]");
      var area = document.getElementById(picker.getAttribute("data-target"));
      if (!select || !button || !area) return;
      button.addEventListener("click", function () {
        var url = picker.getAttribute("data-url").replace("/macros/0/", "/macros/" + select.value + "/");
        error.hidden = true;
        fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
          .then(function (response) {
            return response.json().then(function (body) { return { ok: response.ok, body: body }; });
          })
          .then(function (result) {
            if (result.ok) {
              insertAt(area, result.body.text);
              // A passed deadline is left as {deadline} in the text: say so next to the picker.
              if (result.body.notice) { error.textContent = result.body.notice; error.hidden = false; }
            }
            else { error.textContent = result.body.detail || ""; error.hidden = false; }
          })
          .catch(function () { error.textContent = "⚠"; error.hidden = false; });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

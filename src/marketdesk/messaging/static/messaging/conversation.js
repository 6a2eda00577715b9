// The conversation page: mark it read when shown and when new messages arrive; insert quick replies (files go through attachments/uploader.js).
(function () {
  "use strict";
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function markRead() {
    var box = document.getElementById("conversation");
    if (!box || document.hidden) return;
    fetch(box.dataset.readUrl, { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-quick-reply]");
    if (!button) return;
    fetch(button.dataset.quickReply, { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) {
        var area = document.getElementById("id_body");
        if (!area || !text) return;
        area.value = area.value ? area.value.replace(/\s*$/, "\n") + text : text;
        area.focus();
      });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "message-list" || event.target.id === "conversation") markRead();
  });
  document.addEventListener("visibilitychange", markRead);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markRead);
  else markRead();
})();

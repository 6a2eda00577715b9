// The conversation page: mark it read when shown and when new messages arrive; insert quick replies.
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
  // Each chosen file is uploaded at once (checked by the server); the message then carries the ids.
  function chip(list, name) {
    var item = document.createElement("li");
    item.className = "attach-chip";
    item.textContent = name + " …";
    list.appendChild(item);
    return item;
  }
  function upload(form, file) {
    var list = form.querySelector("[data-attach-list]");
    var item = chip(list, file.name);
    var data = new FormData();
    data.append("file", file);
    return fetch(form.dataset.uploadUrl, {
      method: "POST", body: data, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      item.textContent = file.name;
      if (!result.ok) {
        item.classList.add("attach-chip--error");
        item.textContent = file.name + ": " + (result.body.detail || result.body.title || "");
        return;
      }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "attachment_ids";
      input.value = result.body.id;
      item.appendChild(input);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.setAttribute("aria-label", "×");
      remove.textContent = "×";
      remove.addEventListener("click", function () { item.remove(); });
      item.appendChild(remove);
    }).catch(function () {
      item.classList.add("attach-chip--error");
    });
  }
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-attach]");
    if (!input) return;
    var form = input.closest("form");
    Array.prototype.forEach.call(input.files, function (file) { upload(form, file); });
    input.value = "";  // sent already: the form itself carries only the ids
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "message-list" || event.target.id === "conversation") markRead();
  });
  document.addEventListener("visibilitychange", markRead);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markRead);
  else markRead();
})();

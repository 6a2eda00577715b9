// The one uploader of the pages: each chosen file goes at once to the upload endpoint (which checks its
// type from its content, re-encodes photos and strips their metadata); a progress bar shows how far it
// got; the form itself then carries only the ids. Used by the conversation composer, Get help and the
// case evidence form (templates/attachments/_picker.html).
(function () {
  "use strict";
  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]") || document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  // While a file is on its way the form's send buttons wait: a form sent early would lose the file.
  function pending(form, delta) {
    var count = (parseInt(form.dataset.uploading || "0", 10) || 0) + delta;
    form.dataset.uploading = String(count);
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
      button.disabled = count > 0;
    });
  }
  function chip(picker, name) {
    var item = document.createElement("li");
    item.className = "attach-chip attach-chip--uploading";
    var label = document.createElement("span");
    label.className = "attach-chip__name";
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", (picker.dataset.progressLabel || "") + " " + name);
    item.appendChild(label);
    item.appendChild(bar);
    picker.querySelector("[data-attach-list]").appendChild(item);
    return { item: item, label: label, bar: bar };
  }
  function done(picker, parts, name, body) {
    parts.bar.remove();
    parts.item.classList.remove("attach-chip--uploading");
    parts.item.classList.add("attach-chip--done");
    parts.item.dataset.attachmentId = body.id;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.fieldName || "attachment_ids";
    input.value = body.id;
    parts.item.appendChild(input);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.setAttribute("aria-label", (picker.dataset.removeLabel || "×") + " " + name);
    remove.textContent = "×";
    remove.addEventListener("click", function () { parts.item.remove(); });
    parts.item.appendChild(remove);
  }
  function failed(parts, name, detail) {
    parts.bar.remove();
    parts.item.classList.remove("attach-chip--uploading");
    parts.item.classList.add("attach-chip--error");
    parts.label.textContent = detail ? name + ": " + detail : name;
  }
  function upload(picker, form, file) {
    var parts = chip(picker, file.name);
    var data = new FormData();
    data.append("file", file);
    var request = new XMLHttpRequest();  // fetch() reports no upload progress
    request.open("POST", picker.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", csrf(form));
    request.responseType = "json";
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) parts.bar.value = Math.round((event.loaded / event.total) * 100);
    });
    request.addEventListener("load", function () {
      var body = request.response || {};
      if (request.status === 201) done(picker, parts, file.name, body);
      else failed(parts, file.name, body.detail || body.title || "");
      pending(form, -1);
    });
    request.addEventListener("error", function () { failed(parts, file.name, ""); pending(form, -1); });
    pending(form, 1);
    request.send(data);
  }
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-attach]");
    if (!input) return;
    var picker = input.closest("[data-attach-picker]");
    var form = input.closest("form");
    Array.prototype.forEach.call(input.files, function (file) { upload(picker, form, file); });
    input.value = "";  // sent already: the form itself carries only the ids
  });
})();

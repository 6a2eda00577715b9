// A refused htmx request (4xx, 5xx) used to change nothing on the page: say what went wrong.
// A short answer (a field error, "Not found.") is shown as it is; a whole page or an empty
// answer is replaced by the general sentence the layout carries in the reader's language.
(function () {
  "use strict";
  var LONGEST = 300;

  function answerText(xhr) {
    var body = xhr.responseText || "";
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = body;
    if (type.indexOf("json") !== -1) {
      try {
        var problem = JSON.parse(body);
        text = problem.detail || problem.title || "";
      } catch (error) {
        text = "";
      }
    } else if (type.indexOf("html") !== -1) {
      var doc = new DOMParser().parseFromString(body, "text/html");
      // A whole error page says what happened in its heading; a fragment is the message itself.
      var message = doc.querySelector(".errorlist, .message:not(#request-error), main h1");
      text = (message || doc.body).textContent || "";
    }
    text = text.replace(/\s+/g, " ").trim();
    return text.length > 0 && text.length <= LONGEST ? text : "";
  }

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) { box.hidden = true; }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("request-error");
    if (!box) { return; }
    var xhr = event.detail.xhr;
    box.textContent = answerText(xhr) || box.dataset.generic.replace("{status}", String(xhr.status));
    box.hidden = false;
  });

  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("request-error");
    if (!box) { return; }
    box.textContent = box.dataset.offline;
    box.hidden = false;
  });
}());

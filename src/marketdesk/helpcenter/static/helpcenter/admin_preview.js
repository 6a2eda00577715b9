// The article admin's live preview: the body (and language) are sent, debounced, to the preview
// view, which answers with the sanitized HTML the article page would show. Nothing is saved.
(function () {
  "use strict";
  const DELAY_MS = 400;

  function start() {
    const preview = document.getElementById("article-preview");
    const body = document.getElementById("id_body_markdown");
    const language = document.getElementById("id_language");
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!preview || !body || !token) {
      return;
    }
    let timer = null;
    let latest = 0;

    async function render() {
      const asked = ++latest;
      const data = new FormData();
      data.append("body_markdown", body.value);
      data.append("language", language ? language.value : "");
      const response = await fetch(preview.dataset.previewUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": token.value },
        credentials: "same-origin",
      });
      // A slower answer to an older draft must not overwrite a newer one.
      if (response.ok && asked === latest) {
        preview.innerHTML = await response.text();
      }
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(render, DELAY_MS);
    }

    body.addEventListener("input", later);
    if (language) {
      language.addEventListener("change", later);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// The file viewer: a thumbnail (or a video's poster) opens its file full size in a dialog, with the other files
// of the same statement or message a key or a click away. Without script the thumbnail links to the file.
(function () {
  "use strict";
  var dialog = null;
  var items = [];
  var index = 0;

  function build(gallery) {
    var box = document.createElement("dialog");
    box.className = "viewer";
    box.setAttribute("aria-label", gallery.getAttribute("data-label-open") || "");
    box.innerHTML =
      '<div class="viewer__bar"><span class="viewer__name" data-viewer-name></span>' +
      '<a class="btn btn--ghost btn--sm" data-viewer-open target="_blank" rel="noopener"></a>' +
      '<button type="button" class="btn btn--secondary btn--sm" data-viewer-close></button></div>' +
      '<div class="viewer__stage" data-viewer-stage></div>' +
      '<button type="button" class="viewer__step viewer__step--previous" data-viewer-step="-1">&#8249;</button>' +
      '<button type="button" class="viewer__step viewer__step--next" data-viewer-step="1">&#8250;</button>';
    box.querySelector("[data-viewer-close]").textContent = gallery.getAttribute("data-label-close");
    box.querySelector("[data-viewer-open]").textContent = gallery.getAttribute("data-label-open");
    box.querySelector("[data-viewer-step='-1']").setAttribute("aria-label", gallery.getAttribute("data-label-previous"));
    box.querySelector("[data-viewer-step='1']").setAttribute("aria-label", gallery.getAttribute("data-label-next"));
    box.querySelector("[data-viewer-close]").addEventListener("click", function () { box.close(); });
    box.querySelectorAll("[data-viewer-step]").forEach(function (button) {
      button.addEventListener("click", function () { step(parseInt(button.getAttribute("data-viewer-step"), 10)); });
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") step(1);
      if (event.key === "ArrowLeft") step(-1);
    });
    box.addEventListener("close", function () { box.querySelector("[data-viewer-stage]").innerHTML = ""; });
    document.body.appendChild(box);
    return box;
  }

  function show() {
    var link = items[index];
    var stage = dialog.querySelector("[data-viewer-stage]");
    stage.innerHTML = "";
    var media;
    if (link.getAttribute("data-viewer") === "video") {
      media = document.createElement("video");
      media.controls = true;
      media.poster = link.getAttribute("data-poster") || "";
    } else {
      media = document.createElement("img");
      media.alt = link.getAttribute("data-name") || "";
    }
    media.src = link.getAttribute("href");
    media.className = "viewer__media";
    stage.appendChild(media);
    dialog.querySelector("[data-viewer-name]").textContent =
      (link.getAttribute("data-name") || "") + (items.length > 1 ? " · " + (index + 1) + " / " + items.length : "");
    dialog.querySelector("[data-viewer-open]").setAttribute("href", link.getAttribute("href"));
    dialog.querySelectorAll("[data-viewer-step]").forEach(function (button) { button.hidden = items.length < 2; });
  }

  function step(delta) {
    if (items.length < 2) return;
    index = (index + delta + items.length) % items.length;
    show();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-viewer]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var gallery = link.closest("[data-viewer-gallery]");
    if (!gallery) return;
    event.preventDefault();
    dialog = dialog || build(gallery);
    items = Array.prototype.slice.call(gallery.querySelectorAll("a[data-viewer]"));
    index = items.indexOf(link);
    show();
    if (!dialog.open) dialog.showModal();
  });
})();

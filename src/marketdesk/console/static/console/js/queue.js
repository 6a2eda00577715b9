// The queue by keyboard: j/k move, o opens, c claims, x selects, ? shows the help. No library needed.
(function () {
  "use strict";
  function init() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("[data-queue-row]"));
    var help = document.getElementById("shortcuts");
    var opener = document.querySelector("[data-shortcuts-open]");
    var counter = document.querySelector("[data-selected-count]");
    var current = -1;

    function select(index) {
      if (!rows.length) return;
      index = Math.max(0, Math.min(rows.length - 1, index));
      if (current >= 0) rows[current].classList.remove("is-current");
      current = index;
      rows[current].classList.add("is-current");
      rows[current].setAttribute("aria-current", "true");
      rows[current].focus({ preventScroll: true });
      rows[current].scrollIntoView({ block: "nearest" });
    }

    function showHelp() {
      if (help && typeof help.showModal === "function" && !help.open) help.showModal();
    }

    function updateCount() {
      if (!counter) return;
      var n = document.querySelectorAll("[data-queue-row] input[name='cases']:checked").length;
      counter.textContent = n ? counter.getAttribute("data-selected-template").replace("%s", n) : counter.getAttribute("data-empty");
    }

    if (counter) {
      counter.setAttribute("data-empty", counter.textContent);
      counter.setAttribute("data-selected-template", document.documentElement.lang === "ru" ? "Выбрано: %s" : "%s selected");
      document.addEventListener("change", function (event) {
        if (event.target.name === "cases") updateCount();
      });
    }
    if (opener) opener.addEventListener("click", showHelp);
    rows.forEach(function (row, i) {
      row.addEventListener("click", function () { select(i); });
    });

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var tag = target && target.tagName;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (tag === "INPUT" && target.type !== "checkbox" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
      var row = current >= 0 ? rows[current] : null;
      switch (event.key) {
        case "j": select(current + 1); break;
        case "k": select(current < 0 ? 0 : current - 1); break;
        case "o":
        case "Enter":
          if (!row) return;
          window.location.href = row.getAttribute("data-open-url");
          break;
        case "c":
          if (!row) return;
          var claim = row.querySelector("[data-claim]");
          if (claim) claim.click();
          break;
        case "x":
          if (!row) return;
          var box = row.querySelector("input[name='cases']");
          if (box) { box.checked = !box.checked; updateCount(); }
          break;
        case "?": showHelp(); break;
        default: return;
      }
      event.preventDefault();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

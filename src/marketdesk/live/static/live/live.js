/*
 * Live updates: one EventSource per page on /live/; every event becomes a DOM event on <body>,
 * "live:" + its name, with its data as `detail`. A page refreshes a fragment with htmx:
 *
 *   <div hx-get="…" hx-trigger="live:message.posted from:body">
 *
 * Events carry ids and kinds only; the fragment's own view decides what this user may see.
 * "live:reset" means events were missed for good (a long sleep): refresh everything that matters.
 * The browser resumes after a dropped connection with Last-Event-ID; ids already seen are skipped.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  // One stream per page, even if the script is included twice (a swapped-in <head>).
  if (!script || !window.EventSource || window.marketdeskLive) {
    return;
  }
  window.marketdeskLive = true;
  var url = script.getAttribute("data-live-url");
  var since = script.getAttribute("data-live-since");
  var seen = new Set();
  var seenOrder = [];
  var lastId = null;
  var source = null;
  var retryTimer = null;
  var backoff = 1000;

  function remember(id) {
    seen.add(id);
    seenOrder.push(id);
    if (seenOrder.length > 1000) {
      seen.delete(seenOrder.shift());
    }
  }

  function dispatch(name, detail) {
    document.body.dispatchEvent(new CustomEvent("live:" + name, { detail: detail }));
  }

  function streamUrl() {
    // EventSource sends Last-Event-ID itself when it reconnects; a new EventSource cannot, so the
    // resume point (or, on the first connection, the page's render time) goes in the query.
    var params = new URLSearchParams();
    if (lastId !== null) {
      params.set("last_event_id", String(lastId));
    } else if (since) {
      params.set("since", since);
    }
    var query = params.toString();
    return query ? url + "?" + query : url;
  }

  function onMessage(message) {
    var payload;
    try {
      payload = JSON.parse(message.data);
    } catch (error) {
      return;
    }
    if (payload.id !== null && payload.id !== undefined) {
      if (seen.has(payload.id)) {
        return;
      }
      remember(payload.id);
      lastId = lastId === null ? payload.id : Math.max(lastId, payload.id);
    }
    // The stream's own events ("live.reset") become "live:reset", not "live:live.reset".
    var name = payload.event.indexOf("live.") === 0 ? payload.event.slice(5) : payload.event;
    dispatch(name, payload.data || {});
  }

  function connect() {
    retryTimer = null;
    source = new EventSource(streamUrl());
    source.onopen = function () {
      backoff = 1000;
    };
    source.onmessage = onMessage;
    source.onerror = function () {
      // CONNECTING: the browser retries by itself. CLOSED: it gave up (signed out, server away).
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        retryTimer = window.setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 60000);
      }
    };
  }

  function disconnect() {
    if (retryTimer !== null) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (source !== null) {
      source.close();
      source = null;
    }
  }

  // A fragment that refreshes itself must not wipe what the person is writing in it: once a form inside
  // it has been edited, a live refresh is held back and a notice offers to show the changes instead.
  var staleText = script.getAttribute("data-live-stale");
  var showText = script.getAttribute("data-live-show");

  function markEdited(event) {
    var form = event.target && event.target.form;
    if (form) {
      form.setAttribute("data-live-edited", "");
    }
  }
  document.addEventListener("input", markEdited, true);
  document.addEventListener("change", markEdited, true);

  function isLiveFragment(element) {
    var trigger = element && element.getAttribute && element.getAttribute("hx-trigger");
    return Boolean(trigger && trigger.indexOf("live:") !== -1);
  }

  function holdBack(target) {
    if (target.querySelector("[data-live-stale-notice]")) {
      return;
    }
    var notice = document.createElement("p");
    notice.className = "live-stale";
    notice.setAttribute("role", "status");
    notice.setAttribute("data-live-stale-notice", "");
    notice.appendChild(document.createTextNode(staleText + " "));
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn--secondary btn--sm";
    button.textContent = showText;
    button.addEventListener("click", function () {
      window.location.assign(window.location.href);
    });
    notice.appendChild(button);
    target.insertBefore(notice, target.firstChild);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!isLiveFragment(target) || !target.querySelector("form[data-live-edited]")) {
      return;
    }
    event.detail.shouldSwap = false;
    holdBack(target);
  });

  // A page kept in the back-forward cache must not hold a connection; it resumes when shown again.
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      connect();
    }
  });
  connect();
})();

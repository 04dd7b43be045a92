/* Keeps a plenary page current without a reload (the page works without it: a refresh link).
 *
 * Polls the page's "changes" address with the seminar's change counter: 204 while nothing
 * changed, else the live part drawn again with a digest of what it shows. The new part is put
 * in only when the digest differs, and never under a person's hands: while the focus is in a
 * field or on a button of the live part, it waits until the focus leaves; ticked boxes, chosen
 * radios and typed values are carried over by id. */
(function () {
  "use strict";
  // Requests with a deadline (net.js); plain fetch if that script did not load.
  var send = window.Workshop ? window.Workshop.fetch : function (url, options) { return fetch(url, options); };
  var box = document.querySelector("[data-plenary-live]");
  if (!box || !window.fetch) { return; }
  var status = document.querySelector("[data-plenary-status]");
  var url = box.getAttribute("data-url");
  var revision = box.getAttribute("data-revision") || "";
  var digest = box.getAttribute("data-digest") || "";
  var every = parseInt(box.getAttribute("data-every") || "3000", 10);
  var pending = null;
  var stopped = false;

  function focusInside() {
    var el = document.activeElement;
    return el && el !== box && box.contains(el) ? el : null;
  }

  function remember() {
    var kept = {};
    box.querySelectorAll("input[id]").forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) { kept[el.id] = { checked: el.checked }; }
      } else if (el.type !== "hidden" && el.value !== el.defaultValue) {
        kept[el.id] = { value: el.value };
      }
    });
    return kept;
  }

  function restore(kept) {
    Object.keys(kept).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el || !box.contains(el)) { return; }
      if ("checked" in kept[id]) { el.checked = kept[id].checked; } else { el.value = kept[id].value; }
    });
  }

  function swap() {
    if (pending === null || focusInside()) { return; }
    var kept = remember();
    box.innerHTML = pending.html;
    digest = pending.digest;
    pending = null;
    restore(kept);
    if (status) {
      status.textContent = status.getAttribute("data-text") || "";
      setTimeout(function () { status.textContent = ""; }, 4000);
    }
  }

  // The focus left the live part (or moved within it): put in what waited, if it may go now.
  box.addEventListener("focusout", function () { setTimeout(swap, 0); });

  function poll() {
    if (stopped) { return; }
    if (document.hidden) { setTimeout(poll, every); return; }
    var sep = url.indexOf("?") === -1 ? "?" : "&";
    send(url + sep + "since=" + encodeURIComponent(revision), {
      credentials: "same-origin", cache: "no-store", redirect: "manual",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (response.status === 200) {
        revision = response.headers.get("X-Revision") || revision;
        var drawn = response.headers.get("X-Plenary-Digest") || "";
        return response.text().then(function (html) {
          if (drawn && drawn === digest) { pending = null; return; }
          pending = { html: html, digest: drawn };
          swap();
        });
      }
      if (response.status === 204 || response.status === 304) { return; }
      // Signed out, the seat taken away, the seminar gone: the refresh link says what is true.
      stopped = true;
      return undefined;
    }, function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { setTimeout(poll, every); });
  }

  setTimeout(poll, every);
})();

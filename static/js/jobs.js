/* Keeps a job's progress page up to date without reloading it: every two seconds it asks for
 * the page again and puts in the new state (announced: it is a status) and the new details.
 * Without this script the page works the same, with its "Check again" link. */
(function () {
  "use strict";
  // Requests with a deadline (net.js); plain fetch if that script did not load.
  var send = window.Workshop ? window.Workshop.fetch : function (url, options) { return fetch(url, options); };
  var job = document.getElementById("job");
  if (!job || job.getAttribute("data-live") !== "true" || !window.fetch || !window.DOMParser) {
    return;
  }
  var EVERY = 2000;
  var AFTER_A_PROBLEM = 10000;

  function swap(fresh) {
    var state = document.getElementById("job-state");
    var detail = document.getElementById("job-detail");
    var newState = fresh.getElementById("job-state");
    var newDetail = fresh.getElementById("job-detail");
    if (!state || !detail || !newState || !newDetail) { return false; }
    // Only a change is written into the status, so that a screen reader says only news.
    if (state.textContent !== newState.textContent) { state.innerHTML = newState.innerHTML; }
    var hadFocus = detail.contains(document.activeElement);
    detail.replaceWith(newDetail);
    if (hadFocus) {
      var first = newDetail.querySelector("a, button");
      if (first) { first.focus(); }
    }
    var newJob = fresh.getElementById("job");
    return newJob !== null && newJob.getAttribute("data-live") === "true";
  }

  function check() {
    if (document.hidden) { setTimeout(check, EVERY); return; }
    send(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var live = swap(new DOMParser().parseFromString(html, "text/html"));
        if (live) { setTimeout(check, EVERY); }
      })
      .catch(function () { setTimeout(check, AFTER_A_PROBLEM); });
  }
  setTimeout(check, EVERY);
})();

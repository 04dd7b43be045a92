/* Keeps the seminar dashboard up to date without a reload.
 *
 * Every five seconds it asks the server whether anything changed since the dashboard was drawn
 * (?since=<stamp>, and If-None-Match): "204/304, nothing new" costs the server one query. When
 * something did change, the answer is the dashboard's live part, drawn with the same filters; it
 * takes the old one's place, keeping the reader's focus and scroll position, and the new counts
 * are said once, politely, only when they differ. Paused while the tab is hidden; after an
 * error it waits longer each time. Without this script the page has its "Refresh" link. */
(function () {
  "use strict";
  // Requests with a deadline (net.js); plain fetch if that script did not load.
  var send = window.Workshop ? window.Workshop.fetch : function (url, options) { return fetch(url, options); };
  var LONGEST = 60000;
  var live = document.getElementById("dashboard-live");
  var news = document.getElementById("dashboard-news");
  if (!live || !news || !window.fetch || !window.DOMParser) { return; }
  var EVERY = parseInt(live.getAttribute("data-every"), 10) || 5000;

  var wait = EVERY;
  var timer = null;
  var busy = false;

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  // How to find the focused control again in the new content: by its id (the "Answered"
  // buttons), or by where it leads (a stage's link); rows may have moved meanwhile.
  function focusedSelector() {
    var active = document.activeElement;
    if (!active || !live.contains(active)) { return null; }
    if (active.id) { return "#" + CSS.escape(active.id); }
    var href = active.getAttribute("href");
    return href ? 'a[href="' + CSS.escape(href) + '"]' : null;
  }

  function swap(html, stamp) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard-live");
    if (!fresh) { return; }
    var oldRegion = live.querySelector(".table-scroll");
    var scrollLeft = oldRegion ? oldRegion.scrollLeft : 0;
    var focus = focusedSelector();
    var hadFocusInside = live.contains(document.activeElement);
    var before = live.getAttribute("data-news");
    var node = document.importNode(fresh, true);
    if (stamp) { node.setAttribute("data-stamp", stamp); }
    live.replaceWith(node);
    live = node;
    var newRegion = live.querySelector(".table-scroll");
    if (newRegion) { newRegion.scrollLeft = scrollLeft; }
    var again = focus ? live.querySelector(focus) : null;
    if (again) {
      again.focus({ preventScroll: true });
    } else if (hadFocusInside) {
      var region = live.querySelector(".table-scroll") || live;
      if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "-1"); }
      region.focus({ preventScroll: true });
    }
    var after = live.getAttribute("data-news");
    if (after && after !== before) { news.textContent = after; }
  }

  function poll() {
    if (document.hidden || busy) { schedule(EVERY); return; }
    busy = true;
    var stamp = live.getAttribute("data-stamp");
    var url = live.getAttribute("data-changes");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(stamp);
    send(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html", "If-None-Match": 'W/"d' + stamp + '"' }
    })
      .then(function (response) {
        if (response.status === 204 || response.status === 304) { return null; }
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          throw new Error("gone");
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        var next = response.headers.get("X-Revision");
        return response.text().then(function (html) { swap(html, next); });
      })
      .then(function () {
        busy = false;
        wait = EVERY;
        schedule(wait);
      })
      .catch(function (error) {
        busy = false;
        if (error && error.message === "gone") { return; } // signed out: the link still works
        wait = Math.min(wait * 2, LONGEST);
        schedule(wait);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(250); }
  });
  schedule(EVERY);
})();

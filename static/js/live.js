/* The live room: keeps a table's strip (countdown, notice, the room's stage, "Ask for help")
 * and the projector view up to date without a reload, and ticks every countdown on the page.
 *
 * Every few seconds it asks whether the seminar changed since the page was drawn (?since= and
 * If-None-Match): "204/304, nothing new" costs the server one query. A table gets JSON and
 * updates its strip; the projector gets its live part drawn again and puts it in place. Paused
 * while the tab is hidden; after an error it waits longer each time. Countdowns are said aloud
 * only at 10, 5 and 1 minutes left and when time is up, never every second. Without this
 * script the strip is as the server drew it and the projector reloads itself. */
(function () {
  "use strict";
  // Requests with a deadline (net.js); plain fetch if that script did not load.
  var send = window.Workshop ? window.Workshop.fetch : function (url, options) { return fetch(url, options); };
  var LONGEST = 60000;
  var MARKS = [600, 300, 60, 0];
  var root = document.getElementById("live");
  var offset = 0; // the server's clock minus this device's
  var said = {}; // countdown marks already announced, per end time

  function fill(text, value) { return (text || "").replace("{}", value); }

  function skew(iso) {
    var server = Date.parse(iso || "");
    if (!isNaN(server)) { offset = server - Date.now(); }
  }

  function say(text) {
    var box = root && root.querySelector(".live-announce");
    if (!box || !text) { return; }
    box.textContent = "";
    setTimeout(function () { box.textContent = text; }, 50);
  }

  function shown(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor(seconds / 60) % 60;
    var s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m;
    var ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function tick() {
    var now = Date.now() + offset;
    var timers = document.querySelectorAll("[data-live-ends]");
    for (var i = 0; i < timers.length; i++) {
      var timer = timers[i];
      var ends = Date.parse(timer.getAttribute("data-live-ends") || "");
      if (isNaN(ends)) { timer.textContent = ""; continue; }
      var left = Math.max(0, Math.round((ends - now) / 1000));
      var text = left ? fill(timer.getAttribute("data-text-left"), shown(left))
        : timer.getAttribute("data-text-up");
      if (timer.textContent !== text) { timer.textContent = text; }
      if (root && root.contains(timer) && root.getAttribute("data-kind") === "table") {
        announce(timer.getAttribute("data-live-ends"), left);
      }
    }
  }

  function announce(ends, left) {
    var marks = said[ends];
    if (!marks) { // the marks already passed when this end time was first seen stay quiet
      marks = said[ends] = {};
      MARKS.forEach(function (m) { if (left <= m) { marks[m] = true; } });
      return;
    }
    MARKS.forEach(function (m) {
      if (left <= m && !marks[m]) {
        marks[m] = true;
        say(m ? fill(root.getAttribute("data-text-minutes"), shown(m)) : root.getAttribute("data-text-up"));
      }
    });
  }

  // -- A table's strip ------------------------------------------------------------------------

  function show(el, on) { if (el) { el.hidden = !on; } }

  function applyCountdown(data) {
    var line = root.querySelector(".live-countdown");
    var ends = root.querySelector(".live-ends");
    var timer = root.querySelector(".live-left");
    if (!line || !timer) { return; }
    var before = timer.getAttribute("data-live-ends");
    var after = data.countdown_ends_at || "";
    var text = fill(root.getAttribute("data-text-ends"), data.countdown_ends_label);
    timer.setAttribute("data-live-ends", after);
    show(line, !!after);
    if (after) { ends.textContent = text; }
    if (after && after !== before) { say(text); }
  }

  function applyNotice(data) {
    var box = root.querySelector(".live-notice");
    if (!box) { return; }
    var stamp = (data.notice_at || "") + "|" + (data.notice || "");
    if (box.getAttribute("data-shown") === stamp) { return; }
    var first = box.getAttribute("data-shown") === null; // the page drew the same one
    var wasHidden = box.hidden;
    box.setAttribute("data-shown", stamp);
    if (!data.notice) { box.textContent = ""; show(box, false); return; }
    var head = document.createElement("p");
    var title = document.createElement("strong");
    title.textContent = root.getAttribute("data-text-notice");
    var at = document.createElement("span");
    at.className = "muted live-notice-at";
    at.textContent = data.notice_at_label || "";
    head.appendChild(title);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(at);
    var body = document.createElement("p");
    body.className = "answer-text";
    body.textContent = data.notice;
    box.textContent = "";
    box.appendChild(head);
    box.appendChild(body);
    show(box, true);
    if (!first || wasHidden) { say(title.textContent + ": " + data.notice); }
  }

  function applyStages(data) {
    var page = root.getAttribute("data-stage");
    var go = root.querySelector(".live-go");
    var round = data.round_stage;
    if (go) {
      var link = go.querySelector("a");
      if (round && round.open && !round.closed && round.key !== page) {
        var text = fill(root.getAttribute("data-text-go"), round.number + ". " + round.title);
        var fresh = go.hidden || link.getAttribute("href") !== round.url;
        link.setAttribute("href", round.url);
        link.textContent = text;
        show(go, true);
        if (fresh) { say(text); }
      } else {
        show(go, false);
      }
    }
    markOpen(data.open_stages || []);
    var here = root.querySelector(".live-here");
    if (!here) { return; }
    var mine = null;
    (data.open_stages || []).forEach(function (s) { if (s.key === page) { mine = s; } });
    var wasOpen = root.getAttribute("data-stage-open") === "1";
    var wasClosed = root.getAttribute("data-stage-closed") === "1";
    var message = "";
    if (mine && !mine.closed && (!wasOpen || wasClosed)) {
      message = root.getAttribute("data-text-here-open");
    } else if (mine && mine.closed && wasOpen && !wasClosed) {
      message = root.getAttribute("data-text-here-closed");
    }
    if (mine && (mine.votes_revealed ? "1" : "0") !== root.getAttribute("data-votes-revealed")) {
      root.setAttribute("data-votes-revealed", mine.votes_revealed ? "1" : "0");
      redrawVoting(mine.votes_revealed);
    }
    var anchor = here.querySelector("a");
    if (message && anchor.textContent !== message) { anchor.textContent = message; say(message); }
    show(here, !!message);
  }

  // The stage list at the top of the page: a stage that opened says so (its status is
  // nothing yet, so "open" is all there is to say).
  function markOpen(stages) {
    var closed = root.getAttribute("data-text-not-open");
    stages.forEach(function (s) {
      var links = document.querySelectorAll(".stage-nav a");
      for (var i = 0; i < links.length; i++) {
        var tag = links[i].parentNode.querySelector(".tag");
        if (links[i].getAttribute("href") === s.url && tag && tag.textContent === closed) {
          tag.textContent = root.getAttribute("data-text-open");
        }
      }
    });
  }

  // The dot-vote section as the server draws it now: revealed (or hidden again) in place.
  function redrawVoting(revealed) {
    var old = document.getElementById("voting");
    if (!old) { return; }
    send(window.location.pathname + window.location.search, {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("voting");
      var current = document.getElementById("voting");
      if (!fresh || !current || current.contains(document.activeElement)) { return; }
      current.replaceWith(document.importNode(fresh, true));
      if (revealed) { say(root.getAttribute("data-text-votes")); }
    }).catch(function () { /* the next reload shows it */ });
  }

  function applyHelp(data) {
    var asked = root.querySelector(".live-asked");
    var form = root.querySelector(".live-help form");
    if (!asked || !form) { return; }
    if (data.help_asked_at) {
      asked.textContent = fill(root.getAttribute("data-text-asked"), data.help_asked_label);
    }
    show(asked, !!data.help_asked_at);
    show(form, !data.help_asked_at);
  }

  function applyTable(data) {
    skew(data.now);
    root.setAttribute("data-revision", String(data.revision));
    applyCountdown(data);
    applyNotice(data);
    applyStages(data);
    applyHelp(data);
    tick();
  }

  function askForHelp(event) {
    var form = event.target;
    if (!form.closest || !form.closest(".live-help") || !window.FormData) { return; }
    event.preventDefault();
    var token = form.querySelector('input[name="csrf_token"]');
    send(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      var asked = root.querySelector(".live-asked");
      // As the strip says it from now on; the answer's own words are said aloud once.
      asked.textContent = fill(root.getAttribute("data-text-asked"), data.asked_at_label);
      show(asked, true);
      show(form, false);
      say(data.message);
    }).catch(function () { form.submit(); }); // the plain post still works
  }

  // -- The projector --------------------------------------------------------------------------

  function applyProjector(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
    if (!fresh) { return; }
    var node = document.importNode(fresh, true);
    root.replaceWith(node);
    root = node;
    skew(root.getAttribute("data-now"));
    tick();
  }

  // -- Polling --------------------------------------------------------------------------------

  var every = 5000;
  var wait = every;
  var timer = null;
  var busy = false;

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (document.hidden || busy) { schedule(every); return; }
    busy = true;
    var revision = root.getAttribute("data-revision");
    var url = root.getAttribute("data-poll");
    var table = root.getAttribute("data-kind") === "table";
    url += (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(revision);
    send(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: table ? "application/json" : "text/html", "If-None-Match": 'W/"r' + revision + '"' }
    }).then(function (response) {
      if (response.status === 204 || response.status === 304) { return null; }
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        throw new Error("gone");
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      return table ? response.json().then(applyTable) : response.text().then(applyProjector);
    }).then(function () {
      busy = false;
      wait = every;
      schedule(wait);
    }).catch(function (error) {
      busy = false;
      if (error && error.message === "gone") { return; } // signed out: the page still works
      wait = Math.min(wait * 2, LONGEST);
      schedule(wait);
    });
  }

  if (root) { skew(root.getAttribute("data-now")); }
  tick();
  setInterval(tick, 1000);
  if (!root || !root.getAttribute("data-poll") || !window.fetch || !window.DOMParser) { return; }
  every = parseInt(root.getAttribute("data-every"), 10) || every;
  wait = every;
  document.addEventListener("submit", askForHelp);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(250); }
  });
  schedule(every);
})();

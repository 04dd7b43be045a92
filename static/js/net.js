/* Every request a page's script makes has a deadline.
 *
 * On a phone whose network drops mid-request (a tunnel, a power cut at the mast) a request can
 * stay open for minutes without an answer or an error. A script that waits for it waits with
 * it: the autosave would hold every later save behind it, a live strip would stop following
 * the room. So each request is given up after a while and counts as "offline" — the caller's
 * usual retry takes it from there. A save given up on is safe to send again: it carries its
 * idempotency key, so a save that did arrive is never stored twice.
 *
 * The deadline is the data-deadline-ms attribute of this script's tag (the server's
 * SCRIPT_DEADLINE_MS setting); a caller may ask for a longer one. */
(function () {
  "use strict";
  var script = document.currentScript;
  var usual = parseInt(script && script.getAttribute("data-deadline-ms"), 10) || 20000;

  window.Workshop = window.Workshop || {};
  window.Workshop.deadline = usual;

  /* fetch(url, options), given up on after `ms` milliseconds (default: the page's deadline).
   * The deadline covers the whole exchange, body included: a body that stops arriving half
   * way fails its read, as a request that never answers fails its fetch. Aborting an exchange
   * that already ended does nothing, so the timer is simply left to run out. */
  window.Workshop.fetch = function (url, options, ms) {
    if (!window.AbortController) { return fetch(url, options); }
    var controller = new AbortController();
    setTimeout(function () { controller.abort(); }, ms || usual);
    var settings = {};
    Object.keys(options || {}).forEach(function (name) { settings[name] = options[name]; });
    settings.signal = controller.signal;
    return fetch(url, settings);
  };
})();

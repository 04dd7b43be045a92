/* Tells the server every half minute that this stage page is open, and shows who else is. */
(function () {
  "use strict";
  // Requests with a deadline (net.js); plain fetch if that script did not load.
  var send = window.Workshop ? window.Workshop.fetch : function (url, options) { return fetch(url, options); };
  var box = document.getElementById("presence");
  var token = document.querySelector('input[name="csrf_token"]');
  if (!box || !token || !window.fetch) { return; }
  function beat() {
    if (document.hidden) { return; }
    send(box.getAttribute("data-url"), {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": token.value }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        box.textContent = data.others.length ?
          box.getAttribute("data-label") + " " + data.others.join(", ") : "";
      }, function () { /* offline: the autosave status already says so */ });
  }
  beat();
  setInterval(beat, 30000);
  document.addEventListener("visibilitychange", beat);
})();

/* Autosave for group-work forms. The page works without this file: each section also saves
 * with its button. With it, every question saves on its own shortly after the person stops
 * typing: one request in flight per form, an idempotency key per save so a retry never counts
 * twice, and a queue kept in this browser while offline (cleared at logout by Clear-Site-Data). */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-autosave]");
  if (!forms.length || !window.fetch || !window.localStorage) { return; }
  var DELAY = 700;
  var storeKey = "twinning-unsent:" + location.pathname;

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  function keyOf(name) { return name && name.indexOf("q.") === 0 ? name.split(".")[1] : null; }
  function field(form, name) { return form.querySelector('[name="' + name + '"]'); }

  /* The value of one question, in the same shape the server reads from a posted form. */
  function read(form, key) {
    var box = form.querySelector('[data-question="' + key + '"]');
    var prefix = "q." + key;
    var inputs = box.querySelectorAll('[name^="' + prefix + '"]');
    var table = box.querySelector("table.answer-table");
    if (!table) {
      var multi = box.querySelector('input[type=checkbox][name="' + prefix + '"]');
      if (multi) {
        return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
          .map(function (i) { return i.value; });
      }
      var parts = box.querySelectorAll('[name^="' + prefix + '."]');
      if (parts.length) {
        var person = {};
        parts.forEach(function (i) { person[i.name.split(".")[2]] = i.value; });
        return person;
      }
      var radios = box.querySelectorAll('input[type=radio][name="' + prefix + '"]');
      if (radios.length) {
        var checked = box.querySelector('input[type=radio][name="' + prefix + '"]:checked');
        return checked ? checked.value : null;
      }
      return inputs.length ? inputs[0].value : null;
    }
    var rows = {};
    var order = [];
    inputs.forEach(function (input) {
      var bits = input.name.split(".");
      var row = bits[2];
      if (!rows[row]) { rows[row] = {}; order.push(row); }
      if (input.type === "checkbox") {
        rows[row][bits[3]] = rows[row][bits[3]] || [];
        if (input.checked) { rows[row][bits[3]].push(input.value); }
      } else {
        rows[row][bits[3]] = input.value;
      }
    });
    var fixed = box.hasAttribute("data-fixed-rows");
    return order.map(function (row) {
      if (fixed) { rows[row].row = row; }
      return rows[row];
    });
  }

  function Saver(form) {
    this.form = form;
    this.url = form.getAttribute("data-autosave");
    this.state = form.querySelector(".save-state");
    this.pending = {};
    this.order = [];
    this.timers = {};
    this.busy = false;
  }
  Saver.prototype.say = function (state) {
    this.state.setAttribute("data-state", state);
    this.state.textContent = this.state.getAttribute("data-text-" + state) || "";
  };
  Saver.prototype.version = function (key) {
    var hidden = field(this.form, "v." + key);
    return hidden ? parseInt(hidden.value, 10) || 0 : 0;
  };
  Saver.prototype.schedule = function (key) {
    var self = this;
    clearTimeout(this.timers[key]);
    this.say("typing");
    this.timers[key] = setTimeout(function () { self.queue(key, read(self.form, key)); }, DELAY);
  };
  Saver.prototype.queue = function (key, value, base) {
    this.pending[key] = { value: value, base: base === undefined ? this.version(key) : base, key: newKey() };
    if (this.order.indexOf(key) < 0) { this.order.push(key); }
    remember();
    this.pump();
  };
  Saver.prototype.pump = function () {
    var self = this;
    if (this.busy) { return; }
    var key = this.order[0];
    if (!key) { this.say("saved"); return; }
    var item = this.pending[key];
    this.busy = true;
    this.say("saving");
    var body = JSON.stringify({ question: key, value: item.value, base_version: item.base, key: item.key });
    fetch(this.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token() }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        self.busy = false;
        self.answer(key, item, response.status, data);
      });
    }, function () {
      self.busy = false;
      self.say("offline");  /* kept in the queue and in this browser; retried when back */
    });
  };
  Saver.prototype.done = function (key, item) {
    if (this.pending[key] === item) {
      delete this.pending[key];
      this.order.splice(this.order.indexOf(key), 1);
    }
    remember();
  };
  Saver.prototype.answer = function (key, item, status, data) {
    var box = this.form.querySelector('[data-question="' + key + '"]');
    clearNote(box);
    if (status === 200) {
      field(this.form, "v." + key).value = data.version;
      if (this.pending[key] && this.pending[key] !== item) { this.pending[key].base = data.version; }
      this.done(key, item);
      this.pump();
    } else if (status === 409) {
      this.done(key, item);
      this.conflict(box, key, item, data);
    } else if (status === 422 || status === 413) {
      this.done(key, item);
      note(box, "field-error", data.error || "");
      this.say("error");
    } else if (status === 400 && !item.retried) {
      var self = this;
      item.retried = true;  /* most likely an expired form token: fetch a fresh one, try again */
      fetch(this.form.getAttribute("data-token-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (t) { setToken(t.token); self.pump(); }, function () { self.say("offline"); });
    } else {
      this.say("offline");  /* signed out or refused: nothing is dropped, the page keeps it */
    }
  };
  Saver.prototype.conflict = function (box, key, item, data) {
    var self = this;
    var text = this.state;
    var div = note(box, "conflict", (data.by || "") + " " + text.getAttribute("data-text-theirs"));
    var theirs = document.createElement("pre");
    theirs.className = "theirs";
    theirs.textContent = typeof data.value === "string" ? data.value : JSON.stringify(data.value, null, 1);
    div.appendChild(theirs);
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button";
    keep.textContent = text.getAttribute("data-text-keep");
    keep.addEventListener("click", function () {
      clearNote(box);
      self.queue(key, read(self.form, key), data.version);
    });
    var take = document.createElement("button");
    take.type = "button";
    take.className = "button secondary";
    take.textContent = text.getAttribute("data-text-take");
    take.addEventListener("click", function () { location.reload(); });
    div.appendChild(keep);
    div.appendChild(document.createTextNode(" "));
    div.appendChild(take);
    this.say("conflict");
    keep.focus();
  };

  function note(box, className, message) {
    var div = document.createElement("div");
    div.className = "js-note " + className;
    div.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = message;
    div.appendChild(p);
    box.insertBefore(div, box.querySelector(".q-input"));
    return div;
  }
  function clearNote(box) {
    box.querySelectorAll(".js-note").forEach(function (n) { n.remove(); });
  }
  function token() { return document.querySelector('input[name="csrf_token"]').value; }
  function setToken(value) {
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = value; });
  }

  var savers = [];
  function remember() {
    var unsent = [];
    savers.forEach(function (s) {
      s.order.forEach(function (key) {
        unsent.push({ form: s.url + "#" + savers.indexOf(s), question: key, item: s.pending[key] });
      });
    });
    if (unsent.length) { localStorage.setItem(storeKey, JSON.stringify(unsent)); }
    else { localStorage.removeItem(storeKey); }
  }

  forms.forEach(function (form) {
    var saver = new Saver(form);
    savers.push(saver);
    form.addEventListener("input", function (event) {
      var key = keyOf(event.target.name);
      if (key) { saver.schedule(key); }
    });
    form.addEventListener("change", function (event) {
      var key = keyOf(event.target.name);
      if (key) { saver.schedule(key); }
    });
  });

  /* Saves left unsent by an earlier visit (closed tab, lost power) go out first. */
  try {
    JSON.parse(localStorage.getItem(storeKey) || "[]").forEach(function (entry) {
      var index = parseInt(entry.form.split("#")[1], 10);
      var saver = savers[index];
      if (!saver || !entry.item) { return; }
      saver.pending[entry.question] = entry.item;
      saver.order.push(entry.question);
    });
  } catch (e) { localStorage.removeItem(storeKey); }
  function retry() { savers.forEach(function (s) { s.pump(); }); }
  window.addEventListener("online", retry);
  setInterval(function () {
    savers.forEach(function (s) { if (s.order.length && !s.busy) { s.pump(); } });
  }, 10000);
  retry();
})();

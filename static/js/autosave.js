/* Autosave for group-work forms. The page works without this file: each section also saves
 * with its button. With it, every question saves on its own shortly after the person stops
 * typing: one request in flight per form, an idempotency key per save so a retry never counts
 * twice, and a queue kept in this browser while offline (cleared at logout by Clear-Site-Data). */
(function () {
  "use strict";
  // Requests with a deadline (net.js); plain fetch if that script did not load.
  var send = window.Workshop ? window.Workshop.fetch : function (url, options) { return fetch(url, options); };
  // A save may carry a long text over a slow line: it gets twice the usual deadline.
  var SAVE_DEADLINE = window.Workshop ? 2 * window.Workshop.deadline : 0;
  var forms = document.querySelectorAll("form[data-autosave]");
  if (!forms.length || !window.fetch || !window.localStorage) { return; }
  /* The wire format (field names, row ids) is the server's, handed to the page as JSON
   * (workshop/groupwork/answers/wire.py, for_page). Without it, or with anything missing, the
   * script does nothing: the forms still save with their buttons, and no name is guessed. */
  var WIRE = wireFormat();
  if (!WIRE) { return; }
  var SEP = WIRE.separator;
  var DELAY = 700;

  function wireFormat() {
    var block = document.getElementById("wire-format");
    var wire;
    try { wire = JSON.parse(block ? block.textContent : ""); } catch (e) { return null; }
    if (!wire || typeof wire !== "object") { return null; }
    var texts = ["question", "version", "separator", "remove", "rowIdPattern", "rowIdAlphabet"];
    if (!texts.every(function (k) { return typeof wire[k] === "string" && wire[k]; })) { return null; }
    if (!Array.isArray(wire.person) || !wire.person.length ||
        !wire.person.every(function (p) { return typeof p === "string" && p; })) { return null; }
    var length = wire.rowIdLength;
    if (typeof length !== "number" || length < 1 || length !== Math.floor(length)) { return null; }
    if (wire.rowIdAlphabet.length > 256) { return null; }
    try { wire.rowId = new RegExp(wire.rowIdPattern); } catch (e) { return null; }
    return wire;
  }
  /* q.<key>, q.<key>.<part>, q.<key>.<row>.<column>; v.<key> */
  function fieldName() {
    return [WIRE.question].concat(Array.prototype.slice.call(arguments)).join(SEP);
  }
  function versionName(key) { return WIRE.version + SEP + key; }
  function isRemove(name) {
    var bits = (name || "").split(SEP);
    return bits.length === 4 && bits[0] === WIRE.question && bits[3] === WIRE.remove;
  }
  /* Per person: on a shared computer, one person's unsent text never goes out as another's. */
  var storeKey = "twinning-unsent:" + forms[0].getAttribute("data-person") + ":" + location.pathname;

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  function keyOf(name) {
    var bits = (name || "").split(SEP);
    return bits.length > 1 && bits[0] === WIRE.question ? bits[1] : null;
  }
  function field(form, name) { return form.querySelector('[name="' + name + '"]'); }

  /* The value of one question, in the same shape the server reads from a posted form. */
  function read(form, key) {
    var box = form.querySelector('[data-question="' + key + '"]');
    var prefix = fieldName(key);
    var inputs = box.querySelectorAll('[name="' + prefix + '"]');
    var table = box.querySelector("table.answer-table");
    if (!table) {
      var multi = box.querySelector('input[type=checkbox][name="' + prefix + '"]');
      if (multi) {
        return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
          .map(function (i) { return i.value; });
      }
      var parts = WIRE.person.filter(function (part) { return field(box, fieldName(key, part)); });
      if (parts.length) {
        var person = {};
        parts.forEach(function (part) { person[part] = field(box, fieldName(key, part)).value; });
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
    var removed = {};
    box.querySelectorAll('[name^="' + prefix + SEP + '"]').forEach(function (input) {
      var bits = input.name.split(SEP);
      if (bits.length !== 4) { return; }
      var row = bits[2];
      if (bits[3] === WIRE.remove) { if (input.checked) { removed[row] = true; } return; }
      if (!rows[row]) { rows[row] = {}; order.push(row); }
      if (input.type === "checkbox") {
        rows[row][bits[3]] = rows[row][bits[3]] || [];
        if (input.checked) { rows[row][bits[3]].push(input.value); }
      } else {
        rows[row][bits[3]] = input.value;
      }
    });
    /* Every row is named by its id (an item of a fixed list, or a stable id given once). */
    return order.filter(function (row) { return !removed[row]; }).map(function (row) {
      rows[row].row = row;
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
    this.last = {};  /* what was last saved per question, to skip sending the same again */
    this.held = {};  /* questions in conflict */
    this.busy = false;
  }
  Saver.prototype.say = function (state) {
    this.state.setAttribute("data-state", state);
    this.state.textContent = this.state.getAttribute("data-text-" + state) || "";
  };
  Saver.prototype.version = function (key) {
    var hidden = field(this.form, versionName(key));
    return hidden ? parseInt(hidden.value, 10) || 0 : 0;
  };
  Saver.prototype.schedule = function (key) {
    var self = this;
    clearTimeout(this.timers[key]);
    /* In conflict, the person decides (keep mine / take theirs); edits wait for that choice. */
    if (this.held[key]) { return; }
    this.say("typing");
    this.timers[key] = setTimeout(function () {
      var value = read(self.form, key);
      /* Leaving a field fires "change" after "input" already saved it: nothing new to send. */
      if (JSON.stringify(value) === self.last[key] && !self.pending[key]) {
        if (!self.busy && !self.order.length) { self.say("saved"); }
        return;
      }
      self.queue(key, value);
    }, DELAY);
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
    var body = JSON.stringify({ question: key, value: item.value, base_version: item.base, key: item.key,
                                cycle: Number(this.form.getAttribute("data-cycle")) || undefined });
    send(this.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token() }
    }, SAVE_DEADLINE).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        self.busy = false;
        self.wait = parseInt(response.headers.get("Retry-After"), 10) || 0;
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
      this.out = false;
      if (data.html) { box = this.adopt(box, key, item, data); }
      field(this.form, versionName(key)).value = data.version;
      if (!data.html) { this.last[key] = JSON.stringify(item.value); }
      if (this.pending[key] && this.pending[key] !== item) { this.pending[key].base = data.version; }
      this.done(key, item);
      this.pump();
    } else if (status === 409) {
      this.done(key, item);
      delete this.last[key];
      this.held[key] = true;
      this.conflict(box, key, item, data);
    } else if (status === 422 || status === 413 || status === 423) {
      /* 423: the stage closed (approved, closed for the room) or the cycle moved on since the
       * page was loaded. Sending again cannot help: the server's reason goes next to the
       * question, and the text stays in the field for the person to copy. */
      this.done(key, item);
      note(box, "field-error", data.error || "");
      this.say("error");
    } else if (status === 400 && !item.retried) {
      var self = this;
      item.retried = true;  /* most likely an expired form token: fetch a fresh one, try again */
      send(this.form.getAttribute("data-token-url"), {
        credentials: "same-origin", redirect: "manual", headers: { "Accept": "application/json" }
      })
        .then(function (r) {
          if (r.type === "opaqueredirect" || r.status === 401) { self.out = true; self.say("signedout"); return; }
          return r.json().then(function (t) { setToken(t.token); self.pump(); });
        }, function () { self.say("offline"); });
    } else if (status === 0 || status === 401) {
      /* Sent to the sign-in page: the session ended. The text stays in this browser and goes
       * out when the person signs in again and opens this page. */
      this.out = true;
      this.say("signedout");
    } else {
      /* refused for now: nothing is dropped, the page keeps it. 429: this sign-in saved very
       * often (a script, or a stuck page); the server says when the next one is taken. */
      this.say(this.out ? "signedout" : status === 429 ? "paused" : "offline");
      /* 503: the database is away for a moment; the server says when to try again (bounded,
       * so a wrong header neither hammers it nor waits for ever; the 10 s round retries too). */
      if ((status === 503 || status === 429) && this.wait > 0) {
        var saver = this;
        clearTimeout(this.again);
        this.again = setTimeout(function () { saver.pump(); }, Math.min(this.wait, 30) * 1000);
      }
    }
  };
  /* Somebody else's cells were merged into ours on the server: take the merged table, then put
   * back whatever this person typed after the save left (it goes out with the next save). */
  Saver.prototype.adopt = function (box, key, item, data) {
    var sent = {};
    (item.value || []).forEach(function (row) {
      Object.keys(row).forEach(function (col) { sent[fieldName(key, row.row, col)] = row[col]; });
    });
    var typed = {};
    box.querySelectorAll("input[type=text], textarea, select, input[type=date]").forEach(function (el) {
      var bits = el.name.split(SEP);
      var was = sent[el.name] === undefined ? "" : String(sent[el.name]);
      if (bits.length === 4 && el.value !== was) { typed[el.name] = el.value; }
    });
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.name : null;
    var holder = document.createElement("div");
    holder.innerHTML = data.html;
    var fresh = holder.firstElementChild;
    box.parentNode.replaceChild(fresh, box);
    showAddRow(fresh);
    Object.keys(typed).forEach(function (name) {
      var el = fresh.querySelector('[name="' + name + '"]');
      if (el) { el.value = typed[name]; }
    });
    if (focused) {
      var again = fresh.querySelector('[name="' + focused + '"]');
      if (again) { again.focus(); }
    }
    note(fresh, "merged", data.merged_note || "");
    /* A save queued before the swap was read from the old table: read it again, or it would
     * drop the rows just merged in. */
    var queued = this.pending[key];
    if (queued && queued !== item) { queued.value = read(this.form, key); }
    this.last[key] = JSON.stringify(read(this.form, key));
    if (Object.keys(typed).length) { this.schedule(key); }
    return fresh;
  };
  Saver.prototype.conflict = function (box, key, item, data) {
    var self = this;
    var text = this.state;
    var div = note(box, "conflict", (data.by || "") + " " + text.getAttribute("data-text-theirs"));
    var theirs = document.createElement("div");
    /* The server shows their version as the page would (a table as a table), escaped there. */
    theirs.innerHTML = data.shown || "";
    div.appendChild(theirs);
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button";
    keep.textContent = text.getAttribute("data-text-keep");
    keep.addEventListener("click", function () {
      delete self.held[key];
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
    var anchor = box.querySelector(".q-input");  /* inside the fieldset of grouped questions */
    anchor.parentNode.insertBefore(div, anchor);
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

  /* A fresh row id: rowIdLength characters drawn evenly from the handed alphabet (bytes that
   * would favour its first letters are drawn again), or null if it would not be a row id. */
  function newRowId() {
    if (!window.crypto || !crypto.getRandomValues) { return null; }
    var alphabet = WIRE.rowIdAlphabet;
    var limit = 256 - (256 % alphabet.length);
    var id = "";
    while (id.length < WIRE.rowIdLength) {
      var bytes = new Uint8Array(WIRE.rowIdLength);
      crypto.getRandomValues(bytes);
      for (var i = 0; i < bytes.length && id.length < WIRE.rowIdLength; i++) {
        if (bytes[i] < limit) { id += alphabet[bytes[i] % alphabet.length]; }
      }
    }
    return WIRE.rowId.test(id) ? id : null;
  }
  function renamed(name, row) {
    var bits = name.split(SEP);
    if (bits.length !== 4 || bits[0] !== WIRE.question) { return name; }
    bits[2] = row;
    return bits.join(SEP);
  }
  function showAddRow(root) {
    root.querySelectorAll("[data-add-row]").forEach(function (button) { button.hidden = false; });
  }
  /* "Add a row": a copy of the last row, emptied, under a fresh id (the page works without it:
   * saving always brings two more empty rows). */
  function addRow(button) {
    var box = button.closest("[data-question]");
    var body = box.querySelector("table.answer-table tbody");
    var rows = body.querySelectorAll("tr[data-row]");
    var max = parseInt(button.getAttribute("data-max-rows"), 10);
    if (!rows.length || rows.length >= max) { button.hidden = true; return; }
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    var id = newRowId();
    if (!id) { button.hidden = true; return; }
    var number = rows.length + 1;
    copy.setAttribute("data-row", id);
    copy.querySelector("th").textContent = String(number);
    copy.querySelectorAll("[name]").forEach(function (el) {
      el.name = renamed(el.name, id);
      if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
    });
    copy.querySelectorAll("[aria-label]").forEach(function (el) {
      el.setAttribute("aria-label", el.getAttribute("aria-label").replace(/\d+/, String(number)));
    });
    copy.querySelectorAll("td:last-child .trace-links").forEach(function (el) { el.remove(); });
    body.appendChild(copy);
    if (number >= max) { button.hidden = true; }
    var first = copy.querySelector("[name]");
    if (first) { first.focus(); }
  }

  /* For tests and debugging, read-only: the value of one question as the script would send it
   * now (the same shape the server reads from the posted form). Changes nothing on the page. */
  window.Twinning = window.Twinning || {};
  window.Twinning.readAnswer = function (key) {
    var selector = '[data-question="' + (window.CSS && CSS.escape ? CSS.escape(String(key)) : key) + '"]';
    var form = Array.prototype.find.call(forms, function (f) { return f.querySelector(selector); });
    return form ? read(form, String(key)) : undefined;
  };

  forms.forEach(function (form) {
    showAddRow(form);
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-add-row]");
      if (button) { addRow(button); }
    });
    var saver = new Saver(form);
    savers.push(saver);
    form.addEventListener("input", function (event) {
      var key = keyOf(event.target.name);
      if (key) { saver.schedule(key); }
    });
    form.addEventListener("change", function (event) {
      if (isRemove(event.target.name)) {
        /* Shown struck through until the page reloads: unticking brings the row back. */
        event.target.closest("tr").classList.toggle("removed", event.target.checked);
      }
      var key = keyOf(event.target.name);
      if (key) { saver.schedule(key); }
    });
  });

  /* Put an unsent value back on the page, so what the person sees is what will be saved. */
  function setField(box, name, value) {
    var inputs = box.querySelectorAll('[name="' + name + '"]');
    inputs.forEach(function (el) {
      if (el.type === "checkbox") { el.checked = (value || []).indexOf(el.value) >= 0; }
      else if (el.type === "radio") { el.checked = String(value) === el.value; }
      else { el.value = value === null || value === undefined ? "" : value; }
    });
    return inputs.length > 0;
  }
  function fill(form, key, value) {
    var box = form.querySelector('[data-question="' + key + '"]');
    if (!box) { return; }
    var prefix = fieldName(key);
    if (!Array.isArray(value) || !value.length || typeof value[0] !== "object") {
      if (value && typeof value === "object" && !Array.isArray(value)) {
        WIRE.person.forEach(function (part) {
          if (part in value) { setField(box, fieldName(key, part), value[part]); }
        });
      } else { setField(box, prefix, value); }
      return;
    }
    value.forEach(function (row) {
      if (!row || typeof row.row !== "string" || !WIRE.rowId.test(row.row)) { return; }
      var known = box.querySelector('[name^="' + fieldName(key, row.row) + SEP + '"]');
      if (!known) {
        /* A row added in the earlier visit: it takes the place of an empty row on this page. */
        var blank = Array.prototype.find.call(box.querySelectorAll("tr[data-row]"), function (tr) {
          return Array.prototype.every.call(tr.querySelectorAll("[name]"), function (el) {
            return el.type === "checkbox" ? !el.checked : !el.value;
          });
        });
        if (!blank) { return; }
        blank.setAttribute("data-row", row.row);
        blank.querySelectorAll("[name]").forEach(function (el) { el.name = renamed(el.name, row.row); });
      }
      Object.keys(row).forEach(function (col) {
        if (col !== "row") { setField(box, fieldName(key, row.row, col), row[col]); }
      });
    });
  }

  /* Saves left unsent by an earlier visit (closed tab, lost power, signed out) go out first. */
  try {
    JSON.parse(localStorage.getItem(storeKey) || "[]").forEach(function (entry) {
      var index = parseInt(entry.form.split("#")[1], 10);
      var saver = savers[index];
      if (!saver || !entry.item) { return; }
      saver.pending[entry.question] = entry.item;
      saver.order.push(entry.question);
      fill(saver.form, entry.question, entry.item.value);
    });
  } catch (e) { localStorage.removeItem(storeKey); }
  function retry() { savers.forEach(function (s) { s.pump(); }); }
  window.addEventListener("online", retry);
  setInterval(function () {
    savers.forEach(function (s) { if (s.order.length && !s.busy) { s.pump(); } });
  }, 10000);
  retry();
})();

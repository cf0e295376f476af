/* Keep what is written in a form marked data-draft in this browser until it is sent, so a
   reply, a new thread or an edit survives leaving the page (or a crash) and coming back.
   Progressive enhancement: without this script the forms work the same, only unsaved.

   Each text field is kept under "forum-draft:<person>:<form's path>:<field>", for the person
   logged in only (a shared computer shows nobody else's words), and dropped:
   - when the form was sent and taken: the page that confirms it names the form's path in
     data-draft-sent (rendered by the server after a successful post);
   - when the person discards it ("Discard the draft"), empties the field, or logs out;
   - after 30 days.
   The texts shown come from this script tag's data-restored and data-discard. */
(function () {
  "use strict";

  var script = document.currentScript;
  var store = null;
  try {
    store = window.localStorage;
    store.getItem("forum-draft:probe");
  } catch (error) {
    return;  // storage blocked or full: the forms work as before
  }
  if (!script || !store) {
    return;
  }
  var ROOT = "forum-draft:";
  var PREFIX = ROOT + (script.getAttribute("data-user") || "") + ":";
  var restoredText = script.getAttribute("data-restored") || "";
  var discardText = script.getAttribute("data-discard") || "";
  var MAX_AGE = 30 * 24 * 60 * 60 * 1000;
  var DELAY = 400;

  function pathOf(address) {
    try {
      return new URL(address, window.location.href).pathname;
    } catch (error) {
      return "";
    }
  }

  function read(key) {
    try {
      var draft = JSON.parse(store.getItem(key));
      return draft && typeof draft.value === "string" ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function write(key, value) {
    try {
      store.setItem(key, JSON.stringify({ value: value, at: Date.now() }));
    } catch (error) { /* full: the text stays in the form */ }
  }

  function remove(key) {
    try {
      store.removeItem(key);
    } catch (error) { /* nothing to do */ }
  }

  function keys(start) {
    var found = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(start) === 0) {
        found.push(key);
      }
    }
    return found;
  }

  function forget(path) {
    keys(PREFIX + path + ":").forEach(remove);
  }

  function tidy() {
    keys(ROOT).forEach(function (key) {
      var draft = read(key);
      if (!draft || !(Date.now() - draft.at < MAX_AGE)) {
        remove(key);
      }
    });
  }

  function textFields(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      if (!element.name) {
        return false;
      }
      return element.tagName === "TEXTAREA" ||
        (element.tagName === "INPUT" && element.type === "text");
    });
  }

  function watch(form) {
    var path = pathOf(form.getAttribute("action") || window.location.href);
    var fields = textFields(form);
    // What the server put in the fields (what "Discard the draft" brings back).
    var originals = fields.map(function (field) { return field.defaultValue; });
    var timer = null;
    var quiet = false;

    function keyOf(field) {
      return PREFIX + path + ":" + field.name;
    }

    function save() {
      window.clearTimeout(timer);
      timer = null;
      fields.forEach(function (field) {
        if (field.value.trim()) {
          write(keyOf(field), field.value);
        } else {
          remove(keyOf(field));
        }
      });
    }

    var restored = false;
    fields.forEach(function (field) {
      var draft = read(keyOf(field));
      if (draft && draft.value !== field.value) {
        field.value = draft.value;
        restored = true;
      }
    });
    if (restored) {
      var note = document.createElement("div");
      note.className = "draft-note";
      note.setAttribute("role", "status");
      var text = document.createElement("p");
      text.textContent = restoredText + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = discardText;
      button.addEventListener("click", function () {
        quiet = true;
        fields.forEach(function (field, index) {
          field.value = originals[index];
          remove(keyOf(field));
          field.dispatchEvent(new Event("input", { bubbles: true }));
        });
        quiet = false;
        note.parentNode.removeChild(note);
        if (fields.length) {
          fields[0].focus();
        }
      });
      text.appendChild(button);
      note.appendChild(text);
      form.insertBefore(note, form.firstChild);
      fields.forEach(function (field) {
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }

    form.addEventListener("input", function () {
      if (quiet) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY);
    });
    form.addEventListener("submit", save);
    // Leaving the page: write what is pending, or typed before this script ran.
    window.addEventListener("pagehide", function () {
      var changed = fields.some(function (field, index) {
        return field.value !== originals[index];
      });
      if (timer !== null || changed) {
        save();
      }
    });
  }

  tidy();
  Array.prototype.forEach.call(document.querySelectorAll("[data-draft-sent]"), function (mark) {
    forget(mark.getAttribute("data-draft-sent"));
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), watch);
  // Logging out takes the person's drafts along: the next person at this computer sees none.
  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/logout']"), function (form) {
    form.addEventListener("submit", function () { keys(PREFIX).forEach(remove); });
  });
})();

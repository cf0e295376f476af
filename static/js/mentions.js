/* Suggest @handles while typing in a textarea marked data-mentions.
   Progressive enhancement: without this script, typing @handle by hand works the same.
   The list comes from the JSON address in this script tag's data-suggestions, which
   answers only with people the reader may see. No library, no inline code (strict CSP). */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.fetch) {
    return;
  }
  var source = script.getAttribute("data-suggestions");
  var label = script.getAttribute("data-label") || "";
  var foundText = script.getAttribute("data-found") || "{n}";
  // "@" at the start or after a space or opening punctuation, then what may start a handle.
  var TYPED = /(^|[\s([{"'>])@([a-z0-9][a-z0-9._-]{0,39})?$/i;
  var DELAY = 150;
  var counter = 0;

  function attach(textarea) {
    counter += 1;
    var listId = "mention-list-" + counter;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", label);
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    textarea.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);

    var people = [];
    var active = -1;
    var timer = null;
    var request = null;
    var start = -1; // where the "@" being completed stands in the text

    function close() {
      people = [];
      active = -1;
      start = -1;
      list.hidden = true;
      list.textContent = "";
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        textarea.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var person = people[index];
      if (!person || start < 0) {
        return;
      }
      var caret = textarea.selectionStart;
      var before = textarea.value.slice(0, start);
      var after = textarea.value.slice(caret);
      var inserted = "@" + person.handle + (/^\s/.test(after) ? "" : " ");
      textarea.value = before + inserted + after;
      var position = before.length + inserted.length;
      textarea.setSelectionRange(position, position);
      close();
      textarea.focus();
    }

    function show(found) {
      people = found;
      list.textContent = "";
      if (!people.length) {
        close();
        status.textContent = foundText.replace("{n}", "0");
        return;
      }
      people.forEach(function (person, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "mention-name";
        name.textContent = person.name;
        var handle = document.createElement("span");
        handle.className = "mention-handle";
        handle.textContent = "@" + person.handle;
        option.appendChild(name);
        option.appendChild(document.createTextNode(" "));
        option.appendChild(handle);
        // mousedown, not click: the textarea keeps its focus and caret.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(index);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      highlight(0);
      status.textContent = foundText.replace("{n}", String(people.length));
    }

    function lookUp(typed) {
      if (request) {
        request.abort();
      }
      request = window.AbortController ? new AbortController() : null;
      var url = source + "?q=" + encodeURIComponent(typed);
      fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: request ? request.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (found) {
          if (start >= 0 && Array.isArray(found)) {
            show(found);
          }
        })
        .catch(function () {
          /* aborted or offline: the person simply types the handle */
        });
    }

    textarea.addEventListener("input", function () {
      var caret = textarea.selectionStart;
      if (caret !== textarea.selectionEnd) {
        close();
        return;
      }
      var match = TYPED.exec(textarea.value.slice(Math.max(0, caret - 42), caret));
      window.clearTimeout(timer);
      if (!match || !match[2]) {
        close();
        return;
      }
      start = caret - match[2].length - 1;
      timer = window.setTimeout(function () {
        lookUp(match[2]);
      }, DELAY);
    });

    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !people.length) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % people.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + people.length) % people.length);
      } else if (event.key === "Enter") {
        if (active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    textarea.addEventListener("blur", close);
  }

  var fields = document.querySelectorAll("textarea[data-mentions]");
  for (var i = 0; i < fields.length; i += 1) {
    attach(fields[i]);
  }
})();

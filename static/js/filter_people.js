/* Filter a long list of people to name into a circle while typing.
   Progressive enhancement: without this script the list is a plain list of checkboxes,
   sorted by name, and the "Find a person" box stays hidden. The box (marked
   data-people-filter with the id of its list) is in the page already, with its texts in the
   reader's language; each person's <li> carries data-person: name, library and @handle in
   lower case. People already ticked always stay in view, so a choice is never hidden.
   No library, no inline code (strict CSP). */
(function () {
  "use strict";

  var DELAY = 250; // the count is read out once typing pauses, not at every key

  function words(text) {
    return text.toLocaleLowerCase().split(/\s+/).filter(function (word) {
      return word.length > 0;
    });
  }

  function attach(box) {
    var list = document.getElementById(box.getAttribute("data-people-filter"));
    var input = box.querySelector("[data-filter-input]");
    var count = box.querySelector("[data-filter-count]");
    if (!list || !input || !count) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-person]"));
    var timer = null;

    function say(matches, asked) {
      var text = "";
      if (asked) {
        if (matches === 0) {
          text = count.getAttribute("data-none");
        } else if (matches === 1) {
          text = count.getAttribute("data-one");
        } else {
          text = count.getAttribute("data-many").replace("{n}", String(matches));
        }
      }
      count.textContent = text;
    }

    function filter() {
      var wanted = words(input.value);
      var matches = 0;
      items.forEach(function (item) {
        var about = item.getAttribute("data-person");
        var match = wanted.every(function (word) {
          return about.indexOf(word) !== -1;
        });
        var ticked = item.querySelector("input[type=checkbox]:checked") !== null;
        if (match) {
          matches += 1;
        }
        item.hidden = !(match || ticked);
      });
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        say(matches, wanted.length > 0);
      }, DELAY);
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter in the search box must not send the whole form
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        filter();
      }
    });
    box.hidden = false;
    if (input.value) {
      filter(); // the browser kept what was typed (back button)
    }
  }

  document.querySelectorAll("[data-people-filter]").forEach(attach);
})();

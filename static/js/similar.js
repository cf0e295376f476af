/* Show threads with a similar title while the title of a new thread is typed.
   Progressive enhancement: without this script the same list is shown on the form after
   the first submit. The list comes from the JSON address in the container's data-source,
   which answers only with threads the reader may see. No library, no inline code. */
(function () {
  "use strict";

  var box = document.getElementById("similar-threads");
  var title = document.querySelector("input[data-similar]");
  var seen = document.querySelector("input[name='seen_similar']");
  if (!box || !title || !seen || !window.fetch) {
    return;
  }
  var source = box.getAttribute("data-source");
  var heading = box.getAttribute("data-heading");
  var DELAY = 400;
  var MIN_LENGTH = 4;
  var timer = null;
  var asked = "";

  function show(threads) {
    // Replace the list (built from text nodes only: titles are never read as HTML).
    box.textContent = "";
    if (!threads.length) {
      return;
    }
    var h = document.createElement("h2");
    h.textContent = heading;
    var list = document.createElement("ul");
    threads.forEach(function (thread) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = thread.url;
      link.textContent = thread.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(h);
    box.appendChild(list);
  }

  function ask() {
    var text = title.value.trim();
    if (text.length < MIN_LENGTH || text === asked) {
      return;
    }
    asked = text;
    fetch(source + "?titel=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (threads) {
        if (title.value.trim() === text) {
          show(threads);
          seen.value = "1";  // shown while typing: the form need not stop to show them
        }
      })
      .catch(function () { /* the form still shows them after the first submit */ });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY);
  });
})();

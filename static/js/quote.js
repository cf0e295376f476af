/* The reply box of a thread: the "Reply" link at the top and "Quote" on each post.
   Progressive enhancement: without this script the link jumps to the form (#svar), and
   "Quote" loads the page again with the post quoted in the reply box (?citer=<post>). With
   it, the link also puts the cursor in the box, and "Quote" puts the quote where the cursor
   stands, without reloading and without losing what is written. When words of the post are
   selected, only they are quoted. The quote comes from the JSON address in the link's
   data-quote, which answers only for posts the reader may quote. No inline code. */
(function () {
  "use strict";

  var box = document.querySelector("#svar textarea");
  if (!box) {
    return;
  }
  // Where the cursor stood when the box last had the focus (a box never focused: the end).
  var touched = false;

  function focusBox(toEnd) {
    box.focus({ preventScroll: true });
    if (toEnd) {
      box.setSelectionRange(box.value.length, box.value.length);
    }
  }

  function insert(text) {
    var start = touched ? box.selectionStart : box.value.length;
    var end = touched ? box.selectionEnd : box.value.length;
    var before = box.value.slice(0, start);
    var after = box.value.slice(end);
    if (before && !/\n\n$/.test(before)) {
      before += /\n$/.test(before) ? "\n" : "\n\n";
    }
    box.value = before + text + after;
    var caret = before.length + text.length;
    document.getElementById("svar").scrollIntoView({ block: "start" });
    box.focus({ preventScroll: true });
    box.setSelectionRange(caret, caret);
    touched = true;
    // Drafts and the character count follow the box's input events.
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function selectedIn(article) {
    var selection = window.getSelection ? window.getSelection() : null;
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return "";
    }
    var body = article && article.querySelector(".post-body");
    var range = selection.getRangeAt(0);
    if (!body || !body.contains(range.commonAncestorContainer)) {
      return "";
    }
    return selection.toString().trim();
  }

  function quoted(intro, words) {
    var lines = words.split(/\r?\n/).map(function (line) {
      return line.trim() ? "> " + line : ">";
    });
    return intro + "\n" + lines.join("\n") + "\n\n";
  }

  box.addEventListener("focus", function () { touched = true; });

  // The "Reply" link: the page jumps to the form as before; then the cursor goes in the box.
  var replyLink = document.querySelector("a[data-reply-link]");
  if (replyLink) {
    replyLink.addEventListener("click", function () {
      window.setTimeout(function () { focusBox(false); }, 0);
    });
  }
  if (window.location.hash === "#svar") {
    focusBox(true);
  }

  if (!window.fetch) {
    return;
  }
  var links = document.querySelectorAll("a[data-quote]");
  Array.prototype.forEach.call(links, function (link) {
    var article = link.closest("article");
    var selected = "";
    // A click on a link can clear the selection before "click": remember it on press.
    link.addEventListener("pointerdown", function () { selected = selectedIn(article); });
    link.addEventListener("click", function (event) {
      var words = selected || selectedIn(article);
      selected = "";
      event.preventDefault();
      fetch(link.getAttribute("data-quote"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (answer) {
          insert(words ? quoted(answer.intro, words) : answer.text);
        })
        .catch(function () {
          window.location.href = link.href;  // the page quotes it, as without this script
        });
    });
  });
})();

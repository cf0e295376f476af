/* Show how many characters are left in text fields with a maxlength.
   Progressive enhancement: without this script the maxlength attribute alone stops typing
   at the limit. A short field (up to 1,000 characters) always shows its count; a long one
   (a post) once four fifths are used. The count is part of the field's description, read
   when the field gets the focus; a polite live region says it while typing only when the
   limit comes close, not at every key. The texts come from this script tag's data-one,
   data-other and data-over ("{n}" stands for the number). No inline code. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    return;
  }
  var texts = {
    one: script.getAttribute("data-one") || "{n}",
    other: script.getAttribute("data-other") || "{n}",
    over: script.getAttribute("data-over") || "{n}"
  };
  var SHORT = 1000;
  var language = document.documentElement.lang || "da";
  var number = window.Intl ? new Intl.NumberFormat(language) : null;
  var counter = 0;

  function format(n) {
    return number ? number.format(n) : String(n);
  }

  function say(left) {
    if (left < 0) {
      return texts.over.replace("{n}", format(-left));
    }
    return (left === 1 ? texts.one : texts.other).replace("{n}", format(left));
  }

  function describe(field, id, on) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    var at = ids.indexOf(id);
    if (on && at < 0) {
      ids.push(id);
    } else if (!on && at >= 0) {
      ids.splice(at, 1);
    }
    if (ids.length) {
      field.setAttribute("aria-describedby", ids.join(" "));
    } else {
      field.removeAttribute("aria-describedby");
    }
  }

  function attach(field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!(max > 0) || field.hasAttribute("data-no-counter")) {
      return;
    }
    counter += 1;
    var id = (field.id || "field-" + counter) + "-left";
    var count = document.createElement("p");
    count.className = "char-count";
    count.id = id;
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", count);
    count.insertAdjacentElement("afterend", live);
    // Announced once when a tenth (at least 10) is left, and again at the limit.
    var near = Math.max(10, Math.round(max / 10));
    var announced = null;

    function update() {
      var left = max - field.value.length;
      var shown = max <= SHORT || left <= max / 5;
      count.hidden = !shown;
      count.textContent = say(left);
      count.classList.toggle("char-count-near", left <= near);
      describe(field, id, shown);
      var stage = left <= 0 ? "limit" : (left <= near ? "near" : null);
      if (stage !== announced) {
        announced = stage;
        live.textContent = stage ? say(left) : "";
      }
    }

    field.addEventListener("input", update);
    update();
  }

  var fields = document.querySelectorAll("textarea[maxlength], input[type='text'][maxlength]");
  Array.prototype.forEach.call(fields, attach);
})();

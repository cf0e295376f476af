/* The header's menus are <details data-menu> elements: they open and close without this
   script, by mouse, touch and keyboard. The script only adds what a menu is expected to do
   besides: opening one closes the others (except the one it sits in), Escape closes the
   innermost open menu and returns focus to its button, and a click elsewhere closes them.
   No library, no inline code. */
(function () {
  "use strict";

  var menus = Array.prototype.slice.call(document.querySelectorAll("details[data-menu]"));
  if (!menus.length) {
    return;
  }

  function closeAllBut(keep) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(keep)) {
        menu.open = false;
      }
    });
  }

  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) {
        closeAllBut(menu);
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = menus.filter(function (menu) {
      return menu.open && menu.contains(document.activeElement);
    });
    var innermost = open[open.length - 1];
    if (!innermost) {
      return;
    }
    innermost.open = false;
    var button = innermost.querySelector("summary");
    if (button) {
      button.focus();
    }
  });

  document.addEventListener("click", function (event) {
    closeAllBut(event.target);
  });
})();

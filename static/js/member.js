/*
 * Klartext member home: copy the private calendar link. Without this file the link is still in
 * a read-only field that people can select and copy themselves.
 */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
      field.addEventListener("focus", function () {
        field.select();
      });
    });

    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      if (!field) return;
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = button.getAttribute("data-copied-label") || label;
          window.setTimeout(function () {
            button.textContent = label;
          }, 2000);
        });
      });
    });
  });
})();

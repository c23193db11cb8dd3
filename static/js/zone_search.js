/*
 * The time-zone select's search box (course/timezones.py, ZoneSelect): typing narrows the
 * grouped list to the zones whose city or region matches. Without this file the select works
 * as it is. No inline scripts, so a strict Content-Security-Policy keeps working.
 */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[_/]/g, " ");
  }

  function attach(input) {
    var select = document.getElementById(input.getAttribute("data-zone-search-for"));
    if (!select || input.dataset.zoneSearchReady) return;
    input.dataset.zoneSearchReady = "1";
    input.hidden = false;
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var firstMatch = null;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var region = fold(group.label);
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var also = option.getAttribute("data-also") || "";
          var text = region + " " + fold(option.textContent) + " " + fold(option.value) + " " + fold(also);
          var match = option.selected || words.every(function (word) { return text.indexOf(word) !== -1; });
          option.hidden = !match;
          if (match) {
            shown += 1;
            if (!firstMatch && !option.selected) firstMatch = option;
          }
        });
        group.hidden = shown === 0;
      });
      // One match left: choose it, so Enter or Tab keeps what was found.
      var visible = select.querySelectorAll("option:not([hidden])");
      if (visible.length === 1) select.value = visible[0].value;
      else if (visible.length === 2 && firstMatch) select.value = firstMatch.value;
    });
  }

  function start() {
    document.querySelectorAll("input[data-zone-search-for]").forEach(attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

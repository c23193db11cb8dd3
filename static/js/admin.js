/*
 * Klartext — the Wagtail admin without inline scripts.
 *
 * Wagtail's pickers, inline panels and choosers start themselves with a small inline <script>.
 * The admin's Content-Security-Policy allows no inline script (config/settings.py), so they
 * render a marker instead (course/admin_csp.py), and this file makes the same call: on page
 * load, and for markers added later (a new inline form, a dialog loaded into the page).
 */
(function () {
  "use strict";

  // Only these globals of Wagtail's may be called from a marker, never any other name.
  var ALLOWED = {
    initDateChooser: "call",
    initDateTimeChooser: "call",
    initTimeChooser: "call",
    createTaskChooser: "call",
    InlinePanel: "construct",
    MultipleChooserPanel: "construct",
    Chooser: "construct",
    PageChooser: "construct",
    ImageChooser: "construct",
    DocumentChooser: "construct",
    SnippetChooser: "construct",
  };
  var SELECTOR = "[data-klartext-init]:not([data-klartext-done])";
  // The pickers read only their own ISO format, and on leaving the field they replaced anything
  // else with today: a German "01.12.2026" was saved as today's date. The form reads the dates
  // people type in their language (course/formats) and refuses, keeping the text, what it cannot.
  var KEEP_TYPED = { initDateChooser: true, initDateTimeChooser: true };

  function start(marker) {
    marker.setAttribute("data-klartext-done", "");
    var name = marker.getAttribute("data-klartext-init");
    var target = Object.prototype.hasOwnProperty.call(ALLOWED, name) ? window[name] : null;
    if (typeof target !== "function") return;
    var config = JSON.parse(marker.getAttribute("data-config") || "{}");
    if (KEEP_TYPED[name]) config.validateOnBlur = false;
    try {
      if (ALLOWED[name] !== "construct") {
        target(marker.getAttribute("data-for"), config);
      } else if (marker.hasAttribute("data-for")) {
        new target(marker.getAttribute("data-for"), config); // a chooser: (id, options)
      } else {
        new target(config); // a panel: (options)
      }
    } catch (error) {
      // One broken widget must not keep the others from starting (an inline script would not).
      window.setTimeout(function () {
        throw error;
      });
    }
  }

  function startWithin(node) {
    if (node.nodeType !== 1) return;
    if (node.matches(SELECTOR)) start(node);
    node.querySelectorAll(SELECTOR).forEach(start);
  }

  function ready() {
    startWithin(document.body);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(startWithin);
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

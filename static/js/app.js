/*
 * Klartext — small progressive enhancements. The site works without this file.
 * No inline handlers anywhere: everything is attached here, so a strict
 * Content-Security-Policy (script-src 'self') keeps working.
 */
(function () {
  "use strict";

  // Mark the page as scripted, so CSS can offer enhancements only when they work.
  document.documentElement.classList.add("js");

  // Lesson pages: mark the table-of-contents entry for the section being read.
  function followTableOfContents() {
    var toc = document.querySelector(".lesson-toc");
    if (!toc) return;
    var items = [];
    toc.querySelectorAll("a[href^='#']").forEach(function (link) {
      var heading = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (heading) items.push({ link: link, heading: heading });
    });
    if (!items.length) return;

    var scheduled = false;
    function update() {
      scheduled = false;
      var line = window.innerHeight * 0.3;
      var current = null;
      items.forEach(function (item) {
        if (item.heading.getBoundingClientRect().top <= line) current = item;
      });
      items.forEach(function (item) {
        if (item === current) item.link.setAttribute("aria-current", "location");
        else item.link.removeAttribute("aria-current");
      });
    }
    function schedule() {
      if (!scheduled) {
        scheduled = true;
        window.requestAnimationFrame(update);
      }
    }
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", followTableOfContents);
  } else {
    followTableOfContents();
  }
})();

/*
 * Klartext — small progressive enhancements. The site works without this file.
 * No inline handlers anywhere: everything is attached here, so a strict
 * Content-Security-Policy (script-src 'self') keeps working.
 */
(function () {
  "use strict";

  // Mark the page as scripted, so CSS can offer enhancements only when they work.
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // Highlight the table-of-contents entry for the section being read.
    var toc = document.querySelector(".lesson-toc");
    if (!toc || !("IntersectionObserver" in window)) return;
    var links = {};
    toc.querySelectorAll("a[href^='#']").forEach(function (link) {
      links[decodeURIComponent(link.getAttribute("href").slice(1))] = link;
    });
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          Object.keys(links).forEach(function (id) {
            links[id].removeAttribute("aria-current");
          });
          var link = links[entry.target.id];
          if (link) link.setAttribute("aria-current", "location");
        });
      },
      { rootMargin: "0px 0px -70% 0px" }
    );
    Object.keys(links).forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
  });
})();

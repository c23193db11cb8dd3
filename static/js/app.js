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

  // An htmx form sent after the session ended (a response to a peer, say) gets 401: say so next
  // to the form, with a link to sign in again; nothing was swapped, so the typed text stays.
  // The editor says it in its own status line (editor.js).
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var form = event.detail.elt.closest("form") || event.detail.elt;
    if (!xhr || xhr.status !== 401 || form.dataset.msgSignedOut) return;
    var note = form.previousElementSibling;
    if (!note || !note.hasAttribute("data-signed-out")) {
      note = document.createElement("p");
      note.className = "alert alert-warning";
      note.setAttribute("role", "alert");
      note.setAttribute("data-signed-out", "");
      form.before(note);
    }
    var link = document.createElement("a");
    link.href = xhr.getResponseHeader("HX-Login") || "/accounts/login/";
    link.textContent = document.body.dataset.msgSignIn;
    note.replaceChildren(document.body.dataset.msgSignedOut + " ", link);
  });
})();

/*
 * Klartext — the writing editor: live character count, autosave with conflict handling,
 * retry with backoff when the network is gone, and a copy in localStorage as a last line of
 * defence. Also the "copy text" button of the publish page.
 *
 * No inline scripts or styles anywhere (strict CSP): everything is attached here. Translated
 * strings come from data-msg-* attributes rendered by the templates. The server decides every
 * rule (lessons/writing.py); this file only keeps the member's text safe on the way there.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ length
  // The counter and the networks' previews come from the server (lessons.network_text, asked as
  // the member types): what is counted is what would be posted, by one rule. Here only the save
  // cap is checked, in code points like Python's len.
  function codePoints(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      // A high surrogate followed by a low one is one code point.
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  // ------------------------------------------------------------------ storage
  function storage() {
    try {
      return window.localStorage;
    } catch (err) {
      return null; // blocked (privacy settings): the server copy is all we have
    }
  }

  // ------------------------------------------------------------------ the editor
  function setUpEditor(form) {
    var pieceId = form.dataset.pieceId;
    var PREFIX = "klartext:draft:" + pieceId + ":";
    var statusBox = document.getElementById("save-status");
    var banner = document.getElementById("local-copy");
    var maxBody = parseInt(form.dataset.maxBody, 10) || 0;
    var msg = form.dataset;

    var dirty = false;
    var saving = false;
    var sent = null; // what the request in flight carries
    var attempt = 0;
    var retryTimer = null;
    var storeTimer = null;
    var pendingShare = null;

    function field(name) {
      return form.querySelector('[name="' + name + '"]');
    }
    function snapshot() {
      var title = field("title");
      var body = field("body");
      return { title: title ? title.value : "", body: body ? body.value : "" };
    }
    function same(a, b) {
      return a && b && a.title === b.title && a.body === b.body;
    }
    function baseVersion() {
      var input = field("base_version");
      return input ? input.value : "";
    }
    function conflictOpen() {
      return !!document.getElementById("conflict-panel");
    }
    function setStatus(text, state, signInUrl) {
      var span = document.createElement("span");
      span.className = "save-state save-state-" + state;
      span.setAttribute("data-save-state", state);
      span.textContent = text;
      if (signInUrl) {
        var link = document.createElement("a");
        link.href = signInUrl;
        link.textContent = document.body.dataset.msgSignIn;
        span.append(" ", link);
      }
      statusBox.replaceChildren(span);
    }
    function currentState() {
      var el = statusBox.querySelector("[data-save-state]");
      return el ? el.getAttribute("data-save-state") : "";
    }
    // Readers see the version shared last: once a newer one is saved, the share button says so.
    function markUnshared() {
      document.querySelectorAll("[data-share-form][data-shared-version]").forEach(function (shareForm) {
        var button = shareForm.querySelector('button[type="submit"]');
        if (button && Number(baseVersion()) > Number(shareForm.dataset.sharedVersion)) {
          button.textContent = shareForm.dataset.labelChanges;
        }
      });
    }
    function saveNow() {
      window.htmx.trigger(form, "klartext:save");
    }

    // --- the local copy: one key per piece and base version
    function localKeys() {
      var store = storage();
      var keys = [];
      if (!store) return keys;
      for (var i = 0; i < store.length; i++) {
        var key = store.key(i);
        if (key && key.indexOf(PREFIX) === 0) keys.push(key);
      }
      return keys;
    }
    function storeLocal() {
      var store = storage();
      if (!store) return;
      var text = snapshot();
      var key = PREFIX + "v" + baseVersion();
      try {
        localKeys().forEach(function (other) {
          if (other !== key) store.removeItem(other);
        });
        store.setItem(
          key,
          JSON.stringify({ v: parseInt(baseVersion(), 10) || 0, title: text.title, body: text.body, at: Date.now() })
        );
      } catch (err) {
        // Quota exceeded or storage disabled: the server copy still counts.
      }
    }
    function clearLocal() {
      var store = storage();
      if (!store) return;
      localKeys().forEach(function (key) {
        store.removeItem(key);
      });
    }
    function readLocal() {
      var store = storage();
      var newest = null;
      localKeys().forEach(function (key) {
        try {
          var copy = JSON.parse(store.getItem(key));
          if (copy && typeof copy.body === "string" && (!newest || copy.at > newest.at)) newest = copy;
        } catch (err) {
          store.removeItem(key);
        }
      });
      return newest;
    }

    function markDirty() {
      if (!dirty && !saving && !conflictOpen()) setStatus(msg.msgUnsaved, "dirty");
      dirty = true;
      window.clearTimeout(storeTimer);
      storeTimer = window.setTimeout(storeLocal, 300);
    }

    function refreshCounter() {
      document.body.dispatchEvent(new CustomEvent("klartext:preview"));
    }

    function scheduleRetry(message) {
      setStatus(message, "retrying");
      if (retryTimer) return;
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
      attempt = Math.min(attempt + 1, 5);
      retryTimer = window.setTimeout(function () {
        retryTimer = null;
        if (dirty && !conflictOpen()) saveNow();
      }, delay);
    }
    function cancelRetry() {
      window.clearTimeout(retryTimer);
      retryTimer = null;
    }

    form.addEventListener("input", function (event) {
      var name = event.target && event.target.name;
      if (name !== "title" && name !== "body") return;
      markDirty();
    });

    form.addEventListener("htmx:confirm", function (event) {
      var detail = event.detail;
      var explicit = detail.elt !== form || (detail.triggeringEvent && detail.triggeringEvent.type === "submit");
      if (detail.elt === form) {
        if (conflictOpen()) {
          event.preventDefault();
          setStatus(msg.msgConflictOpen, "conflict");
          return;
        }
        if (!dirty && !explicit) {
          event.preventDefault(); // nothing new to save
          return;
        }
      }
      if (maxBody && codePoints(snapshot().body) > maxBody) {
        event.preventDefault();
        setStatus(msg.msgTooLong, "refused");
      }
    });

    form.addEventListener("htmx:beforeRequest", function () {
      saving = true;
      sent = snapshot();
      if (currentState() !== "retrying") setStatus(msg.msgSaving, "saving");
    });

    // Conflicts (409) and refusals (422) carry a fragment to show, not an error.
    form.addEventListener("htmx:beforeSwap", function (event) {
      var status = event.detail.xhr && event.detail.xhr.status;
      if (status === 409 || status === 422) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });

    form.addEventListener("htmx:afterRequest", function (event) {
      saving = false;
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      if (status >= 200 && status < 300) {
        var state = currentState();
        if (state === "saved" || state === "taken") {
          attempt = 0;
          cancelRetry();
          form.dataset.serverVersion = baseVersion();
          markUnshared();
          if (state === "taken" || same(snapshot(), sent)) {
            dirty = false;
            clearLocal();
          } else {
            storeLocal(); // typed on while saving: the next save follows
          }
          if (pendingShare && !dirty) {
            var shareForm = pendingShare;
            pendingShare = null;
            shareForm.submit();
          }
        }
        return;
      }
      if (status === 409 || status === 422) {
        cancelRetry();
        pendingShare = null;
        return;
      }
      if (status === 404) {
        cancelRetry();
        setStatus(msg.msgGone, "refused");
        return;
      }
      if (status === 401) {
        // Signed out (elsewhere, or the session ended): no retry can succeed until they sign in.
        cancelRetry();
        storeLocal();
        setStatus(msg.msgSignedOut, "signed-out", event.detail.xhr.getResponseHeader("HX-Login"));
        return;
      }
      if (status === 400 || status === 413) {
        setStatus(msg.msgTooLong, "refused");
        return;
      }
      // Status 0 (network gone, timeout), 5xx, 429, 403: keep the text
      // on this device and try again with backoff.
      storeLocal();
      if (status === 0) {
        scheduleRetry(navigator.onLine === false ? msg.msgOffline : msg.msgRetrying);
      } else {
        scheduleRetry(msg.msgFailed);
      }
    });

    window.addEventListener("offline", function () {
      if (dirty) setStatus(msg.msgOffline, "retrying");
    });
    window.addEventListener("online", function () {
      if (dirty && !conflictOpen()) {
        cancelRetry();
        attempt = 0;
        saveNow();
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty || saving) {
        storeLocal();
        event.preventDefault();
        event.returnValue = "";
      }
    });

    // Share: save what is in the editor first, then share it.
    document.querySelectorAll("[data-share-form]").forEach(function (shareForm) {
      shareForm.addEventListener("submit", function (event) {
        if (!dirty && !saving) return;
        event.preventDefault();
        if (conflictOpen()) {
          setStatus(msg.msgConflictOpen, "conflict");
          document.getElementById("conflict-panel").scrollIntoView({ block: "start" });
          return;
        }
        pendingShare = shareForm;
        if (!saving) saveNow();
      });
    });

    // The last line of defence: text from this device that never reached the server.
    function offerLocalCopy() {
      if (!banner) return;
      var copy = readLocal();
      if (!copy) return;
      var text = snapshot();
      if (copy.body === text.body && (copy.title || "") === text.title) {
        clearLocal();
        return;
      }
      var updatedAt = (parseInt(form.dataset.updatedAt, 10) || 0) * 1000;
      var when = new Date(copy.at);
      var time = when.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
      var template = copy.at > updatedAt ? msg.msgLocalNewer : msg.msgLocalOlder;
      banner.querySelector("[data-local-copy-text]").textContent = fill(template, { time: time });
      banner.hidden = false;
      banner.addEventListener("click", function (event) {
        var button = event.target.closest("[data-local-copy]");
        if (!button) return;
        if (button.getAttribute("data-local-copy") === "restore") {
          field("title").value = copy.title || "";
          field("body").value = copy.body;
          // Based on the version it was typed on: if the server moved on since, the member
          // sees both texts in the conflict panel instead of overwriting anything.
          field("base_version").value = String(copy.v);
          dirty = true;
          refreshCounter();
          saveNow();
        } else {
          clearLocal();
        }
        banner.hidden = true;
      });
    }

    offerLocalCopy();
  }

  // ------------------------------------------------------------------ copy text (publish page)
  function setUpCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var area = document.getElementById(button.getAttribute("data-copy-target"));
        var status = button.parentElement.querySelector("[data-copy-status]");
        if (!area) return;
        function say(text) {
          if (status) status.textContent = text;
        }
        function selectInstead() {
          area.focus();
          area.select();
          var copied = false;
          try {
            copied = document.execCommand("copy");
          } catch (err) {
            copied = false;
          }
          say(copied ? button.dataset.msgCopied : button.dataset.msgSelected);
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(area.value).then(function () {
            say(button.dataset.msgCopied);
          }, selectInstead);
        } else {
          selectInstead();
        }
      });
    });
  }

  function init() {
    var form = document.getElementById("editor-form");
    if (form && window.htmx) setUpEditor(form);
    setUpCopyButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

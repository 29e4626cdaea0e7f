// The CIM review page, recorded by the team together (progress/views_review.py).
//
// Each row ([data-review-row]) is a form that htmx saves in place. Every few seconds the page
// asks for the rows others saved; they arrive as out-of-band swaps. This script:
// - marks a row "dirty" as soon as the person types in it, and never lets the poll replace a
//   dirty row (or one with the focus, or one being saved): it shows a notice in the row instead;
// - reads out saves, refusals and others' changes in the page's live region;
// - puts the focus back where it was after a row is saved.
"use strict";
(function () {
  var pending = [];
  var refocus = null;

  function announce(text) {
    var live = document.getElementById("review-announcer");
    if (!live || !text) {
      return;
    }
    pending.push(text);
    // Several rows may arrive at once: one announcement, after the swaps.
    window.setTimeout(function () {
      if (pending.length) {
        live.textContent = pending.join(" ");
        pending = [];
      }
    }, 100);
  }

  function rowOf(element) {
    return element && element.closest ? element.closest("[data-review-row]") : null;
  }

  function markDirty(event) {
    var row = rowOf(event.target);
    if (row && event.target.name && event.target.name.indexOf("stamp-") !== 0) {
      row.setAttribute("data-dirty", "true");
    }
  }
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);

  function busy(row) {
    var focused = document.activeElement;
    return row.getAttribute("data-dirty") === "true"
      || row.classList.contains("htmx-request")
      || (focused && row.contains(focused) && focused.matches("input, textarea, select"));
  }

  // A row from the poll: put in place only if the person is not working in it.
  function stampOf(element) {
    var stamp = element && element.querySelector("[data-review-stamp]");
    return stamp ? stamp.value : null;
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var row = event.detail.target;
    if (!row || !row.matches("[data-review-row]")) {
      return;
    }
    var incoming = event.detail.fragment.querySelector("[data-review-row]")
      || event.detail.fragment.firstElementChild;
    if (incoming && stampOf(incoming) === stampOf(row)) {
      event.detail.shouldSwap = false; // nothing new (a poll sent before this page's own save)
      return;
    }
    if (!busy(row)) {
      return;
    }
    event.detail.shouldSwap = false;
    if (row.getAttribute("data-dirty") !== "true") {
      return; // only focused: it is put in place at a later poll, once the person moves on
    }
    var notice = row.querySelector("[data-row-notice]");
    if (!incoming || !notice) {
      return;
    }
    var who = incoming.getAttribute("data-saved-by") || "Someone";
    var when = incoming.getAttribute("data-saved-at");
    var text = who + " saved a newer version of " + row.getAttribute("data-row-label")
      + (when ? " at " + when : "") + ". What you typed here is not saved yet: save it to see"
      + " both texts side by side, and keep yours or take theirs.";
    if (notice.textContent !== text) {
      notice.textContent = text;
      notice.hidden = false;
      announce(text);
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = rowOf(event.detail.elt);
    if (row && event.detail.elt === row && document.activeElement) {
      refocus = document.activeElement.id || null;
    }
  });

  // New content (a saved row, a refused one, a row from the poll): read out what it says.
  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    var rows = element.matches && element.matches("[data-review-row]")
      ? [element] : Array.prototype.slice.call(element.querySelectorAll
        ? element.querySelectorAll("[data-review-row][data-announce]") : []);
    rows.forEach(function (row) {
      var text = row.getAttribute("data-announce");
      if (text) {
        announce(text);
        row.removeAttribute("data-announce");
      }
      if (refocus && row.querySelector("#" + CSS.escape(refocus))) {
        row.querySelector("#" + CSS.escape(refocus)).focus();
        refocus = null;
      }
    });
  });
})();

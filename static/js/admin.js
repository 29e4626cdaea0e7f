// The Django admin, made to pass WCAG 2.1 AA where Django's own scripts do not.
//
// The two-box "filter" widget (SelectFilter2.js, e.g. a user's permissions) draws its search
// icon as a <span aria-label="…">; ARIA forbids a label on an element without a role, so screen
// readers may drop it. Giving the icon role="img" makes the label its name. The widget is built
// on the page's load event, so watch the document for it.
"use strict";
(function () {
  function fix(root) {
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  new MutationObserver(function () {
    fix(document);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// The Django admin, made to pass WCAG 2.1 AA where Django's own templates and scripts do not.
// The admin draws some of its widgets in the browser, so the fixes watch the document.
//
// - The two-box "filter" widget (a group's permissions) draws its search icon as a
//   <span aria-label="…">; ARIA forbids a label on an element without a role: role="img".
// - A tabular inline (a user's memberships) names its fields only by the column headings, which
//   are not labels: each field gets its column's heading as its name.
// - A date-and-time field (last login) is two inputs under one unattached label: each gets the
//   label's text and "date" or "time".
// - An autocomplete field (select2) is a combobox, holding a read-only textbox, neither with a
//   name: both get the name of the <select> they stand for.
"use strict";
(function () {
  function text(element) {
    return element ? element.textContent.replace(/[:*]/g, "").trim() : "";
  }
  function named(field) {
    return field.labels && field.labels.length
      || field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby");
  }
  function fix() {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    document.querySelectorAll(".tabular td[class^='field-'], .tabular td.delete").forEach(function (cell) {
      const column = cell.classList.contains("delete") ? "delete" : cell.className.split(" ")[0].slice(6);
      const table = cell.closest("table");
      const heading = column === "delete"
        ? table.querySelector("thead th:last-child")
        : table.querySelector("thead th.column-" + column);
      const row = cell.closest("tr");
      const number = Array.prototype.indexOf.call(row.parentNode.children, row) + 1;
      cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
        if (!named(field) && heading) field.setAttribute("aria-label", text(heading) + " " + number);
      });
    });
    document.querySelectorAll("p.datetime").forEach(function (pair) {
      const label = pair.closest(".form-row, .fieldBox, div") && pair.parentNode.querySelector("label");
      pair.querySelectorAll("input").forEach(function (field, index) {
        if (!named(field)) field.setAttribute("aria-label", text(label) + (index ? " time" : " date"));
      });
    });
    document.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      const rendered = box.querySelector("[role=textbox]:not([aria-label])");
      if (box.hasAttribute("aria-label")) {
        if (rendered) rendered.setAttribute("aria-label", box.getAttribute("aria-label"));
        return;
      }
      const container = box.closest(".select2");
      const select = container && container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      const cell = select.closest("td[class^='field-']");
      const name = select.labels && select.labels.length ? text(select.labels[0])
        : cell ? text(cell.closest("table").querySelector("thead th.column-" + cell.className.split(" ")[0].slice(6)))
        : select.name;
      box.setAttribute("aria-label", name);
      if (rendered) rendered.setAttribute("aria-label", name);
    });
  }
  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
})();

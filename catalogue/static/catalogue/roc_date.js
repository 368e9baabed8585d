/* The date picker beside each ROC date box (catalogue.forms.RocDateInput).
 *
 * A day picked in the browser's calendar is written into the box as 115.12.01; a date typed
 * into the box moves the calendar to it. The server reads the box only (catalogue.roc), so
 * without this script the box still works. Events are delegated to the document, so rows the
 * admin adds later (inlines) work too.
 */
"use strict";
(function () {
  const ROC_OFFSET = 1911;

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  // 2026-12-01 -> 115.12.01 (the form catalogue.roc.roc_date_short writes).
  function toRoc(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!match || Number(match[1]) <= ROC_OFFSET) {
      return "";
    }
    return `${Number(match[1]) - ROC_OFFSET}.${match[2]}.${match[3]}`;
  }

  // 115.12.01, 115-12-01, 115/12/01, 1151201 or 2026-12-01 -> 2026-12-01; "" when not a day.
  function toIso(text) {
    const value = text.trim();
    const match =
      /^(\d{1,4})[./-](\d{1,2})[./-](\d{1,2})$/.exec(value) || /^(\d{1,3})(\d{2})(\d{2})$/.exec(value);
    if (!match) {
      return "";
    }
    let year = Number(match[1]);
    if (match[1].length < 4) {
      year += ROC_OFFSET;
    }
    const month = Number(match[2]);
    const day = Number(match[3]);
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return "";
    }
    return `${year}-${pad(month)}-${pad(day)}`;
  }

  function onChange(event) {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) {
      return;
    }
    if (target.classList.contains("roc-date-picker")) {
      const box = document.getElementById(target.dataset.rocDateFor);
      if (box && target.value) {
        box.value = toRoc(target.value);
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (target.classList.contains("roc-date-text")) {
      const picker = target.parentElement.querySelector(".roc-date-picker");
      if (picker) {
        picker.value = toIso(target.value);
      }
    }
  }

  document.documentElement.classList.add("roc-date-ready");
  document.addEventListener("change", onChange);
  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLInputElement && event.target.classList.contains("roc-date-picker")) {
      onChange(event);
    }
  });
})();

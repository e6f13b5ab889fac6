// The entry grid, from the keyboard: after a refused save the first wrong
// cell has the focus; the error summary's links focus their cell; Enter moves
// down a column (Shift+Enter up), from a column's last row to the top of the
// next one, and from the last cell to the table's Save button; Ctrl+S (⌘S)
// saves the table the focus is in. As figures are typed, the full year's
// running sum of the quarters follows, the year is filled in with it while
// the person has not typed one, and a year that differs from the four
// quarters asks why. Without JavaScript the grid still works: the buttons
// save, the server fills in the year and shows the note field.
// A static file, so it runs under the content-security policy (script-src 'self').
(function () {
  "use strict";

  var SELECTOR = ".grid-table input[type=text]";

  function visible(element) {
    return element && element.offsetParent !== null && !element.readOnly;
  }

  function columnInputs(table, column) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return row.cells[column] && row.cells[column].querySelector("input[type=text]");
    }).filter(Boolean);
  }

  function focusInput(input) {
    input.focus();
    if (input.select) input.select();
  }

  function saveButton(form) {
    var buttons = form.querySelectorAll("[data-save]");
    return buttons[buttons.length - 1];
  }

  function moveFrom(input, up) {
    var cell = input.closest("td");
    var table = input.closest("table");
    var width = cell.parentNode.cells.length;
    var column = Array.prototype.indexOf.call(cell.parentNode.cells, cell);
    var inputs = columnInputs(table, column);
    var index = inputs.indexOf(input) + (up ? -1 : 1);
    while (column > 0 && column < width) {
      for (; index >= 0 && index < inputs.length; index += up ? -1 : 1) {
        if (visible(inputs[index])) return focusInput(inputs[index]);
      }
      column += up ? -1 : 1;
      inputs = columnInputs(table, column);
      index = up ? inputs.length - 1 : 0;
    }
    if (!up) {
      var button = saveButton(input.form);
      if (button) button.focus();
    }
  }

  function onKey(event) {
    var target = event.target;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S")) {
      var form = (target.closest && target.closest("form.entry-grid-form")) ||
        document.querySelector("form.entry-grid-form");
      var button = form && saveButton(form);
      if (!button) return;
      event.preventDefault();
      form.requestSubmit(button);
      return;
    }
    if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) return;
    if (!target.matches || !target.matches(SELECTOR)) return;
    event.preventDefault();
    moveFrom(target, event.shiftKey);
  }

  // Figures as typed (1234, 1,234, $1,234.50) in cents; null when blank or not a figure.
  function cents(text) {
    text = text.replace(/[$,\s]/g, "");
    if (text === "") return null;
    var match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
    if (!match) return NaN;
    var value = parseInt(match[2], 10) * 100 + parseInt(((match[3] || "") + "00").slice(0, 2), 10);
    return match[1] ? -value : value;
  }

  function formatted(total, type) {
    var whole = total % 100 === 0;
    var text = (Math.abs(total) / 100).toLocaleString("en-CA", {
      minimumFractionDigits: whole ? 0 : 2,
      maximumFractionDigits: whole ? 0 : 2,
    });
    return (total < 0 ? "\u2212" : "") + (type === "currency" ? "$" : "") + text;
  }

  function quartersLabel(quarters) {
    var runs = quarters.length > 1 && quarters.every(function (q, i) {
      return i === 0 || parseInt(q.slice(1), 10) === parseInt(quarters[i - 1].slice(1), 10) + 1;
    });
    return runs ? quarters[0] + "\u2013" + quarters[quarters.length - 1] : quarters.join(", ");
  }

  function refreshRow(row) {
    var yearCell = row.querySelector("td[data-year]");
    if (!yearCell) return;
    var year = yearCell.querySelector("input[type=text]");
    var type = year.getAttribute("data-type");
    var total = 0, quarters = [], complete = true;
    Array.prototype.forEach.call(row.querySelectorAll("td:not([data-year]) input[type=text]"), function (input, i) {
      var value = cents(input.value);
      if (value === null || isNaN(value)) { complete = false; return; }
      total += value;
      quarters.push("Q" + (i + 1));
    });
    var sum = yearCell.querySelector("[data-sum]");
    sum.textContent = quarters.length ? "Sum of " + quartersLabel(quarters) + ": " + formatted(total, type) : "No quarter yet";
    if (!year.readOnly && complete && (year.value === "" || year.hasAttribute("data-filled"))) {
      year.value = formatted(total, type).replace("\u2212", "-");
      year.setAttribute("data-filled", "");
    }
    var note = yearCell.querySelector("[data-year-note]");
    var typed = cents(year.value);
    if (note) note.hidden = !(complete && typed !== null && !isNaN(typed) && typed !== total);
  }

  function onInput(event) {
    var input = event.target;
    if (!input.matches || !input.matches(SELECTOR)) return;
    if (input.closest("td[data-year]")) input.removeAttribute("data-filled");
    refreshRow(input.closest("tr"));
  }

  function focusCell(id) {
    var input = document.getElementById(id);
    if (input) focusInput(input);
    return input;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("keydown", onKey);
    document.addEventListener("input", onInput);
    Array.prototype.forEach.call(document.querySelectorAll("td.from-quarters input"), function (input) {
      input.setAttribute("data-filled", "");
    });
    var summary = document.getElementById("grid-errors");
    if (!summary) return;
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && focusCell(link.getAttribute("href").slice(1))) event.preventDefault();
    });
    var first = document.querySelector(".grid-table input[aria-invalid=true]");
    if (first) focusCell(first.id);
  });
})();

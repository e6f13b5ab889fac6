// The entry grid, from the keyboard: after a refused save the first wrong
// cell has the focus; the error summary's links focus their cell; Enter moves
// down a column (Shift+Enter up) and never submits the grid. A static file,
// so it runs under the content-security policy (script-src 'self').
(function () {
  "use strict";

  function cellsOf(table, column) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return row.cells[column] && row.cells[column].querySelector("input[type=text]");
    });
  }

  function onKey(event) {
    var input = event.target;
    if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) return;
    if (!input.matches || !input.matches(".grid-table input[type=text]")) return;
    event.preventDefault();
    var cell = input.closest("td");
    var table = input.closest("table");
    var column = Array.prototype.indexOf.call(cell.parentNode.cells, cell);
    var inputs = cellsOf(table, column);
    var next = inputs[inputs.indexOf(input) + (event.shiftKey ? -1 : 1)];
    if (next) {
      next.focus();
      next.select();
    }
  }

  function focusCell(id) {
    var input = document.getElementById(id);
    if (input) {
      input.focus();
      input.select();
    }
    return input;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("keydown", onKey);
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

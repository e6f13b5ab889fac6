// The summary on a phone: each unit's section and its charts start folded
// (below 40rem), so the page reads in a few screens. Without this script every
// section stays open, as on the desktop. Printing opens every section and
// restores the reader's choice afterwards.
(function () {
  "use strict";
  var folds = document.querySelectorAll("details.fold-on-phone");
  if (window.matchMedia("(max-width: 40rem)").matches) {
    folds.forEach(function (fold) { fold.open = false; });
  }
  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = Array.prototype.filter.call(folds, function (fold) { return !fold.open; });
    closedBeforePrint.forEach(function (fold) { fold.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (fold) { fold.open = false; });
    closedBeforePrint = [];
  });
})();

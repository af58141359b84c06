// Fills each search box's <datalist> from the JSON autocomplete API; the form works without it.
(function () {
  "use strict";
  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q || !list) { return; }
      timer = setTimeout(function () {
        fetch(input.dataset.autocomplete + "?limit=8&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (hits) {
            list.replaceChildren.apply(list, hits.map(function (hit) {
              var option = document.createElement("option");
              option.value = hit.label;   // textContent/value: never parsed as HTML
              return option;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  });
})();

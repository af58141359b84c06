// Search suggestions under each search box (WAI-ARIA 1.2 combobox with a listbox): names with
// their type and one line of description, from the JSON API; arrow keys choose, Enter opens the
// page, Escape closes. Without this script the form still searches.
(function () {
  "use strict";

  function safeUrl(url) {
    // Local pages, or http(s) pages elsewhere: never javascript: or data: URLs from the data.
    return /^(\/(?!\/)|https?:\/\/)/.test(url) ? url : null;
  }

  function option(hit, id) {
    var item = document.createElement("li");
    item.id = id;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.dataset.url = safeUrl(hit.url) || "";
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = hit.label;        // textContent: never parsed as HTML
    if (hit.lang) { name.lang = hit.lang; }
    item.appendChild(name);
    if (hit.kind) {
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      item.append(" ", kind);
    }
    if (hit.description) {
      var line = document.createElement("span");
      line.className = "description";
      line.textContent = hit.description;
      if (hit.descriptionLang) { line.lang = hit.descriptionLang; }
      item.appendChild(line);
    }
    return item;
  }

  function setUp(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var timer = null;
    var active = -1;
    var asked = 0;

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(index) {
      var all = options();
      if (!all.length) { return; }
      active = (index + all.length) % all.length;
      all.forEach(function (item, i) { item.setAttribute("aria-selected", String(i === active)); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function open(url) { if (url) { window.location.assign(url); } }

    function show(hits) {
      list.replaceChildren.apply(list, hits.map(function (hit, i) {
        return option(hit, input.id + "-option-" + i);
      }));
      active = -1;
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", String(hits.length > 0));
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var ticket = ++asked;
        var lang = document.documentElement.lang;
        fetch(input.dataset.autocomplete + "?limit=8&lang=" + encodeURIComponent(lang) +
              "&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (hits) { if (ticket === asked) { show(hits); } })
          .catch(function () { close(); });
      }, 150);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { return; }
        event.preventDefault();
        choose(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        open(options()[active].dataset.url);
      } else if (event.key === "Escape") {
        close();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 150); });
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) { event.preventDefault(); open(item.dataset.url); }
    });
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(setUp);
})();

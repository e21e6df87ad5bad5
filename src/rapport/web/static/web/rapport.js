/* Rapport's small behaviours: autocomplete selects, bulk selection, closing the search box. */
(function () {
  function initAutocomplete(root) {
    root.querySelectorAll("select[data-autocomplete]").forEach(function (el) {
      if (el.tomselect) return;
      new TomSelect(el, {
        valueField: "value", labelField: "text", searchField: "text",
        loadThrottle: 250, maxOptions: 20,
        allowEmptyOption: true,
        preload: el.dataset.preload === "focus" ? "focus" : false,
        // The server's order (alphabetical), not Tom Select's scoring.
        sortField: [{field: "$order"}, {field: "$score"}],
        // A choice is final: close and leave the box, so that the answer to a search still on
        // its way cannot open the list again over the form (and eat the click on "Filter").
        closeAfterSelect: true,
        onItemAdd: function () { this.blur(); },
        load: function (query, callback) {
          fetch(el.dataset.autocomplete + "?q=" + encodeURIComponent(query), {credentials: "same-origin"})
            .then(function (r) { return r.json(); })
            .then(function (data) { callback(data.results); })
            .catch(function () { callback(); });
        },
      });
    });
  }
  function initBulk(root) {
    var form = root.querySelector("#bulk-form");
    if (!form) return;
    var all = root.querySelector("#select-page");
    function sync() {
      var ids = Array.from(root.querySelectorAll("input.row-select:checked")).map(function (c) { return c.value; });
      form.querySelector("input[name=ids]").value = ids.join(",");
      var counter = form.querySelector("[data-selected-count]");
      if (counter) counter.textContent = ids.length;
    }
    root.addEventListener("change", function (e) {
      if (e.target === all) {
        root.querySelectorAll("input.row-select").forEach(function (c) { c.checked = all.checked; });
      }
      if (e.target === all || e.target.classList.contains("row-select")) sync();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initAutocomplete(document); initBulk(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initAutocomplete(e.target); });
  document.addEventListener("click", function (e) {
    var results = document.getElementById("search-results");
    if (results && !results.contains(e.target) && e.target.id !== "global-search") results.innerHTML = "";
  });
})();

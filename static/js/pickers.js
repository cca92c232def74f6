// Search-as-you-type pickers (registry/forms/pickers.py, accounts.forms.LookupPicker): a <select data-picker-url> holds only
// its chosen option; Tom Select asks the URL for at most 20 matches ({results: [{id, name,
// township}]}) as the user types, in the user's sight only. Without scripts the select still
// submits what it holds.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-picker-url]")) {
    const url = select.dataset.pickerUrl;
    new TomSelect(select, {
      valueField: "id",
      labelField: "label",
      searchField: ["label"],
      maxOptions: 20,
      allowEmptyOption: true,
      loadThrottle: 250,
      shouldLoad: (query) => query.length > 0,
      load: (query, callback) => {
        fetch(`${url}?q=${encodeURIComponent(query)}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => response.json())
          .then((data) => callback(data.results.map((item) => ({ id: String(item.id), label: item.township ? `${item.name} · ${item.township}` : item.name }))))
          .catch(() => callback());
      },
    });
  }
});

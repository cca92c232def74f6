// Search-as-you-type pickers (registry/forms/pickers.py, accounts.forms.LookupPicker): a <select data-picker-url> holds only
// its chosen option; Tom Select asks the URL for at most 20 matches ({results: [{id, name,
// township}]}) as the user types, in the user's sight only. Without scripts the select still
// submits what it holds.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-picker-url]")) {
    const url = select.dataset.pickerUrl;
    // Tom Select points the label at its own input; the select it hides keeps the label's
    // words as its accessible name.
    const label = select.id ? document.querySelector(`label[for="${select.id}"]`) : null;
    if (label && !select.hasAttribute("aria-label")) select.setAttribute("aria-label", label.textContent.trim());
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

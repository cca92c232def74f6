// Bulk actions on a list (paperwork/bulk.py): the rows' checkboxes belong to the action bar's
// form through their form="…" attribute (the rows keep their own forms), a checkbox with
// data-bulk-all="<form id>" chooses every row of that form, and the bar counts the chosen rows
// and enables its buttons only when there are some. Without scripts the checkboxes and buttons
// still work; the server refuses an empty choice with a message.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-bulk]")) {
    const rows = () => document.querySelectorAll(`input[type="checkbox"][name="ids"][form="${form.id}"]`);
    const all = document.querySelector(`input[type="checkbox"][data-bulk-all="${form.id}"]`);
    const update = () => {
      const boxes = Array.from(rows());
      const chosen = boxes.filter((box) => box.checked).length;
      for (const count of form.querySelectorAll("[data-bulk-count]")) {
        count.textContent = String(chosen);
      }
      for (const button of form.querySelectorAll("button[type=submit]")) {
        button.disabled = chosen === 0;
      }
      if (all) {
        all.checked = chosen > 0 && chosen === boxes.length;
        all.indeterminate = chosen > 0 && chosen < boxes.length;
      }
    };
    if (all) {
      all.addEventListener("change", () => {
        for (const box of rows()) {
          box.checked = all.checked;
        }
        update();
      });
    }
    for (const box of rows()) {
      box.addEventListener("change", update);
    }
    update();
  }
});

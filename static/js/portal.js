// Behaviour the templates once wrote inline (onclick, onchange). The Content-Security-Policy
// allows scripts from this site's own files only ('unsafe-inline' is off), so it is wired here:
// a button with data-print prints the page, a select with data-autosubmit submits its form.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
});

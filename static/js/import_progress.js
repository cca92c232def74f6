// Polls an import's status and moves the progress bar; reloads the page when the job ends so
// that the report (or the success message) is rendered by the server.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  var bar = box.querySelector(".progress-bar");
  var counts = document.getElementById("import-counts");
  var status = document.getElementById("import-status");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        bar.style.width = data.percent + "%";
        bar.setAttribute("aria-valuenow", data.percent);
        bar.textContent = data.percent + "%";
        status.textContent = data.status_display;
        if (data.status === "running" && data.total && data.processed >= data.total) {
          counts.textContent = box.dataset.savingLabel;
        } else if (data.total) {
          counts.textContent = data.processed + " / " + data.total;
        }
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();

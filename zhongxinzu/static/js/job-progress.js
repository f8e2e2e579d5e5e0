// Job page: poll the job's status.json every two seconds and update the progress bar until
// the job has finished (done or failed). No inline script (CSP).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }
  function show(id, on) {
    var el = document.getElementById(id);
    if (el) el.hidden = !on;
  }
  function update(s) {
    text("job-status", s.status_label);
    text("job-stage", s.stage ? "· " + s.stage : "");
    var bar = document.getElementById("job-progress");
    if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
    text("job-count", s.total ? s.done + "/" + s.total : "");
    if (s.result_text) {
      var result = document.getElementById("job-result");
      if (result && result.firstChild) result.firstChild.nodeValue = s.result_text + " ";
      show("job-result", true);
    }
    if (s.result_url) {
      var link = document.getElementById("job-result-link");
      if (link) { link.href = s.result_url; link.hidden = false; }
    }
    if (s.error) { text("job-error", s.error); show("job-error", true); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        update(s);
        if (!s.finished) window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();

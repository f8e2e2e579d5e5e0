// Live total on the score sheet; the server recomputes it on save.
(function () {
  var form = document.getElementById("score-sheet");
  var out = document.getElementById("score-total");
  if (!form || !out) return;
  function update() {
    var total = 0;
    form.querySelectorAll(".score-input").forEach(function (input) {
      var v = parseFloat(input.value);
      if (!isNaN(v)) total += Math.min(Math.max(v, 0), parseFloat(input.dataset.points));
    });
    out.textContent = Math.round(total * 10) / 10;
  }
  form.addEventListener("input", update);
})();

// 点名考勤: one button marks everyone not yet marked as present. The form works without it.
(function () {
  var button = document.querySelector("[data-roll-all]");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var value = button.getAttribute("data-roll-all");
    document.querySelectorAll("#roll-call tr.roll-row").forEach(function (row) {
      if (!row.querySelector("input[type=radio]:checked")) {
        var radio = row.querySelector("input[type=radio][value='" + value + "']");
        if (radio) { radio.checked = true; }
      }
    });
  });
})();

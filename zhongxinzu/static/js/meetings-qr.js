// 扫码签到: fetch a fresh QR code when the current one expires (every ~30 s).
(function () {
  var box = document.getElementById("qr-box");
  if (!box) { return; }
  var image = document.getElementById("qr-image");
  var signed = document.getElementById("qr-signed");
  var status = document.getElementById("qr-status");
  var url = box.getAttribute("data-refresh-url");

  function schedule(seconds) {
    var wait = Math.max(1, Number(seconds) || 30) * 1000 + 300;
    window.setTimeout(refresh, wait);
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        image.src = data.src;
        signed.textContent = data.signed_in;
        status.textContent = "";
        schedule(data.expires_in);
      })
      .catch(function () {
        status.textContent = "二维码刷新失败，正在重试……";
        schedule(5);
      });
  }

  schedule(box.getAttribute("data-expires-in"));
})();

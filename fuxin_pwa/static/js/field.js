// Field helpers, loaded on every page; small enough that no library is needed.
// Geolocation fills a check-in form in the background and never blocks saving:
// denied or no fix still saves, recorded as 无定位.
(function () {
  "use strict";
  // FuxinT (outbox-store.js) loads after this file; it is there by the time a form is located.
  function t(zh, params) {
    return window.FuxinT ? window.FuxinT(zh, params)
      : zh.replace(/\{(\w+)\}/g, function (all, k) { return params && k in params ? params[k] : all; });
  }
  function geolocate(root) {
    var form = (root || document).querySelector("form[data-geolocate]");
    if (!form || form.dataset.geoStarted) return;
    form.dataset.geoStarted = "1";
    var status = form.querySelector("[data-geo-status]");
    var lat = form.querySelector("[data-geo=lat]");
    var lon = form.querySelector("[data-geo=lon]");
    var acc = form.querySelector("[data-geo=accuracy]");
    var low = Number(status && status.dataset.lowAccuracy) || 200;
    if (lat && lat.value) return; // a form returned with errors keeps its position
    if (!("geolocation" in navigator)) { if (status) status.textContent = t('此设备不支持定位，将记为"无定位"'); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      acc.value = Math.round(pos.coords.accuracy);
      if (status) status.textContent = t(pos.coords.accuracy > low ? "已定位 ±{m} 米（定位精度低）" : "已定位 ±{m} 米",
        { m: Math.round(pos.coords.accuracy) });
    }, function () {
      if (status) status.textContent = t('未能定位，将记为"无定位"，仍可保存');
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  // htmx does not swap 4xx/5xx answers by default. A form returned with its field errors
  // (422) must be shown, and a boosted page that answers 403/404/500 is still a whole page
  // the person should see; a targeted fragment keeps htmx's default of not swapping errors.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status === 422 || (e.detail.boosted && status >= 400 && status !== 401)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("DOMContentLoaded", function () { geolocate(document); });
  document.addEventListener("htmx:load", function (e) { geolocate(e.target); });
})();

// Draws a neighbourhood's boundary with Leaflet (served from the django-leaflet wheel).
// No tiles unless the deployment configures a tile server: the shape on a plain background.
(function () {
  "use strict";
  var el = document.getElementById("neighbourhood-map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tileUrl });
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  }
  fetch(el.dataset.boundaryUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
    .then(function (feature) {
      var layer = L.geoJSON(feature, { style: { color: "#12306b", weight: 3, fillOpacity: 0.1 } });
      layer.addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      map.on("click", function (e) {
        window.location.href = "/search?lat=" + e.latlng.lat.toFixed(6) + "&lng=" + e.latlng.lng.toFixed(6);
      });
    })
    .catch(function () { el.textContent = "The map could not be loaded."; });
})();

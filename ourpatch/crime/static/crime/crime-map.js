// The neighbourhood page's crime map: the month's anonymous map points (from the page's
// JSON, never more precise than police.uk's), sized by count, filtered by category.
// Leaflet as in ourpatch/map.js; no tiles unless the deployment configures a tile server.
(function () {
  "use strict";
  var el = document.getElementById("crime-map");
  var data = document.getElementById("crime-points");
  if (!el || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  var select = document.getElementById("crime-category");
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tileUrl });
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  }
  var layer = L.layerGroup().addTo(map);

  function count(point, category) {
    if (!category) {
      return Object.keys(point.counts).reduce(function (sum, k) { return sum + point.counts[k]; }, 0);
    }
    return point.counts[category] || 0;
  }

  function draw() {
    var category = select ? select.value : "";
    layer.clearLayers();
    points.forEach(function (point) {
      var n = count(point, category);
      if (!n) { return; }
      L.circleMarker([point.lat, point.lng], {
        radius: 4 + Math.min(12, Math.sqrt(n) * 3), color: "#12306b", weight: 1, fillOpacity: 0.6
      }).bindTooltip(point.name + ": " + n).addTo(layer);
    });
  }

  fetch(el.dataset.boundaryUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
    .then(function (feature) {
      var boundary = L.geoJSON(feature, { style: { color: "#12306b", weight: 2, fillOpacity: 0.05 } });
      boundary.addTo(map);
      map.fitBounds(boundary.getBounds(), { padding: [10, 10] });
      draw();
    })
    .catch(function () { el.textContent = "The map could not be loaded."; });
  if (select) { select.addEventListener("change", draw); }
})();

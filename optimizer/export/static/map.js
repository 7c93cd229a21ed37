// svcplan map: draws the overlays prepared by optimizer/export/leaflet_page.py with Leaflet.
// Reads the JSON document in <script id="svcplan-data">; no network access unless tiles are set.
// A feature's properties: popup (rows), and optionally colour (fill), weight (line width),
// title (a station's hover text), label (a tooltip; label_permanent: shown at all times).
(function () {
  "use strict";
  var plan = JSON.parse(document.getElementById("svcplan-data").textContent);
  var map = L.map("map", { preferCanvas: false, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(plan.attribution);

  var baseLayers = {};
  if (plan.tiles_url) {
    baseLayers["Base map"] = L.tileLayer(plan.tiles_url, { maxZoom: 19 }).addTo(map);
  }

  function escapeHtml(text) {
    var element = document.createElement("span");
    element.textContent = String(text);
    return element.innerHTML;
  }

  function popupTable(rows) {
    var cells = rows.map(function (row) {
      return "<tr><th>" + escapeHtml(row[0]) + "</th><td>" + escapeHtml(row[1]) + "</td></tr>";
    });
    return '<table class="svcplan-popup">' + cells.join("") + "</table>";
  }

  function stationMarker(feature, latlng) {
    var icon = L.divIcon({
      className: "svcplan-station svcplan-" + feature.properties.status,
      html: '<span style="background:' + feature.properties.colour + '"></span>',
      iconSize: [18, 18],
    });
    return L.marker(latlng, { icon: icon, title: feature.properties.title, riseOnHover: true });
  }

  function pointMarker(overlay) {
    return function (feature, latlng) {
      return L.circleMarker(latlng, L.extend({ radius: 5 }, overlay.style, styleOf(overlay)(feature)));
    };
  }

  function styleOf(overlay) {
    return function (feature) {
      var style = L.extend({ className: overlay.class_name }, overlay.style);
      if (feature.properties.colour) {
        style.fillColor = feature.properties.colour;
      }
      if (feature.properties.weight) {
        style.weight = feature.properties.weight;
      }
      return style;
    };
  }

  var overlays = {};
  plan.overlays.forEach(function (overlay) {
    var layer = L.geoJSON(overlay.features, {
      style: styleOf(overlay),
      pointToLayer: overlay.key === "stations" ? stationMarker : pointMarker(overlay),
      onEachFeature: function (feature, featureLayer) {
        featureLayer.bindPopup(popupTable(feature.properties.popup));
        if (feature.properties.label) {
          featureLayer.bindTooltip(escapeHtml(feature.properties.label), {
            permanent: Boolean(feature.properties.label_permanent),
            direction: "right",
            offset: [10, 0],
            className: "svcplan-label",
          });
        }
      },
    });
    if (overlay.shown) {
      layer.addTo(map);
    }
    overlays[overlay.label] = layer;
  });
  L.control.layers(baseLayers, overlays, { collapsed: false, position: "topright" }).addTo(map);

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var element = L.DomUtil.create("div", "svcplan-legend");
    element.innerHTML = plan.legend_html;
    L.DomEvent.disableClickPropagation(element);
    return element;
  };
  legend.addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  var bounds = plan.bounds;
  map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], { padding: [10, 10] });
})();

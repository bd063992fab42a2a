// Map and mini-map. Every string from the ledger goes in as text, never as HTML.
"use strict";

function baseLayer(map, tiles) {
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: tiles.startsWith("/tiles/") ? 6 : 18, attribution: "© OpenStreetMap contributors" }).addTo(map);
  }
}

function popupFor(incident) {
  const box = document.createElement("div");
  const link = document.createElement("a");
  link.href = "/incidents/" + encodeURIComponent(incident.incident_id);
  link.textContent = incident.type + " · " + (incident.date.start || "?");
  box.appendChild(link);
  const place = document.createElement("div");
  place.textContent = (incident.location && incident.location.name) || "";
  box.appendChild(place);
  const sources = document.createElement("div");
  sources.textContent = incident.independent_source_count + " independent source(s), grade " + incident.credibility.grade;
  box.appendChild(sources);
  return box;
}

function overviewMap(element) {
  const map = L.map(element).setView([49, 32], 5);
  baseLayer(map, element.dataset.tiles);
  fetch(element.dataset.api, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((page) => {
      const points = [];
      for (const incident of page.items) {
        const loc = incident.location;
        if (!loc || loc.lat === null || loc.lon === null) continue;
        const marker = L.circleMarker([loc.lat, loc.lon], { radius: 4 + Math.min(6, incident.independent_source_count * 2), color: "#b03a2e" });
        marker.bindPopup(popupFor(incident));
        marker.addTo(map);
        points.push([loc.lat, loc.lon]);
      }
      if (points.length) map.fitBounds(points, { maxZoom: 7, padding: [20, 20] });
      element.dataset.loaded = String(points.length);
    });
}

function miniMap(element) {
  const lat = Number(element.dataset.lat), lon = Number(element.dataset.lon);
  const map = L.map(element).setView([lat, lon], 6);
  baseLayer(map, element.dataset.tiles);
  L.circleMarker([lat, lon], { radius: 7, color: "#b03a2e" }).addTo(map).bindTooltip(element.dataset.label || "");
  element.dataset.loaded = "1";
}

window.addEventListener("DOMContentLoaded", () => {
  const main = document.getElementById("map");
  if (main) overviewMap(main);
  const mini = document.getElementById("minimap");
  if (mini) miniMap(mini);
});

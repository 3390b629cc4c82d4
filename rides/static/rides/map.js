// The search map: a tap sets the search's origin or destination to that point. Without this
// script the map is a picture and the form works as it is (neighbourhood or exact point).
(function () {
  "use strict";

  function setup(figure) {
    var svg = figure.querySelector("[data-ride-map-svg]");
    var mode = figure.querySelector("[data-ride-map-mode]");
    var form = figure.closest("form");
    if (!svg || !mode || !form) return;
    var edges = {};
    ["south", "north", "west", "east"].forEach(function (name) {
      edges[name] = parseFloat(figure.dataset[name]);
    });
    var box = svg.viewBox.baseVal;
    mode.hidden = false;
    figure.classList.add("ride-map--live");

    function chosen() {
      var checked = mode.querySelector("input:checked");
      return checked ? checked.value : "origin";
    }

    svg.addEventListener("click", function (event) {
      var matrix = svg.getScreenCTM();
      if (!matrix) return;
      var tap = svg.createSVGPoint();
      tap.x = event.clientX;
      tap.y = event.clientY;
      var at = tap.matrixTransform(matrix.inverse());
      // The inverse of coop.geo.svgmap.MapFrame.xy: linear in both axes.
      var lat = edges.north - (at.y / box.height) * (edges.north - edges.south);
      var lng = edges.west + (at.x / box.width) * (edges.east - edges.west);
      var which = chosen();
      var exact = form.elements[which + "_point"];
      var neighbourhood = form.elements[which];
      if (exact) exact.value = lat.toFixed(6) + "," + lng.toFixed(6);
      if (neighbourhood) neighbourhood.value = "";
      var pin = svg.querySelector('[data-ride-map-pin="' + which + '"]');
      if (pin) {
        pin.setAttribute("transform", "translate(" + at.x.toFixed(1) + " " + at.y.toFixed(1) + ")");
        pin.removeAttribute("hidden");
      }
      // Origin first, then the destination: the usual order on a phone.
      if (which === "origin") {
        var next = mode.querySelector('input[value="destination"]');
        if (next) next.checked = true;
      }
    });
  }

  document.querySelectorAll("[data-ride-map]").forEach(setup);
})();

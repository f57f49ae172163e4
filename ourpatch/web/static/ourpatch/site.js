// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var button = document.getElementById("use-my-location");
  if (button && "geolocation" in navigator) {
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var lat = position.coords.latitude.toFixed(6);
          var lng = position.coords.longitude.toFixed(6);
          window.location.href = "/search?lat=" + lat + "&lng=" + lng;
        },
        function () {
          button.disabled = false;
          button.textContent = "Use my location";
          var note = document.createElement("p");
          note.setAttribute("role", "alert");
          note.textContent = "Your location could not be found. Enter your postcode instead.";
          button.parentNode.appendChild(note);
        },
        { timeout: 10000 }
      );
    });
  }
})();

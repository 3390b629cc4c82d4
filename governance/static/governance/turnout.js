/*
 * The live turnout counter on a ballot page: /ws/governance/ballots/<id>/ sends
 * {"type": "turnout", "voted": n, "eligible": m} on connect and after every vote.
 * The page already shows the count, so without WebSockets nothing is lost.
 */
(function () {
  "use strict";
  var card = document.querySelector("[data-turnout]");
  if (!card || !("WebSocket" in window)) {
    return;
  }
  var voted = card.querySelector("[data-turnout-voted]");
  var eligible = card.querySelector("[data-turnout-eligible]");
  var bar = card.querySelector("[data-turnout-bar]");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + "/ws/governance/ballots/" + card.dataset.ballot + "/";
  var retry = 1000;

  function connect() {
    var socket = new WebSocket(url);
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (data.type !== "turnout") {
        return;
      }
      voted.textContent = String(data.voted);
      eligible.textContent = String(data.eligible);
      bar.max = Math.max(1, data.eligible);
      bar.value = data.voted;
      bar.textContent = String(data.voted);
    });
    socket.addEventListener("open", function () {
      retry = 1000;
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401 || event.code === 4404) {
        return;
      }
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 60000);
    });
  }
  connect();
})();

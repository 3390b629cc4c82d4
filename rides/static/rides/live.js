/*
 * The live page of a ride: status and chat over /ws/rides/<id>/ (see rides/consumers.py).
 * The page works without it (forms post and reload); this keeps it current without reloading.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-ride-live]");
  if (!root || !("WebSocket" in window)) {
    return;
  }
  var statusText = root.querySelector("[data-ride-status]");
  var steps = root.querySelectorAll("[data-step]");
  var chat = document.querySelector("[data-ride-chat]");
  var chatForm = document.querySelector("[data-ride-chat-form]");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + "/ws/rides/" + root.getAttribute("data-ride-live") + "/";
  var socket = null;
  var retries = 0;

  function showStatus(status) {
    var labels = { scheduled: "Scheduled", boarding: "Boarding", under_way: "Under way", done: "Done", cancelled: "Cancelled" };
    if (statusText) {
      statusText.textContent = labels[status] || status;
    }
    var reached = true;
    steps.forEach(function (step) {
      step.classList.toggle("badge--success", reached);
      if (step.getAttribute("data-step") === status) {
        reached = false;
        step.setAttribute("aria-current", "step");
      } else {
        step.removeAttribute("aria-current");
      }
    });
  }

  function addMessage(message) {
    if (!chat) {
      return;
    }
    var item = document.createElement("li");
    var who = document.createElement("strong");
    who.textContent = message.author + ": ";
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.body));
    chat.appendChild(item);
  }

  function connect() {
    socket = new WebSocket(url);
    socket.onmessage = function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data.type === "status") {
        showStatus(data.status);
      } else if (data.type === "message") {
        addMessage(data);
      }
    };
    socket.onopen = function () {
      retries = 0;
    };
    socket.onclose = function (event) {
      if (event.code === 4403 || retries > 5) {
        return;
      }
      retries += 1;
      window.setTimeout(connect, 1000 * retries);
    };
  }

  if (chatForm) {
    chatForm.addEventListener("submit", function (event) {
      var field = chatForm.querySelector("textarea");
      if (socket && socket.readyState === WebSocket.OPEN && field && field.value.trim()) {
        event.preventDefault();
        socket.send(JSON.stringify({ type: "message", body: field.value }));
        field.value = "";
      }
    });
  }
  connect();
})();

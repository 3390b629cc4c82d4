/*
 * The live notification badge in the header.
 *
 * The page is rendered with the unread count already in it, so this is an enhancement: it opens
 * a WebSocket to /ws/notifications/, keeps the count current and shows a short, polite toast
 * when something new arrives. Server messages:
 *   {"type": "unread_count", "unread_count": N}
 *   {"type": "notification", "unread_count": N, "notification": {id, kind, title, body, url, created_at}}
 *   {"type": "pong"}
 * We send {"type": "ping"} every 30 s so idle proxies keep the connection open, and reconnect
 * with capped, jittered exponential backoff when it drops, except after close code 4401 (not
 * signed in), where retrying cannot help.
 */
(function () {
  "use strict";

  var badge = document.querySelector("[data-notifications]");
  if (!badge || !("WebSocket" in window)) {
    return;
  }

  var PING_INTERVAL_MS = 30000;
  var FIRST_RETRY_MS = 1000;
  var MAX_RETRY_MS = 60000;
  var TOAST_MS = 8000;
  var MAX_TOASTS = 3;
  var CLOSE_NOT_AUTHENTICATED = 4401;

  var countElement = badge.querySelector("[data-notifications-count]");
  var labelElement = badge.querySelector("[data-notifications-label]");
  var toastRegion = document.querySelector("[data-toast-region]");
  var baseTitle = document.title;

  var socket = null;
  var pingTimer = null;
  var retryTimer = null;
  var attempts = 0;
  var leaving = false;

  function setCount(value) {
    var count = Math.max(0, parseInt(value, 10) || 0);
    if (countElement) {
      countElement.textContent = count > 99 ? "99+" : String(count);
      countElement.hidden = count === 0;
    }
    if (labelElement) {
      labelElement.textContent = count === 0
        ? badge.getAttribute("data-label-none")
        : badge.getAttribute("data-label-some").replace("{count}", String(count));
    }
    // Other places on the page that show the same number (the dashboard) follow along.
    document.querySelectorAll("[data-unread-count]").forEach(function (element) {
      element.textContent = String(count);
    });
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
  }

  // Only same-site paths become links: a notification must never carry us elsewhere.
  function safePath(url) {
    if (typeof url !== "string" || url.charAt(0) !== "/" || /^\/[\/\\]/.test(url)) {
      return null;
    }
    return url;
  }

  function removeToast(toast) {
    if (toast.parentNode) {
      toast.parentNode.removeChild(toast);
    }
  }

  function scheduleRemoval(toast) {
    window.setTimeout(function () {
      // Someone reading or about to click it keeps it on screen.
      if (toast.matches(":hover") || toast.matches(":focus-within")) {
        scheduleRemoval(toast);
      } else {
        removeToast(toast);
      }
    }, TOAST_MS);
  }

  function showToast(notification) {
    if (!toastRegion || !notification || !notification.title) {
      return;
    }
    while (toastRegion.children.length >= MAX_TOASTS) {
      removeToast(toastRegion.firstElementChild);
    }
    var toast = document.createElement("div");
    toast.className = "toast";

    var bell = badge.querySelector("svg");
    if (bell) {
      toast.appendChild(bell.cloneNode(true));
    }

    var body = document.createElement("p");
    body.className = "toast__body";
    var path = safePath(notification.url);
    if (path) {
      var link = document.createElement("a");
      link.href = path;
      link.textContent = String(notification.title);
      body.appendChild(link);
    } else {
      body.textContent = String(notification.title);
    }
    toast.appendChild(body);

    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast__close";
    close.setAttribute("aria-label", toastRegion.getAttribute("data-dismiss-label") || "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () {
      removeToast(toast);
    });
    toast.appendChild(close);

    toastRegion.appendChild(toast);
    scheduleRemoval(toast);
  }

  function handle(message) {
    if (!message || typeof message !== "object") {
      return;
    }
    if (message.type === "unread_count") {
      setCount(message.unread_count);
    } else if (message.type === "notification") {
      setCount(message.unread_count);
      showToast(message.notification);
    }
  }

  function stopPing() {
    if (pingTimer !== null) {
      window.clearInterval(pingTimer);
      pingTimer = null;
    }
  }

  function startPing() {
    stopPing();
    pingTimer = window.setInterval(function () {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "ping" }));
      }
    }, PING_INTERVAL_MS);
  }

  function scheduleReconnect() {
    if (retryTimer !== null || leaving) {
      return;
    }
    var ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * Math.pow(2, attempts));
    // Jitter spreads reconnects out after a server restart instead of a thundering herd.
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    attempts += 1;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      connect();
    }, delay);
  }

  function connect() {
    if (socket || leaving) {
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    try {
      socket = new WebSocket(scheme + "//" + window.location.host + "/ws/notifications/");
    } catch (error) {
      socket = null;
      scheduleReconnect();
      return;
    }
    socket.addEventListener("open", function () {
      attempts = 0;
      badge.setAttribute("data-live", "");
      startPing();
    });
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handle(message);
    });
    socket.addEventListener("close", function (event) {
      stopPing();
      socket = null;
      // The server says we are not signed in (any more): retrying cannot help.
      if (event.code === CLOSE_NOT_AUTHENTICATED) {
        badge.removeAttribute("data-live");
        return;
      }
      scheduleReconnect();
    });
  }

  function reconnectNow() {
    if (retryTimer !== null) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
    }
    attempts = 0;
    connect();
  }

  // Leaving the page closes the socket without scheduling a reconnect.
  window.addEventListener("pagehide", function () {
    leaving = true;
    if (socket) {
      socket.close(1000);
    }
  });
  // Coming back (back/forward cache) or coming online again reconnects at once.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      leaving = false;
      reconnectNow();
    }
  });
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !socket) {
      reconnectNow();
    }
  });

  connect();
})();

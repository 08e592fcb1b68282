// The unread badge in the page chrome, kept live over /ws/notifications. Every push is also
// re-sent on the document as a "reels:notification" event for the notifications page.

const badges = document.querySelectorAll("[data-role=notif-badge]");
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
// The wait before the next attempt goes back to RETRY_FIRST_MS only once a connection has stayed
// up this long, so a server that lets the socket in and drops it at once is asked again less and
// less often. A message is no sign of health: the server sends the count on every connect.
const HEALTHY_AFTER_MS = 20000;
let retryMs = RETRY_FIRST_MS;

function showUnread(count) {
  for (const badge of badges) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count <= 0;
  }
  document.body.dataset.unread = String(count);
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications`);
  let healthyTimer = 0;
  socket.addEventListener("open", () => {
    healthyTimer = setTimeout(() => {
      retryMs = RETRY_FIRST_MS;
    }, HEALTHY_AFTER_MS);
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type !== "unread") return;
    showUnread(message.unread);
    document.dispatchEvent(new CustomEvent("reels:notification", { detail: message }));
  });
  socket.addEventListener("close", (event) => {
    clearTimeout(healthyTimer);
    if (event.code === 4401) return; // not signed in: nothing to listen to
    if (event.code === 4429) return; // too many open tabs: this one reads the badge on load
    if (event.code === 4001) {
      // This socket's session ended (a password change gave the page a new one, or a sign-out
      // elsewhere): connect again at once with the cookie the page has now; the server lets it
      // in or answers 4401.
      retryMs = RETRY_FIRST_MS;
      connect();
      return;
    }
    // Jitter: after a deploy every open page does not come back in the same second.
    setTimeout(connect, retryMs * (0.5 + Math.random()));
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  });
}

export function unreadSet(count) {
  showUnread(count);
}

connect();

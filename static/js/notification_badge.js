// The unread badge in the page chrome, kept live over /ws/notifications. Every push is also
// re-sent on the document as a "reels:notification" event for the notifications page.

const badges = document.querySelectorAll("[data-role=notif-badge]");
const RETRY_MAX_MS = 30000;
let retryMs = 1000;

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
  socket.addEventListener("open", () => {
    retryMs = 1000;
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
    if (event.code === 4401) return; // not signed in: nothing to listen to
    if (event.code === 4429) return; // too many open tabs: this one reads the badge on load
    if (event.code === 4001) {
      // This socket's session ended (a password change gave the page a new one, or a sign-out
      // elsewhere): connect again at once with the cookie the page has now; the server lets it
      // in or answers 4401.
      retryMs = 1000;
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

// The notifications page: the list (live: new ones appear at the top), follow requests to
// approve or deny, and which kinds to receive. Showing a notification marks it read: a live one
// at once while the page is in view, or when the page comes back into view.

import { api, el, initial, oneAtATime, relativeTime, reportError, whileBusy } from "./api.js";
import { unreadSet } from "./notification_badge.js";

const list = document.querySelector("[data-role=notifications]");
const empty = document.querySelector("[data-role=notifications-empty]");
const more = document.querySelector("[data-role=more]");
const requestsSection = document.querySelector("[data-role=requests-section]");
const requests = document.querySelector("[data-role=requests]");
const prefsForm = document.querySelector("[data-role=preferences-form]");
let nextUrl = null;
let unseen = []; // live notifications that arrived while the page was out of view

function avatar(person) {
  const node = el("span", { cls: "avatar-small" });
  if (person && person.avatar_url) node.append(el("img", { attrs: { src: person.avatar_url, alt: "" } }));
  else node.textContent = person ? initial(person.display_name || person.username) : "•";
  return node;
}

function item(notification) {
  const li = el("li", { cls: notification.read ? "" : "unread", attrs: { "data-id": notification.id, "data-kind": notification.kind } });
  li.append(avatar(notification.actors[0]));
  const what = el(notification.url ? "a" : "span", { cls: "what", attrs: notification.url ? { href: notification.url } : {} }, [
    el("span", { text: notification.text, attrs: { "data-role": "text" } }),
    // The excerpt keeps its own direction (a right-to-left comment does not reorder the time).
    notification.comment ? el("span", { cls: "profile-handle" }, [" “", el("bdi", { text: notification.comment.excerpt }), "”"]) : null,
    el("time", { text: relativeTime(notification.updated_at), attrs: { datetime: notification.updated_at } }),
  ]);
  li.append(what);
  if (notification.video && notification.video.thumbnail_url) {
    li.append(el("img", { cls: "thumb", attrs: { src: notification.video.thumbnail_url, alt: "" } }));
  }
  return li;
}

async function markRead(items) {
  const ids = items.filter((n) => !n.read).map((n) => n.id);
  if (!ids.length) return;
  try {
    const answer = await api("/api/notifications/read", { method: "POST", body: { ids } });
    unreadSet(answer.unread);
  } catch (error) {
    reportError(error);
  }
}

const loadPage = oneAtATime(async (url) => {
  try {
    const page = await api(url);
    for (const notification of page.results) list.append(item(notification));
    nextUrl = page.next;
    more.hidden = !nextUrl;
    empty.hidden = list.children.length > 0;
    // Not awaited: "Show more" is clickable now, and a click while the page's read marks are
    // still being sent must load the next page, not fall into this load.
    markRead(page.results);
  } catch (error) {
    reportError(error);
  }
});

document.addEventListener("reels:notification", (event) => {
  const notification = event.detail.notification;
  if (!notification) return;
  list.querySelector(`[data-id="${notification.id}"]`)?.remove();
  list.prepend(item(notification));
  empty.hidden = true;
  if (notification.kind === "follow_request") loadRequests();
  if (document.visibilityState === "visible") markRead([notification]);
  else unseen.push(notification);
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible" || !unseen.length) return;
  const shown = unseen;
  unseen = [];
  markRead(shown);
});

more.addEventListener("click", () => nextUrl && loadPage(nextUrl));

document.querySelector("[data-role=mark-all-read]").addEventListener("click", async () => {
  try {
    await api("/api/notifications/read-all", { method: "POST" });
    for (const li of list.querySelectorAll(".unread")) li.classList.remove("unread");
    unreadSet(0);
  } catch (error) {
    reportError(error);
  }
});

function requestItem(person) {
  const li = el("li", { attrs: { "data-username": person.username } });
  li.append(avatar(person));
  li.append(el("a", { cls: "who", attrs: { href: `/@${encodeURIComponent(person.username)}` } }, [
    el("strong", { text: person.display_name }),
    el("br"),
    el("span", { cls: "profile-handle", text: `@${person.username}` }),
  ]));
  for (const [decision, label] of [["approve", "Approve"], ["deny", "Deny"]]) {
    const button = el("button", {
      cls: decision === "approve" ? "button button-small" : "button button-ghost button-small",
      text: label,
      attrs: { type: "button", "data-role": decision },
    });
    // Approve and Deny both wait while either's request runs.
    button.addEventListener("click", () =>
      whileBusy(li.querySelectorAll("button"), async () => {
        try {
          const answer = await api(`/api/me/follow-requests/${encodeURIComponent(person.username)}/${decision}`, { method: "POST" });
          li.remove();
          // More wait than were listed: the next ones take the place of those decided.
          if (requests.children.length === 0 && answer && answer.pending > 0) await loadRequests();
          requestsSection.hidden = requests.children.length === 0;
        } catch (error) {
          reportError(error);
        }
      }),
    );
    li.append(button);
  }
  return li;
}

// Follow requests, 50 at a time: "Show more requests" asks for the next page.
const moreRequests = el("button", {
  cls: "button button-ghost button-small",
  text: "Show more requests",
  attrs: { type: "button", "data-role": "more-requests", hidden: "" },
});
requestsSection.append(moreRequests);
let requestsNext = null;

async function loadRequests(url = "/api/me/follow-requests?limit=50") {
  const first = !requestsNext || url !== requestsNext;
  try {
    const page = await api(url);
    const shown = new Set([...requests.children].map((li) => li.dataset.username));
    const items = page.results.filter((person) => first || !shown.has(person.username)).map(requestItem);
    if (first) requests.replaceChildren(...items);
    else requests.append(...items);
    requestsNext = page.next;
    moreRequests.hidden = !page.next;
    requestsSection.hidden = requests.children.length === 0;
  } catch (error) {
    reportError(error);
  }
}

moreRequests.addEventListener("click", () => whileBusy(moreRequests, () => loadRequests(requestsNext)));

async function loadPreferences() {
  try {
    const prefs = await api("/api/me/notification-preferences");
    prefsForm.replaceChildren(
      ...prefs.kinds.map((kind) => {
        const box = el("input", { attrs: { type: "checkbox", name: kind.kind } });
        box.checked = kind.enabled;
        // One change at a time (two quick toggles could reach the server in the other order);
        // a failed one puts the box back as it was before it.
        box.addEventListener("change", async () => {
          const wanted = box.checked;
          box.disabled = true;
          try {
            await api("/api/me/notification-preferences", { method: "PATCH", body: { [kind.kind]: wanted } });
          } catch (error) {
            box.checked = !wanted;
            reportError(error);
          } finally {
            box.disabled = false;
          }
        });
        return el("label", {}, [box, el("span", { text: kind.label })]);
      }),
    );
  } catch (error) {
    reportError(error);
  }
}

loadRequests();
loadPage("/api/notifications?limit=30");
loadPreferences();

// Engagement actions shared by the feed and the video page: like, save, share, follow.
// Each updates its button optimistically, then settles on the server's answer.

import { api, compactCount, reportError, requireSignIn, toast, whileBusy } from "./api.js";
import { hasShareSheet, openShareSheet } from "./share_sheet.js";

export function setCount(root, name, value) {
  for (const node of root.querySelectorAll(`[data-count="${name}"]`)) {
    node.textContent = compactCount(value);
    node.dataset.value = String(value);
  }
}

function setPressed(root, action, pressed) {
  for (const button of root.querySelectorAll(`[data-action="${action}"]`)) {
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    button.classList.toggle("on", pressed);
  }
}

export function paintCard(root, card) {
  for (const name of ["likes", "comments", "saves", "shares"]) setCount(root, name, card.counts[name]);
  setPressed(root, "like", card.viewer.liked);
  setPressed(root, "save", card.viewer.saved);
  paintFollow(root, card);
}

export function paintFollow(root, card) {
  for (const button of root.querySelectorAll('[data-action="follow"]')) {
    const hide = card.viewer.is_owner;
    button.hidden = hide;
    // A private creator's follow is a request until approved: "Requested", pressed again to
    // withdraw it (the page learns it from the follow's answer).
    const { following_owner: following, requested_owner: requested } = card.viewer;
    button.textContent = following ? "Following" : requested ? "Requested" : "Follow";
    button.classList.toggle("on", Boolean(following || requested));
    button.setAttribute("aria-pressed", following || requested ? "true" : "false");
  }
}

// The like / save request in flight per video and action ("like:42"): one at a time, so a
// double click sends one toggle and the button ends on the server's answer to it (two requests
// crossing could leave the button and the server disagreeing).
const inFlight = new Map();

// Resolves to the flag's state after the click; a click while the button's request is in flight
// is ignored (resolves false: it changed nothing).
function toggle(root, card, options) {
  const key = `${options.action}:${card.id}`;
  if (inFlight.has(key)) return Promise.resolve(false);
  const request = sendToggle(root, card, options).finally(() => inFlight.delete(key));
  inFlight.set(key, request);
  return request;
}

async function sendToggle(root, card, { action, flag, count, reason }) {
  if (!requireSignIn(reason)) return false;
  const before = { flag: card.viewer[flag], count: card.counts[count] };
  const next = !before.flag;
  card.viewer[flag] = next;
  card.counts[count] = Math.max(0, before.count + (next ? 1 : -1));
  paintCard(root, card);
  try {
    const answer = await api(`/api/videos/${card.id}/${action}`, { method: next ? "POST" : "DELETE" });
    if (answer && flag in answer) card.viewer[flag] = answer[flag];
    if (answer && count in answer) card.counts[count] = answer[count];
  } catch (error) {
    card.viewer[flag] = before.flag;
    card.counts[count] = before.count;
    reportError(error);
  }
  paintCard(root, card);
  return card.viewer[flag];
}

export function toggleLike(root, card) {
  return toggle(root, card, { action: "like", flag: "liked", count: "likes", reason: "Log in to like videos." });
}

// Double-tap: only ever likes (never un-likes).
export function likeOnce(root, card) {
  if (card.viewer.liked) return Promise.resolve(true);
  return toggleLike(root, card);
}

export function toggleSave(root, card) {
  return toggle(root, card, { action: "save", flag: "saved", count: "saves", reason: "Log in to save videos." });
}

export function videoUrl(card) {
  return new URL(`/v/${card.id}`, location.origin).href;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

// Share: the page's share sheet (copy the link, or send it to someone) when it has one.
export function share(root, card) {
  if (!hasShareSheet()) return shareByLink(root, card);
  openShareSheet(card, {
    onCopy: () => shareByLink(root, card),
    onSent: (answer) => {
      if (answer && "shares" in answer) card.counts.shares = answer.shares;
      paintCard(root, card);
    },
  });
  return Promise.resolve();
}

// Copy the link (always) + record the share on the server (anyone may share; only signed-in
// shares are counted).
async function shareByLink(root, card) {
  let url = videoUrl(card);
  const copied = await copyText(url);
  try {
    const answer = await api(`/api/videos/${card.id}/share`, { method: "POST", body: { channel: "copy_link" } });
    if (answer && "shares" in answer) card.counts.shares = answer.shares;
    else card.counts.shares += 1;
    if (answer && answer.url) url = answer.url;
  } catch (error) {
    if (error.status !== 401 && error.status !== 403) reportError(error);
  }
  paintCard(root, card);
  toast(copied ? "Link copied" : url);
}

export async function copyLink(card) {
  toast((await copyText(videoUrl(card))) ? "Link copied" : videoUrl(card));
}

// Follow / unfollow a card's creator; every card of that creator on the page updates.
// Accounts whose follow or unfollow is on its way: a double click sends one request.
const followsInFlight = new Set();

export async function toggleFollow(card, { onChange } = {}) {
  if (!requireSignIn("Log in to follow creators.")) return;
  const username = card.owner.username;
  if (followsInFlight.has(username)) return;
  followsInFlight.add(username);
  const wasRequested = Boolean(card.viewer.requested_owner);
  const next = !(card.viewer.following_owner || wasRequested);
  try {
    const answer = await api(`/api/users/${encodeURIComponent(card.owner.username)}/follow`, {
      method: next ? "POST" : "DELETE",
    });
    const following = answer && "following" in answer ? answer.following : next;
    const requested = Boolean(answer && answer.requested);
    onChange?.(card.owner.username, following, requested);
    const handle = `@${card.owner.username}`;
    if (following) toast(`Following ${handle}`);
    else if (requested) toast(`Follow request sent to ${handle}`);
    else toast(wasRequested ? `Request to ${handle} withdrawn` : `Unfollowed ${handle}`);
  } catch (error) {
    reportError(error);
  } finally {
    followsInFlight.delete(username);
  }
}

// Follow button of a profile page (data attributes carry the username and state).
export function bindProfileFollow(button, followersNode) {
  // Pressed means "following" or, on a private account, "requested": pressing again unfollows
  // or withdraws the request.
  button.addEventListener("click", async () => {
    if (!requireSignIn("Log in to follow creators.")) return;
    const username = button.dataset.username;
    const next = button.getAttribute("aria-pressed") !== "true";
    // One request at a time: a quick second click (to undo) was sent beside the first, read
    // the state from before it, and repeated it.
    await whileBusy(button, async () => {
      try {
        const answer = await api(`/api/users/${encodeURIComponent(username)}/follow`, { method: next ? "POST" : "DELETE" });
        const following = answer && "following" in answer ? answer.following : next;
        const requested = Boolean(answer && answer.requested);
        button.setAttribute("aria-pressed", following || requested ? "true" : "false");
        button.classList.toggle("on", following || requested);
        button.textContent = following ? "Following" : requested ? "Requested" : "Follow";
        if (followersNode && answer && "followers" in answer) followersNode.textContent = compactCount(answer.followers);
      } catch (error) {
        reportError(error);
      }
    });
  });
}

// JSON API client for the pages: CSRF header, error shape, sign-in prompt, small DOM helpers.

export const viewer = JSON.parse(document.getElementById("viewer-data")?.textContent || "{}");

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

// A per-tab id for the anonymous session taste (sent as X-Session-Id and in interaction events).
export function sessionId() {
  let id = sessionStorage.getItem("reels:session");
  if (!id) {
    id = uuid();
    sessionStorage.setItem("reels:session", id);
  }
  return id;
}

// fetch() with JSON in and out, the session cookie and the CSRF header on unsafe methods.
export async function api(url, { method = "GET", body, keepalive = false, signal } = {}) {
  const headers = { Accept: "application/json", "X-Session-Id": sessionId() };
  const init = { method, headers, credentials: "same-origin", keepalive, signal };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (response.status === 204) return null;
  return answerData(response.status, await response.text());
}

// An API answer's data, or an ApiError: for an error status, and for a body that is not JSON
// (a proxy's or the server's error page, which says nothing to show on the page).
export function answerData(status, text) {
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError(status, { detail: `The server sent an error page instead of an answer (HTTP ${status}) - try again in a moment.` });
    }
  }
  if (status < 200 || status >= 300) throw new ApiError(status, data);
  return data;
}

// A list's page loader that runs one load at a time: a call while one runs is dropped (a double
// click on "more", a tab opened again before its first page came), so no page is added twice.
export function oneAtATime(load) {
  let running = null;
  return (...args) => {
    running ||= (async () => {
      try {
        return await load(...args);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

// A button's request, sent once: the buttons are disabled while it runs (a second click sends
// nothing) and enabled again when it ends, for another try after an error (the caller says it).
export async function whileBusy(buttons, request) {
  const controls = buttons instanceof Element ? [buttons] : [...buttons];
  for (const button of controls) button.disabled = true;
  try {
    return await request();
  } finally {
    for (const button of controls) button.disabled = false;
  }
}

// Account-only actions: anonymous visitors get the sign-in sheet instead of an error.
export function requireSignIn(reason) {
  if (viewer.authenticated) return true;
  promptSignIn(reason);
  return false;
}

export function promptSignIn(reason = "Log in to like, save, comment and follow.") {
  const dialog = document.getElementById("signin-prompt");
  if (!dialog) {
    window.location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    return;
  }
  const next = encodeURIComponent(location.pathname + location.search);
  dialog.querySelector("[data-role=reason]").textContent = reason;
  dialog.querySelector("[data-role=login]").href = `/login?next=${next}`;
  dialog.querySelector("[data-role=register]").href = `/register?next=${next}`;
  if (!dialog.open) dialog.showModal();
}

// Errors from account actions: 401 (and 403 for a visitor) mean "sign in", the rest become a
// toast. A page served signed in gets 401 once the session ended elsewhere (a sign-out in
// another tab, a password change on another device): it offers to sign in again.
export function reportError(error, fallback = "Something went wrong") {
  if (error instanceof ApiError && (error.status === 401 || (error.status === 403 && !viewer.authenticated))) {
    promptSignIn(viewer.authenticated ? "You were signed out. Log in again to go on." : undefined);
    return;
  }
  if (error instanceof ApiError && error.status === 429) {
    toast("Slow down a little - try again in a moment");
    return;
  }
  toast(error instanceof ApiError ? error.message : fallback);
}

let toastTimer = 0;
export function toast(message) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("show"), 2600);
}

export function compactCount(value) {
  const n = Number(value) || 0;
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0).replace(/\.0$/, "")}K`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, "")}M`;
}

// Element factory that only ever sets text (never HTML) from data.
// The letter an avatar placeholder shows: the name's first visible character, whole (an emoji,
// a letter of another plane or with its marks; `.slice(0, 1)` cut a surrogate pair into "�",
// and a leading direction or zero-width control showed nothing).
const SEGMENTS = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
export function initial(name) {
  const text = String(name || "");
  const parts = SEGMENTS ? Array.from(SEGMENTS.segment(text), (part) => part.segment) : Array.from(text);
  const visible = parts.find((part) => /[\p{L}\p{N}\p{S}\p{Extended_Pictographic}]/u.test(part));
  return visible ? visible.toUpperCase() : "?";
}

export function el(tag, { cls, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (attrs) for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null) node.setAttribute(key, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

// Caption or comment text with #hashtags linked to their hashtag pages and @mentions to the
// profiles they name (text nodes only). Hashtags follow videos/hashtags.py (letters, digits,
// underscores and marks; not after a letter, digit, &, / or # unless straight after another
// #word, "#fyp#foryou"; the page folds the case, so
// the link keeps the spelling); mentions follow notifications/mentions.py.
const RICH_TEXT_RE = /(?<=(?:^|[^\p{L}\p{N}\p{M}_&\/#])(?:#[\p{L}\p{N}\p{M}_\u200c\u200d]+)*)#(?=[\p{N}\p{M}_]*\p{L})([\p{L}\p{N}_](?:[\p{L}\p{N}\p{M}_]|[\u200c\u200d](?=[\p{L}\p{N}\p{M}_])){0,99})(?![\p{L}\p{N}\p{M}_])|(?<![\p{L}\p{N}_@])@([A-Za-z0-9\u00c0-\u024f_.+-]{1,150})/gu;
export function renderCaption(target, caption) {
  // One inline wrapper: line-clamped (-webkit-box) captions would drop the spaces between links.
  const line = document.createElement("span");
  const text = caption || "";
  let last = 0;
  for (const match of text.matchAll(RICH_TEXT_RE)) {
    let shown = match[0];
    let href;
    if (match[1] !== undefined) {
      href = `/hashtag/${encodeURIComponent(match[1])}`;
    } else {
      const name = match[2].replace(/[.+-]+$/, "");
      if (!name) continue;
      shown = `@${name}`;
      href = `/@${encodeURIComponent(name)}`;
    }
    if (match.index > last) line.append(document.createTextNode(text.slice(last, match.index)));
    line.append(el("a", { cls: match[1] !== undefined ? "hashtag" : "mention", text: shown, attrs: { href } }));
    last = match.index + shown.length;
  }
  if (last < text.length) line.append(document.createTextNode(text.slice(last)));
  target.replaceChildren(line);
}

export function relativeTime(iso) {
  if (!iso) return "";
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 86400 * 30) return `${Math.floor(seconds / 86400)}d`;
  return new Date(iso).toLocaleDateString();
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

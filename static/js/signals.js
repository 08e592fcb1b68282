// Watch signals: per-video watch tracking and batched delivery to /api/interactions.
//
// Events queue in memory and go out every few seconds or when the batch fills. When the page
// is hidden or closed, signed-in visitors flush with fetch(keepalive) - it survives the tab
// closing like sendBeacon and can carry the X-CSRFToken header that session auth requires;
// anonymous visitors (no CSRF check for them) flush with navigator.sendBeacon.

import { csrfToken, sessionId, uuid, viewer } from "./api.js";

const ENDPOINT = "/api/interactions";
const FLUSH_INTERVAL_MS = 4000;
const MAX_BATCH_EVENTS = 25;
const SKIP_WITHIN_MS = 2000;
// A jump of the playing position by more than this is a seek, not playback (onTime).
const SEEK_SLACK_S = 0.5;
const MAX_QUEUE_EVENTS = 500;

// Where the videos this page plays were opened from (creator analytics), sent once per batch:
// the page's own kind, or for a single video page the page the viewer came from (same-origin
// navigations carry their path; a link from another site carries only its origin, and typed
// or bookmarked addresses none). A page may name it outright with data-traffic-source.
const PAGE_SOURCES = [
  [/^\/$/, "for_you"],
  [/^\/following\/?$/, "following"],
  [/^\/@[^/]+\/?$/, "profile"],
  [/^\/search\/?$/, "search"],
  [/^\/hashtag\//, "hashtag"],
  [/^\/sound\//, "sound"],
];

function pageSource(path) {
  for (const [pattern, source] of PAGE_SOURCES) if (pattern.test(path)) return source;
  return null;
}

export function trafficSource(here = location, referrer = document.referrer) {
  const named = document.body.dataset.trafficSource;
  if (named) return named;
  const own = pageSource(here.pathname);
  if (own) return own;
  let from;
  try {
    from = new URL(referrer);
  } catch {
    return "direct";
  }
  if (from.origin !== here.origin) return "share_link";
  return pageSource(from.pathname) || "direct";
}

export class SignalQueue {
  constructor() {
    this.queue = [];
    this.session = sessionId();
    this.source = trafficSource();
    this.beforeHide = [];
    this.listeners = []; // called with every event pushed (the feed's re-planning policy)
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    const onHide = () => {
      for (const hook of this.beforeHide) hook();
      this.flush({ unloading: true });
    };
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") onHide();
    });
    window.addEventListener("pagehide", onHide);
  }

  push(type, { videoId, watchMs = 0, position = null }) {
    this.queue.push({
      event_id: uuid(),
      video_id: videoId,
      type,
      watch_ms: Math.max(0, Math.round(watchMs)),
      position,
      session_id: this.session,
      ts: new Date().toISOString(),
    });
    const event = this.queue[this.queue.length - 1];
    if (this.queue.length > MAX_QUEUE_EVENTS) this.queue.splice(0, this.queue.length - MAX_QUEUE_EVENTS);
    if (this.queue.length >= MAX_BATCH_EVENTS) this.flush();
    for (const listener of this.listeners) listener(event);
  }

  // Send the queued events; resolves when the server has answered (or the send failed).
  flush({ unloading = false } = {}) {
    if (!this.queue.length) return Promise.resolve();
    const events = this.queue.splice(0, MAX_BATCH_EVENTS);
    const body = JSON.stringify({ events, traffic_source: this.source });
    if (unloading && !viewer.authenticated && navigator.sendBeacon) {
      const sent = navigator.sendBeacon(ENDPOINT, new Blob([body], { type: "application/json" }));
      if (sent) {
        if (this.queue.length) this.flush({ unloading });
        return Promise.resolve();
      }
    }
    const request = fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Session-Id": this.session },
      body,
    })
      .then((response) => {
        // Server errors and rate limits: put the batch back (event_id makes retries idempotent).
        if (response.status >= 500 || response.status === 429) this.queue.unshift(...events);
      })
      .catch(() => {
        if (!unloading) this.queue.unshift(...events);
      });
    const rest = this.queue.length ? this.flush({ unloading }) : Promise.resolve();
    return Promise.all([request, rest]);
  }
}

// Watch tracking for one video while it is on screen. Loops are detected from currentTime
// jumping back near the end: the first completion is "finish", later ones "rewatch".
export class WatchTracker {
  constructor(queue, card, position) {
    this.queue = queue;
    this.card = card;
    this.position = position;
    this.enteredAt = 0;
    this.playingSince = 0;
    this.watchedMs = 0;
    this.played = false;
    this.completions = 0;
    this.lastTime = 0;
    this.lastTickAt = 0;
    this.jumpedAhead = false;
    this.failed = false; // the video could not be played: leaving it is no skip
    this.impressionSent = false;
    this.returning = false;
  }

  send(type, extra = {}) {
    this.queue.push(type, { videoId: this.card.id, position: this.position, ...extra });
  }

  // `returning`: the page came back into view on this video, whose view ended when the page
  // was hidden. The view resumes only if the video plays again: left unplayed (the viewer had
  // paused it) it sends nothing, neither a "skip" nor an empty "pause".
  enter({ returning = false } = {}) {
    this.enteredAt = performance.now();
    this.returning = returning;
    this.watchedMs = 0;
    this.playingSince = 0;
    if (!this.impressionSent) {
      this.impressionSent = true;
      this.send("impression");
    }
  }

  onPlaying() {
    if (!this.enteredAt) return; // not on screen (left, or the page is hidden): nothing counts
    this.returning = false;
    if (!this.playingSince) this.playingSince = performance.now();
    if (!this.played) {
      this.played = true;
      this.send("play");
    }
  }

  onPaused() {
    if (this.playingSince) {
      this.watchedMs += performance.now() - this.playingSince;
      this.playingSince = 0;
    }
  }

  // A loop is the video going back to its start from past 75% of it reached by playing: a jump
  // ahead (the video page's scrubber) then back counted as a finish, and so did loops while
  // the page was hidden (the video page plays on in a background tab).
  onTime(currentTime, duration) {
    const now = performance.now();
    const elapsedS = this.lastTickAt ? (now - this.lastTickAt) / 1000 : 0;
    this.lastTickAt = now;
    // Further than playing (at up to twice the speed) could have gone since the last tick.
    if (currentTime - this.lastTime > 2 * elapsedS + SEEK_SLACK_S) this.jumpedAhead = true;
    const back = currentTime < this.lastTime - SEEK_SLACK_S;
    const wrapped = back && duration > 0 && this.lastTime > duration * 0.75 && !this.jumpedAhead;
    if (back) this.jumpedAhead = false; // from here on, it is played again
    this.lastTime = currentTime;
    if (!wrapped || !this.enteredAt) return;
    this.completions += 1;
    this.send(this.completions === 1 ? "finish" : "rewatch", { watchMs: this.currentWatchMs() });
  }

  currentWatchMs() {
    return this.watchedMs + (this.playingSince ? performance.now() - this.playingSince : 0);
  }

  // Leaving the video: "skip" when it was left within 2 s, else a "pause" carrying watch_ms.
  leave() {
    if (!this.enteredAt) return;
    this.onPaused();
    if (this.returning) {
      this.enteredAt = 0;
      this.returning = false;
      return;
    }
    const onScreenMs = performance.now() - this.enteredAt;
    this.enteredAt = 0;
    if (this.failed && !this.played) return; // a video that never played was neither skipped nor watched
    const type = onScreenMs < SKIP_WITHIN_MS && this.completions === 0 ? "skip" : "pause";
    this.send(type, { watchMs: this.watchedMs });
    this.lastTime = 0;
    this.lastTickAt = 0;
    this.jumpedAhead = false;
  }
}

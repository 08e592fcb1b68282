// The vertical feed: snap scrolling, one playing video, prefetch of the next two, release of
// far players, infinite scroll on the feed cursor, sticky sound choice and watch signals.

import { copyLink, likeOnce, paintCard, paintFollow, share, toggleFollow, toggleLike, toggleSave } from "./actions.js";
import { api, el, reportError, toast, viewer } from "./api.js";
import { CommentThread } from "./comments.js";
import { tryPlay } from "./player.js";
import { onWheelStep, showEmpty, showEnd as showEndMarker, showError } from "./feed_chrome.js";
import { SignalQueue, WatchTracker } from "./signals.js";
import { Slide } from "./slide.js";

const PAGE_SIZE = 8;
const PREFETCH_AHEAD = 2; // players preloading (preload="auto") after the current one
const KEEP_BEHIND = 1; // a player kept (paused) behind the current one for a quick swipe back
const POSTER_WINDOW = 6; // slides within this distance keep their poster image loaded
const LOAD_MORE_WHEN_LEFT = 3; // fetch the next page when this few slides remain
const DOUBLE_TAP_MS = 280;
const SOUND_KEY = "reels:sound";

const feed = document.getElementById("feed");
const template = document.getElementById("slide-template");
const tab = feed.dataset.tab;
const status = feed.querySelector("[data-role=status]");
const soundButton = document.querySelector("[data-role=sound]");
const menu = document.getElementById("feed-menu");
const sheet = document.getElementById("comment-sheet");
const signals = new SignalQueue();

const state = {
  slides: [],
  active: -1,
  atEnd: false, // the "all caught up" slide is on screen
  cursor: null,
  nextUrl: null,
  done: false,
  loading: null,
  seen: new Set(),
  soundOn: localStorage.getItem(SOUND_KEY) === "on",
  soundChosen: localStorage.getItem(SOUND_KEY) !== null,
  menuSlide: null,
};

const comments = new CommentThread(sheet, {
  onCountChange: (card) => {
    for (const slide of state.slides) if (slide.card.id === card.id) paintCard(slide.node, card);
  },
});

// ---------------------------------------------------------------- loading pages

async function fetchPage() {
  if (tab === "following") {
    const data = await api(state.nextUrl || `/api/feed/following?limit=${PAGE_SIZE}`);
    state.nextUrl = data.next;
    return { items: data.results || [], more: Boolean(data.next), prefetch: [] };
  }
  const cursor = state.cursor ? `&cursor=${encodeURIComponent(state.cursor)}` : "";
  const data = await api(`/api/feed?limit=${PAGE_SIZE}${cursor}`);
  state.cursor = data.next_cursor;
  return { items: data.items || [], more: Boolean(data.next_cursor), prefetch: data.prefetch || [] };
}

function loadMore() {
  if (state.done || state.loading) return state.loading;
  state.loading = (async () => {
    try {
      const page = await fetchPage();
      const fresh = page.items.filter((card) => !state.seen.has(card.id));
      for (const card of fresh) appendSlide(card);
      prefetchImages(page.prefetch, fresh);
      if (!page.more || page.items.length === 0) finish();
      if (state.active < 0 && state.slides.length) {
        // The loading marker was the snap target; snap to the first video instead.
        state.slides[0].node.scrollIntoView({ block: "start" });
        setActive(0);
      }
      else if (state.active >= 0) setActive(state.active, { force: true });
    } catch (error) {
      if (error.status === 401 || error.status === 403) showEmpty(status, "signin");
      else {
        showError(status, "Could not load videos.");
        reportError(error, "Could not load the feed");
      }
    } finally {
      state.loading = null;
    }
  })();
  return state.loading;
}

function prefetchImages(urls, cards) {
  const images = [...urls.filter((url) => /\.(jpe?g|png|webp|avif)(\?|$)/i.test(url))];
  for (const card of cards.slice(0, 4)) if (card.poster_url) images.push(card.poster_url);
  for (const url of new Set(images)) new Image().src = url;
}

function appendSlide(card) {
  state.seen.add(card.id);
  const slide = new Slide(card, state.slides.length, template);
  state.slides.push(slide);
  status.before(slide.node);
  observer.observe(slide.node);
  slide.showPoster(slide.index < POSTER_WINDOW);
}

function finish() {
  state.done = true;
  if (!state.slides.length) showEmpty(status, tab === "following" && !viewer.authenticated ? "signin" : tab);
  else showEndMarker(status);
}

// ---------------------------------------------------------------- the current video

const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting || entry.intersectionRatio < 0.6) continue;
      if (entry.target === status) showEnd();
      else setActive(Number(entry.target.dataset.index));
    }
  },
  { root: feed, threshold: [0.6] },
);
observer.observe(status);

function playerHandlers(slide) {
  return {
    playing: () => {
      slide.node.classList.add("playing");
      slide.node.classList.remove("paused");
      if (slide.index === state.active) slide.tracker?.onPlaying();
    },
    pause: () => {
      slide.node.classList.remove("playing");
      if (slide.index === state.active) slide.tracker?.onPaused();
    },
    waiting: () => slide.tracker?.onPaused(),
    timeupdate: () => {
      if (slide.index === state.active) slide.tracker?.onTime(slide.video.currentTime, slide.video.duration);
    },
  };
}

// The end marker scrolled into view: the last video stops and its view ends.
function showEnd() {
  if (state.atEnd || !state.done) return;
  const slide = state.slides[state.active];
  slide?.video?.pause();
  slide?.tracker?.leave();
  state.atEnd = true;
}

function setActive(index, { force = false } = {}) {
  if (index < 0 || index >= state.slides.length) return;
  const returning = state.atEnd;
  if (index === state.active && !force && !returning) return;
  state.atEnd = false;
  const previous = returning ? null : state.slides[state.active];
  if (previous && previous.index !== index) {
    previous.tracker?.leave();
    previous.userPaused = false;
  }
  state.active = index;
  feed.dataset.active = String(index);
  for (const slide of state.slides) {
    const distance = slide.index - index;
    slide.node.classList.toggle("active", distance === 0);
    slide.showPoster(Math.abs(distance) <= POSTER_WINDOW);
    if (distance === 0) continue;
    if (distance > 0 && distance <= PREFETCH_AHEAD) {
      slide.ensurePlayer("auto", playerHandlers(slide))?.pause();
    } else if (distance < 0 && -distance <= KEEP_BEHIND && slide.video) {
      slide.video.pause();
    } else {
      slide.release();
    }
  }
  const current = state.slides[index];
  if (!current.tracker || current !== previous) {
    current.tracker = current.tracker || new WatchTracker(signals, current.card, index);
    if (current !== previous) current.tracker.enter();
  }
  if (current !== previous) {
    const video = current.ensurePlayer("auto", playerHandlers(current));
    if (video && video.currentTime > 0) video.currentTime = 0;
    playCurrent();
  }
  if (state.slides.length - index <= LOAD_MORE_WHEN_LEFT) loadMore();
}

async function playCurrent() {
  const slide = state.slides[state.active];
  const video = slide?.video;
  if (!video || slide.userPaused || document.hidden) return;
  video.muted = !state.soundOn;
  let playing = await tryPlay(video);
  if (!playing && !video.muted) {
    // Sound before a gesture is refused: play muted and offer the unmute pill.
    video.muted = true;
    playing = await tryPlay(video);
  }
  paintSound();
}

function paintSound() {
  const video = state.slides[state.active]?.video;
  const muted = video ? video.muted : !state.soundOn;
  soundButton.classList.toggle("muted", muted);
  soundButton.setAttribute("aria-pressed", muted ? "false" : "true");
  soundButton.querySelector("[data-role=sound-label]").textContent = muted ? "Tap to unmute" : "";
  soundButton.setAttribute("aria-label", muted ? "Unmute" : "Mute");
}

function setSound(on) {
  state.soundOn = on;
  state.soundChosen = true;
  localStorage.setItem(SOUND_KEY, on ? "on" : "off");
  const video = state.slides[state.active]?.video;
  if (video) video.muted = !on;
  paintSound();
}

function togglePause(slide) {
  const video = slide.video;
  if (!video) return;
  if (video.paused) {
    slide.userPaused = false;
    slide.node.classList.remove("paused");
    playCurrent();
  } else {
    slide.userPaused = true;
    slide.node.classList.add("paused");
    video.pause();
  }
}

function go(delta) {
  const from = state.atEnd ? state.slides.length : state.active;
  const target = state.slides[Math.min(state.slides.length - 1, Math.max(0, from + delta))];
  if (!target) return;
  if (delta > 0 && from >= state.slides.length - 1 && state.done) {
    status.scrollIntoView({ behavior: "smooth", block: "start" });
    return;
  }
  target.node.scrollIntoView({ behavior: "smooth", block: "start" });
  setActive(target.index);
}

function progressLoop() {
  const slide = state.slides[state.active];
  const video = slide?.video;
  if (video && video.duration > 0) slide.progress.style.transform = `scaleX(${Math.min(1, video.currentTime / video.duration)})`;
  requestAnimationFrame(progressLoop);
}

// ---------------------------------------------------------------- gestures and keys

let lastTap = { time: 0, slide: null, timer: 0 };

feed.addEventListener("click", (event) => {
  const slideNode = event.target.closest(".slide");
  if (!slideNode) return;
  const slide = state.slides[Number(slideNode.dataset.index)];
  const actionButton = event.target.closest("[data-action]");
  if (actionButton) {
    onAction(actionButton.dataset.action, slide, actionButton);
    return;
  }
  if (event.target.closest("a, button, .meta")) return;
  if (!event.target.closest(".stage")) return;
  const now = performance.now();
  if (lastTap.slide === slide && now - lastTap.time < DOUBLE_TAP_MS) {
    clearTimeout(lastTap.timer);
    lastTap = { time: 0, slide: null, timer: 0 };
    slide.heartBurst(event.clientX, event.clientY);
    likeOnce(slide.node, slide.card);
    return;
  }
  const timer = setTimeout(() => {
    lastTap = { time: 0, slide: null, timer: 0 };
    if (slide.index !== state.active) return;
    const video = slide.video;
    // The first tap on an autoplay-muted video turns the sound on instead of pausing.
    if (video && video.muted && !state.soundChosen) setSound(true);
    else togglePause(slide);
  }, DOUBLE_TAP_MS);
  lastTap = { time: now, slide, timer };
});

function onAction(action, slide, button) {
  const card = slide.card;
  if (action === "like") toggleLike(slide.node, card);
  else if (action === "save") toggleSave(slide.node, card);
  else if (action === "share") share(slide.node, card);
  else if (action === "comments") openComments(card);
  else if (action === "menu") openMenu(slide, button);
  else if (action === "follow") {
    toggleFollow(card, {
      onChange: (username, following) => {
        for (const other of state.slides) {
          if (other.card.owner.username !== username) continue;
          other.card.viewer.following_owner = following;
          paintFollow(other.node, other.card);
        }
      },
    });
  }
}

function openComments(card) {
  sheet.showModal();
  comments.open(card);
}

sheet.querySelector("[data-action=close]").addEventListener("click", () => sheet.close());
sheet.addEventListener("click", (event) => {
  if (event.target === sheet) sheet.close(); // backdrop
});

function openMenu(slide) {
  state.menuSlide = slide;
  menu.hidden = false;
  menu.querySelector("button").focus();
}

function closeMenu() {
  menu.hidden = true;
  state.menuSlide = null;
}

menu.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  const slide = state.menuSlide;
  closeMenu();
  if (!slide || !action) return;
  if (action === "copy-link") copyLink(slide.card);
  else if (action === "open") location.href = `/v/${slide.card.id}`;
  else if (action === "not-interested") notInterested(slide);
});

function notInterested(slide) {
  signals.push("not_interested", { videoId: slide.card.id, position: slide.index });
  signals.flush();
  slide.release();
  slide.node.classList.add("dismissed");
  slide.node.querySelector(".stage").append(el("p", { cls: "dismissed-note", text: "Got it - you'll see fewer videos like this." }));
  toast("You'll see fewer videos like this");
  if (slide.index === state.active) setTimeout(() => go(1), 400);
}

soundButton.addEventListener("click", (event) => {
  event.stopPropagation();
  const video = state.slides[state.active]?.video;
  setSound(video ? video.muted : !state.soundOn);
  playCurrent();
});

document.addEventListener("keydown", (event) => {
  if (event.target.closest?.("input, textarea, select, [contenteditable]") || sheet.open) return;
  if (event.metaKey || event.ctrlKey || event.altKey) return;
  const key = event.key;
  if (key === "ArrowDown" || key === "j" || key === "PageDown") go(1);
  else if (key === "ArrowUp" || key === "k" || key === "PageUp") go(-1);
  else if (key === "m") {
    const video = state.slides[state.active]?.video;
    setSound(video ? video.muted : !state.soundOn);
    playCurrent();
  } else if (key === " ") {
    const slide = state.slides[state.active];
    if (slide) togglePause(slide);
  } else if (key === "l") {
    const slide = state.slides[state.active];
    if (slide) toggleLike(slide.node, slide.card);
  } else if (key === "Escape") closeMenu();
  else return;
  event.preventDefault();
});

onWheelStep(feed, go, () => sheet.open);

// A first gesture anywhere lets a remembered "sound on" choice apply.
for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(
    type,
    () => {
      const video = state.slides[state.active]?.video;
      if (state.soundOn && video && video.muted) {
        video.muted = false;
        paintSound();
      }
    },
    { once: true, capture: true },
  );
}

// Hiding the page (tab switch, close) ends the current view; coming back starts a new one.
signals.beforeHide.push(() => {
  const slide = state.slides[state.active];
  slide?.video?.pause();
  slide?.tracker?.leave();
});
document.addEventListener("visibilitychange", () => {
  const slide = state.slides[state.active];
  if (!document.hidden && slide) {
    slide.tracker?.enter();
    playCurrent();
  }
});

// Expose read-only state for the browser tests and debugging.
window.reelsFeed = {
  get active() {
    return state.active;
  },
  get count() {
    return state.slides.length;
  },
  players() {
    return state.slides.filter((slide) => slide.video).map((slide) => slide.index);
  },
  flush: () => signals.flush(),
};

paintSound();
requestAnimationFrame(progressLoop);
if (tab === "following" && !viewer.authenticated) showEmpty(status, "signin");
else loadMore();

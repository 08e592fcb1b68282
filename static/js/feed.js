// The vertical feed: snap scrolling, one playing video, prefetch of the next two, release of
// far players and infinite scroll. Paging (feed_pager.js), sound (feed_sound.js), gestures
// (feed_gestures.js), the slide menu (feed_menu.js) and watch signals (signals.js) are their
// own modules; this one owns the slides and which of them plays.

import { likeOnce, paintCard, paintFollow, share, toggleFollow, toggleLike, toggleSave } from "./actions.js";
import { reportError, viewer } from "./api.js";
import { CommentThread } from "./comments.js";
import { showEmpty, showEnd as showEndMarker, showError } from "./feed_chrome.js";
import { exposeFeedState } from "./feed_debug.js";
import { bindGestures } from "./feed_gestures.js";
import { markDismissed, SlideMenu } from "./feed_menu.js";
import { FeedPager, prefetchImages } from "./feed_pager.js";
import { SoundControl } from "./feed_sound.js";
import { captionsWanted, setCaptionsWanted, startPlayback } from "./player.js";
import { SignalQueue, WatchTracker } from "./signals.js";
import { Slide } from "./slide.js";

const PAGE_SIZE = 8;
const PREFETCH_AHEAD = 2; // players preloading (preload="auto") after the current one
const KEEP_BEHIND = 1; // a player kept (paused) behind the current one for a quick swipe back
// Slides kept in the page behind the current one (to scroll back to); older ones are removed, so a
// long session holds a bounded number of slides (a spacer of their height keeps the scroll place).
const KEEP_SLIDES_BEHIND = 8;
const POSTER_WINDOW = 6; // slides within this distance keep their poster image loaded
const LOAD_MORE_WHEN_LEFT = 3; // fetch the next page when this few slides remain
// Re-planning (the policy feed/evaluation/client_policy.py simulates - change both together):
// after a like, a first finish, "not interested" or FAST_SKIP_RUN fast skips in a row, the
// queued events go out and a fresh continuation replaces the queued slides after the next
// KEEP_ON_REPLAN (already buffering); the dropped cards are released to the server unshown.
const KEEP_ON_REPLAN = 1;
const MAX_EMPTY_LOADS = 3; // pages in a row that add no slide before the feed says it is done
const FAST_SKIP_RUN = 3;

const feed = document.getElementById("feed");
const spacer = document.createElement("div"); // the height of the removed slides (trimBehind)
spacer.className = "feed-spacer";
spacer.setAttribute("aria-hidden", "true");
feed.prepend(spacer);
const template = document.getElementById("slide-template");
const tab = feed.dataset.tab;
const status = feed.querySelector("[data-role=status]");
const sheet = document.getElementById("comment-sheet");
const signals = new SignalQueue();
const pager = new FeedPager(tab, PAGE_SIZE);

// state.slides holds the slides still in the page; slide indexes count every slide of the tab,
// the first `trimmed` of them removed (slideAt() finds a slide by its index).
const state = {
  slides: [],
  trimmed: 0,
  active: -1,
  atEnd: false, // the "all caught up" slide is on screen
  done: false,
  loading: null,
  seen: new Set(),
  replans: 0,
  replanWanted: false,
  fastSkips: 0,
  slidesAtLastLoad: 0,
  emptyLoads: 0,
};

const sound = new SoundControl(document.querySelector("[data-role=sound]"), () => slideAt(state.active)?.video);
const menu = new SlideMenu(document.getElementById("feed-menu"), { onNotInterested: notInterested });
const comments = new CommentThread(sheet, {
  onCountChange: (card) => {
    for (const slide of state.slides) if (slide.card.id === card.id) paintCard(slide.node, card);
  },
});

// ---------------------------------------------------------------- loading pages

function loadMore() {
  if (state.done || state.loading) return state.loading;
  return track(async () => {
    const page = await pager.next();
    const fresh = page.items.filter((card) => !state.seen.has(card.id));
    for (const card of fresh) appendSlide(card);
    prefetchImages(page.prefetch, fresh);
    if (!page.more || page.items.length === 0) finish();
    if (state.active < 0 && state.slides.length) {
      // The loading marker was the snap target; snap to the first video instead.
      state.slides[0].node.scrollIntoView({ block: "start" });
      setActive(0);
    } else if (state.active >= 0) setActive(state.active, { force: true });
  });
}

// One page request at a time; a re-plan asked for meanwhile runs when it ends.
function track(work) {
  state.loading = (async () => {
    let loaded = false;
    try {
      await work();
      loaded = true;
    } catch (error) {
      if (error.status === 401 || error.status === 403) showEmpty(status, "signin");
      else {
        showError(status, "Could not load videos.");
        reportError(error, "Could not load the feed");
      }
    } finally {
      state.loading = null;
    }
    if (state.replanWanted) replan();
    else if (loaded && !state.done && state.active >= 0 && slideCount() - state.active <= LOAD_MORE_WHEN_LEFT) {
      // A page that added little (cards the tab already holds) leaves the viewer near the end
      // with nothing asking for more: ask again, but not for ever.
      if (slideCount() === state.slidesAtLastLoad) state.emptyLoads += 1;
      else state.emptyLoads = 0;
      state.slidesAtLastLoad = slideCount();
      if (state.emptyLoads >= MAX_EMPTY_LOADS) finish();
      else loadMore();
    }
  })();
  return state.loading;
}

// A strong signal: send what the viewer did, then replace the unwatched tail of the queue with
// a continuation planned from it. The playing slide and the next KEEP_ON_REPLAN stay.
function replan() {
  if (tab !== "foryou" || state.done || state.active < 0) return null;
  if (state.loading) {
    state.replanWanted = true;
    return state.loading;
  }
  state.replanWanted = false;
  return track(async () => {
    await signals.flush();
    const cut = state.active + KEEP_ON_REPLAN + 1;
    const release = state.slides.slice(cut - state.trimmed).map((slide) => slide.card.id);
    const page = await pager.next({ release });
    // Drop exactly the released cards the viewer has not reached meanwhile (never one that was
    // not released: swiping back during the request kept the buffered next card, which the
    // server had not released and so would never offer again).
    const dropped = state.slides.splice(Math.max(cut, state.active + KEEP_ON_REPLAN + 1) - state.trimmed);
    for (const slide of dropped) {
      observer.unobserve(slide.node);
      slide.release();
      slide.node.remove();
      state.seen.delete(slide.card.id);
    }
    const fresh = page.items.filter((card) => !state.seen.has(card.id));
    for (const card of fresh) appendSlide(card);
    prefetchImages(page.prefetch, fresh);
    state.replans += 1;
    if (!page.more || page.items.length === 0) finish();
    setActive(state.active, { force: true });
  });
}

// The re-planning policy over the watch signals (likes come from the like button).
signals.listeners.push((event) => {
  if (event.type === "finish" || event.type === "not_interested") {
    state.fastSkips = 0;
    replan();
  } else if (event.type === "skip") {
    state.fastSkips += 1;
    if (state.fastSkips >= FAST_SKIP_RUN) {
      state.fastSkips = 0;
      replan();
    }
  } else if (event.type === "pause") state.fastSkips = 0;
});

function liked(result) {
  Promise.resolve(result).then((isLiked) => {
    if (isLiked) {
      state.fastSkips = 0;
      replan();
    }
  });
}

function appendSlide(card) {
  state.seen.add(card.id);
  const slide = new Slide(card, slideCount(), template);
  state.slides.push(slide);
  status.before(slide.node);
  observer.observe(slide.node);
  slide.showPoster(slide.index < POSTER_WINDOW);
}

function slideAt(index) {
  return index >= state.trimmed ? state.slides[index - state.trimmed] : undefined;
}

// Every slide of the tab, removed ones included: the index the next slide gets.
function slideCount() {
  return state.trimmed + state.slides.length;
}

// Remove the slides more than KEEP_SLIDES_BEHIND behind the current one (their players released,
// their views ended when the viewer moved on; their ids stay in `seen`, so no page brings them
// back). The spacer grows by their height in the same change: nothing on screen moves.
function trimBehind() {
  const drop = state.active - KEEP_SLIDES_BEHIND - state.trimmed;
  if (drop <= 0) return;
  for (const slide of state.slides.splice(0, drop)) {
    observer.unobserve(slide.node);
    slide.release();
    slide.node.remove();
  }
  state.trimmed += drop;
  spacer.style.height = `${state.trimmed * 100}%`; // a slide is the feed's height
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
      slide.node.classList.remove("paused", "waiting", "failed");
      if (slide.index === state.active) slide.tracker?.onPlaying();
    },
    pause: () => {
      slide.node.classList.remove("playing", "waiting");
      if (slide.index === state.active) slide.tracker?.onPaused();
    },
    // A stall shows the spinner (it looked like a frozen picture); it is not watch time.
    waiting: () => {
      slide.node.classList.add("waiting");
      slide.tracker?.onPaused();
    },
    // The file failed once and is loaded again (player.js): played if it is still current.
    retry: () => {
      if (slide.index === state.active) playCurrent();
    },
    // It failed again: the slide says so, and leaving it sends no skip for a video the viewer
    // never saw play.
    failed: () => {
      slide.node.classList.remove("playing", "waiting", "paused");
      slide.node.classList.add("failed");
      if (slide.tracker) slide.tracker.failed = true;
    },
    timeupdate: () => {
      if (slide.index === state.active) slide.tracker?.onTime(slide.video.currentTime, slide.video.duration);
    },
  };
}

// The end marker scrolled into view: the last video stops and its view ends.
function showEnd() {
  if (state.atEnd || !state.done) return;
  const slide = slideAt(state.active);
  slide?.video?.pause();
  slide?.tracker?.leave();
  state.atEnd = true;
}

function setActive(index, { force = false } = {}) {
  if (index < state.trimmed || index >= slideCount()) return;
  const returning = state.atEnd;
  if (index === state.active && !force && !returning) return;
  state.atEnd = false;
  const previous = returning ? null : slideAt(state.active);
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
  const current = slideAt(index);
  // A dismissed slide is not watched again: no player, no view counted.
  if (!current.dismissed && (!current.tracker || current !== previous)) {
    current.tracker = current.tracker || new WatchTracker(signals, current.card, index);
    if (current !== previous) current.tracker.enter();
  }
  if (current !== previous) {
    const video = current.ensurePlayer("auto", playerHandlers(current));
    if (video && video.currentTime > 0) video.currentTime = 0;
    playCurrent();
  }
  trimBehind();
  if (slideCount() - index <= LOAD_MORE_WHEN_LEFT) loadMore();
}

async function playCurrent() {
  const slide = slideAt(state.active);
  const video = slide?.video;
  if (!stillWanted(slide, video)) return;
  video.muted = !sound.on;
  const outcome = await startPlayback(video);
  // Only the autoplay policy's refusal of sound is retried muted (then the unmute pill shows).
  // A play the viewer interrupted meanwhile (a swipe, a tap, a hidden tab; on a slow network
  // the play is still pending then) stays stopped: retrying it started the old video again
  // behind the current one.
  let played = outcome;
  if (outcome === "refused" && !video.muted && stillWanted(slide, video)) {
    video.muted = true;
    played = await startPlayback(video);
  }
  // Refused even muted (Low Power Mode, "never auto-play"): the play sign shows, and a tap
  // plays it (firstTap); it sat on its poster with nothing to say so, and took two taps.
  if (played === "refused" && stillWanted(slide, video)) slide.node.classList.add("paused");
  sound.paint();
}

// The slide is still the one on screen, with this player, not paused by the viewer, and the
// page is visible: playing it is still what the viewer wants.
function stillWanted(slide, video) {
  if (!video || slide !== slideAt(state.active) || slide.video !== video) return false;
  return !slide.userPaused && !state.atEnd && !document.hidden;
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

// Smooth scrolling, unless the viewer asked for less motion (an explicit "smooth" overrode the
// stylesheet's reduced-motion rule).
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
function scrollToSlide(node) {
  node.scrollIntoView({ behavior: reducedMotion.matches ? "auto" : "smooth", block: "start" });
}

function go(delta) {
  const from = state.atEnd ? slideCount() : state.active;
  const target = slideAt(Math.min(slideCount() - 1, Math.max(state.trimmed, from + delta)));
  if (!target) return;
  if (delta > 0 && from >= slideCount() - 1 && state.done) {
    scrollToSlide(status);
    return;
  }
  scrollToSlide(target.node);
  setActive(target.index);
}

function progressLoop() {
  const slide = slideAt(state.active);
  const video = slide?.video;
  if (video && video.duration > 0) slide.progress.style.transform = `scaleX(${Math.min(1, video.currentTime / video.duration)})`;
  requestAnimationFrame(progressLoop);
}

// ---------------------------------------------------------------- actions on a slide

function onAction(action, slide, button) {
  const card = slide.card;
  if (action === "like") liked(toggleLike(slide.node, card));
  else if (action === "save") toggleSave(slide.node, card);
  else if (action === "share") share(slide.node, card);
  else if (action === "captions") setCaptionsWanted(!captionsWanted());
  else if (action === "comments") openComments(card);
  else if (action === "menu") menu.open(slide, button);
  else if (action === "follow") {
    toggleFollow(card, {
      onChange: (username, following, requested) => {
        for (const other of state.slides) {
          if (other.card.owner.username !== username) continue;
          other.card.viewer.following_owner = following;
          other.card.viewer.requested_owner = requested;
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

function notInterested(slide) {
  signals.push("not_interested", { videoId: slide.card.id, position: slide.index });
  signals.flush();
  markDismissed(slide);
  if (slide.index === state.active) setTimeout(() => go(1), 400);
}

sound.button.addEventListener("click", (event) => {
  event.stopPropagation();
  sound.toggle();
  playCurrent();
});

bindGestures(feed, {
  slideAt,
  activeIndex: () => state.active,
  go,
  togglePause,
  doubleTap: (slide, x, y) => {
    slide.heartBurst(x, y);
    liked(likeOnce(slide.node, slide.card));
  },
  firstTap: (slide) => {
    const video = slide.video;
    // The click whose pointerdown turned a remembered "sound on" on: it paused the video too.
    if (sound.takeGestureUnmute()) return;
    if (video && video.paused && !slide.userPaused) {
      // Not playing though the viewer did not pause it (the browser refused autoplay): the
      // tap plays it, with sound unless the viewer chose silence.
      if (!sound.chosen) sound.set(true);
      slide.node.classList.remove("paused");
      playCurrent();
      return;
    }
    // The first tap on an autoplay-muted video turns the sound on instead of pausing.
    if (video && video.muted && !sound.chosen) sound.set(true);
    else togglePause(slide);
  },
  action: onAction,
  toggleSound: () => {
    sound.toggle();
    playCurrent();
  },
  like: (slide) => liked(toggleLike(slide.node, slide.card)),
  closeMenu: () => menu.close(),
  // Any open dialog (comments, share, report) takes the keys and the wheel: the feed moved and
  // liked behind a modal sheet, and Escape did not reach it.
  blocked: () => sheet.open || document.querySelector("dialog[open]") !== null,
});
sound.applyOnFirstGesture();

// Hiding the page (tab switch, close) ends the current view; coming back starts a new one.
signals.beforeHide.push(() => {
  const slide = slideAt(state.active);
  slide?.video?.pause();
  slide?.tracker?.leave();
});
document.addEventListener("visibilitychange", () => {
  const slide = slideAt(state.active);
  // At the end marker no video is on screen: its view ended there and starts again on return.
  if (!document.hidden && slide && !state.atEnd) {
    slide.tracker?.enter({ returning: true });
    playCurrent();
  }
});

exposeFeedState(state, signals);
sound.paint();
requestAnimationFrame(progressLoop);
if (tab === "following" && !viewer.authenticated) showEmpty(status, "signin");
else loadMore();

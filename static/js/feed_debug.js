// Read-only feed state for the browser tests and debugging (window.reelsFeed).

export function exposeFeedState(state, signals) {
  window.reelsFeed = {
    get active() {
      return state.active;
    },
    get count() {
      return state.slides.length;
    },
    // What the playing video's watch tracker has counted so far (ms of actual playback).
    watchedMs() {
      return state.slides[state.active]?.tracker?.currentWatchMs() ?? 0;
    },
    players() {
      return state.slides.filter((slide) => slide.video).map((slide) => slide.index);
    },
    flush: () => signals.flush(),
  };
}

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
    get replans() {
      return state.replans;
    },
    // A page request or a re-plan is in flight (or wanted once the one in flight ends).
    get busy() {
      return state.loading !== null || state.replanWanted;
    },
    // The card ids of the slides, in order (the queue after the active one is the unwatched tail).
    ids() {
      return state.slides.map((slide) => slide.card.id);
    },
    // Why each slide was picked (the card's reason kind), in slide order.
    kinds() {
      return state.slides.map((slide) => slide.card.reason?.kind ?? null);
    },
    // How many times the playing video has looped to its end (its first loop sends "finish").
    completions() {
      return state.slides[state.active]?.tracker?.completions ?? 0;
    },
    players() {
      return state.slides.filter((slide) => slide.video).map((slide) => slide.index);
    },
    flush: () => signals.flush(),
  };
}

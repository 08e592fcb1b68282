// Read-only feed state for the browser tests and debugging (window.reelsFeed).

export function exposeFeedState(state, signals) {
  const current = () => state.slides[state.active - state.trimmed];
  window.reelsFeed = {
    get active() {
      return state.active;
    },
    // Every slide the tab has had (indexes run to count - 1), removed ones included.
    get count() {
      return state.trimmed + state.slides.length;
    },
    // The slides still in the page (the ones far behind the current one are removed).
    get kept() {
      return state.slides.length;
    },
    // What the playing video's watch tracker has counted so far (ms of actual playback).
    watchedMs() {
      return current()?.tracker?.currentWatchMs() ?? 0;
    },
    get replans() {
      return state.replans;
    },
    // A page request or a re-plan is in flight (or wanted once the one in flight ends).
    get busy() {
      return state.loading !== null || state.replanWanted;
    },
    // The card ids of the slides by index, null for removed ones (the queue after the active
    // one is the unwatched tail).
    ids() {
      return [...Array(state.trimmed).fill(null), ...state.slides.map((slide) => slide.card.id)];
    },
    // Why each slide was picked (the card's reason kind), by index like ids().
    kinds() {
      return [...Array(state.trimmed).fill(null), ...state.slides.map((slide) => slide.card.reason?.kind ?? null)];
    },
    // How many times the playing video has looped to its end (its first loop sends "finish").
    completions() {
      return current()?.tracker?.completions ?? 0;
    },
    players() {
      return state.slides.filter((slide) => slide.video).map((slide) => slide.index);
    },
    flush: () => signals.flush(),
  };
}

// The single video page: player (same source choice as the feed), actions, comments, similar.

import { paintCard, share, toggleFollow, toggleLike, toggleSave } from "./actions.js";
import { api, renderCaption } from "./api.js";
import { CommentThread } from "./comments.js";
import { gridItem } from "./grid.js";
import { attachSource, tryPlay } from "./player.js";
import { SignalQueue, WatchTracker } from "./signals.js";

const card = JSON.parse(document.getElementById("video-card").textContent);
const page = document.getElementById("video-page");
const video = document.getElementById("player");
const signals = new SignalQueue();
const tracker = new WatchTracker(signals, card, 0);

renderCaption(page.querySelector("[data-role=caption]"), card.caption);
paintCard(page, card);

attachSource(video, card, "auto").then(() => tryPlay(video));
tracker.enter();
video.addEventListener("playing", () => tracker.onPlaying());
video.addEventListener("pause", () => tracker.onPaused());
video.addEventListener("timeupdate", () => tracker.onTime(video.currentTime, video.duration));
signals.beforeHide.push(() => tracker.leave());

page.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "like") toggleLike(page, card);
  else if (action === "save") toggleSave(page, card);
  else if (action === "share") share(page, card);
  else if (action === "follow") {
    toggleFollow(card, {
      onChange: (_username, following) => {
        card.viewer.following_owner = following;
        paintCard(page, card);
      },
    });
  }
});

const thread = new CommentThread(document.getElementById("comments"));
thread.open(card);

async function loadSimilar() {
  const list = page.querySelector("[data-role=similar]");
  const empty = page.querySelector("[data-role=similar-empty]");
  try {
    const data = await api(`/api/videos/${card.id}/similar?limit=12`);
    const items = data.items || data.results || [];
    for (const item of items) list.append(gridItem(item));
    empty.hidden = items.length > 0;
  } catch {
    empty.hidden = false;
  }
}
loadSimilar();

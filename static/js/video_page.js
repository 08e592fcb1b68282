// The single video page: player (same source choice as the feed), actions, comments, similar.

import { paintCard, share, toggleFollow, toggleLike, toggleSave } from "./actions.js";
import { api, el, renderCaption } from "./api.js";
import { CommentThread } from "./comments.js";
import { gridItem } from "./grid.js";
import { addCaptions, attachSource, captionsWanted, setCaptionsWanted, tryPlay } from "./player.js";
import { SignalQueue, WatchTracker } from "./signals.js";

const card = JSON.parse(document.getElementById("video-card").textContent);
const page = document.getElementById("video-page");
const video = document.getElementById("player");
const signals = new SignalQueue();
const tracker = new WatchTracker(signals, card, 0);

renderCaption(page.querySelector("[data-role=caption]"), card.caption);
paintCard(page, card);

addCaptions(video, card);
for (const button of page.querySelectorAll("[data-action=captions]")) {
  button.setAttribute("aria-pressed", String(captionsWanted()));
}
attachSource(video, card, "auto").then(() => tryPlay(video));
tracker.enter();
video.addEventListener("playing", () => tracker.onPlaying());
video.addEventListener("pause", () => tracker.onPaused());
video.addEventListener("waiting", () => tracker.onPaused()); // a stall is not watch time
video.addEventListener("timeupdate", () => tracker.onTime(video.currentTime, video.duration));
video.addEventListener("retry", () => tryPlay(video)); // the file failed once (player.js)
video.addEventListener("failed", () => {
  tracker.failed = true; // leaving a video that never played is no skip
});
// Hiding the page ends the view (watch time stops counting); coming back starts a new one,
// counting at once if the video is still playing (no "playing" event comes then).
signals.beforeHide.push(() => tracker.leave());
document.addEventListener("visibilitychange", () => {
  if (document.hidden) return;
  tracker.enter({ returning: true });
  if (!video.paused) tracker.onPlaying();
});

page.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "like") toggleLike(page, card);
  else if (action === "save") toggleSave(page, card);
  else if (action === "share") share(page, card);
  else if (action === "captions") setCaptionsWanted(!captionsWanted());
  else if (action === "captions-save") saveCaptions();
  else if (action === "follow") {
    toggleFollow(card, {
      onChange: (_username, following, requested) => {
        card.viewer.following_owner = following;
        card.viewer.requested_owner = requested;
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

// The owner's caption editor: one text field per timed segment (times stay as heard). Save
// stays disabled until the segments are loaded and while a save runs: saving before they came
// (or after their request failed) sent an empty list, which erased the whole transcript.
const editor = page.querySelector("[data-role=captions-editor]");
let segments = null; // null until loaded
let loading = false;

async function openEditor() {
  if (segments !== null || loading) return;
  const error = editor.querySelector("[data-role=captions-error]");
  const save = editor.querySelector("[data-action=captions-save]");
  loading = true;
  error.hidden = true;
  try {
    const data = await api(`/api/videos/${card.id}`);
    segments = data.transcript_segments || [];
  } catch (problem) {
    error.textContent = `${problem.message || "Could not load the captions"} (close and open again to retry)`;
    error.hidden = false;
    return;
  } finally {
    loading = false;
  }
  const lines = editor.querySelector("[data-role=captions-lines]");
  lines.replaceChildren(
    ...segments.map((segment, index) => {
      const input = el("input", {
        attrs: { type: "text", maxlength: "500", "aria-label": `Caption ${index + 1}`, value: segment.text },
      });
      input.value = segment.text;
      input.dataset.index = String(index);
      return el("li", {}, [el("span", { cls: "cue-time", text: `${segment.start.toFixed(1)}s` }), input]);
    }),
  );
  save.disabled = segments.length === 0;
}

async function saveCaptions() {
  const error = editor.querySelector("[data-role=captions-error]");
  const saved = editor.querySelector("[data-role=captions-saved]");
  const save = editor.querySelector("[data-action=captions-save]");
  if (segments === null || save.disabled) return;
  const edited = segments.map((segment, index) => ({
    ...segment,
    text: editor.querySelector(`input[data-index="${index}"]`).value,
  }));
  error.hidden = true;
  saved.hidden = true;
  save.disabled = true;
  try {
    await api(`/api/videos/${card.id}/captions`, { method: "PUT", body: { segments: edited } });
    segments = edited;
    saved.hidden = false;
    // Reload the track so the player shows the new text.
    const track = video.querySelector("track");
    if (track) {
      track.remove();
      addCaptions(video, { ...card, captions: { ...card.captions, url: `${card.captions.url}?v=${Date.now()}` } });
    }
  } catch (problem) {
    error.textContent = problem.message || "Could not save the captions";
    error.hidden = false;
  } finally {
    save.disabled = false;
  }
}

if (editor) editor.addEventListener("toggle", () => editor.open && openEditor());

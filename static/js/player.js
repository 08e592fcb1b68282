// Video element lifecycle: pick the source (native HLS, hls.js, or MP4), preload, release.

const HLS_SCRIPT_URL = "/static/vendor/hls.light.min.js";
const HLS_MIME = "application/vnd.apple.mpegurl";
let hlsLoading = null;

function loadHlsJs() {
  if (window.Hls) return Promise.resolve(window.Hls);
  if (!hlsLoading) {
    hlsLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = HLS_SCRIPT_URL;
      script.async = true;
      script.onload = () => resolve(window.Hls);
      script.onerror = () => reject(new Error("hls.js failed to load"));
      document.head.append(script);
    });
  }
  return hlsLoading;
}

function mediaSourceAvailable() {
  return Boolean(window.MediaSource || window.ManagedMediaSource);
}

// Which way this browser plays a card: "native-hls", "hls.js" or "mp4".
export function playbackMode(card, probe = document.createElement("video")) {
  if (card.hls_url && probe.canPlayType(HLS_MIME)) return "native-hls";
  if (card.hls_url && mediaSourceAvailable()) return "hls.js";
  return "mp4";
}

// Captions (WebVTT from the transcript): one choice for every player, remembered on this device.
const CAPTIONS_KEY = "captions";

export function captionsWanted() {
  try {
    return localStorage.getItem(CAPTIONS_KEY) === "on";
  } catch {
    return false;
  }
}

// Show or hide captions everywhere and remember the choice; returns the new state.
export function setCaptionsWanted(on) {
  try {
    localStorage.setItem(CAPTIONS_KEY, on ? "on" : "off");
  } catch {
    // private mode: the choice lasts for this page only
  }
  for (const video of document.querySelectorAll("video")) applyCaptions(video);
  for (const button of document.querySelectorAll("[data-action=captions]")) {
    button.setAttribute("aria-pressed", String(on));
  }
  return on;
}

// A <track> for the card's captions (none when the video has no speech).
export function addCaptions(video, card) {
  if (!card.captions || video.querySelector("track")) return;
  const track = document.createElement("track");
  track.kind = "subtitles";
  track.label = "Captions";
  if (card.captions.language && card.captions.language !== "und") track.srclang = card.captions.language;
  track.src = card.captions.url;
  video.append(track);
  applyCaptions(video);
}

// "showing" draws the cues; "disabled" does not even fetch them.
export function applyCaptions(video) {
  const mode = captionsWanted() ? "showing" : "disabled";
  for (const track of video.textTracks) track.mode = mode;
}

// A muted, looping, inline <video> for a card; sources are attached by attachSource().
export function createVideo(card) {
  const video = document.createElement("video");
  video.className = "player";
  video.muted = true;
  video.defaultMuted = true;
  video.loop = true;
  video.playsInline = true;
  video.setAttribute("playsinline", "");
  video.setAttribute("webkit-playsinline", "");
  video.disablePictureInPicture = true;
  video.preload = "none";
  if (card.poster_url) video.poster = card.poster_url;
  addCaptions(video, card);
  return video;
}

// Attach the card's media to the element with the given preload level ("auto" fetches the
// first seconds now, "metadata" only the header). Idempotent: upgrading preload later is cheap.
export async function attachSource(video, card, preload) {
  video.preload = preload;
  if (video.dataset.attached) {
    // hls.js's startLoad first stops loading, aborting the segment in flight: only a player
    // made without loading starts, once (every swipe aborted the prefetches ahead).
    if (preload === "auto" && video._hls && !video._hlsLoading) {
      video._hlsLoading = true;
      video._hls.startLoad(-1);
    }
    return;
  }
  video.dataset.attached = "1";
  const mode = card.mp4_url || card.hls_url ? playbackMode(card, video) : "none";
  video.dataset.mode = mode;
  if (mode === "none") return;
  watchForFailure(video, card);
  if (mode === "hls.js") {
    try {
      const Hls = await loadHlsJs();
      if (!video.dataset.attached) return; // released while the library loaded
      if (Hls && Hls.isSupported()) {
        const hls = new Hls({
          capLevelToPlayerSize: true, // the rendition that fits the screen
          maxBufferLength: 12,
          maxMaxBufferLength: 30,
          startFragPrefetch: true,
          autoStartLoad: preload !== "none",
        });
        video._hls = hls;
        video._hlsLoading = preload !== "none";
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (data.fatal && card.mp4_url) {
            hls.destroy();
            video._hls = null;
            fallBackToMp4(video, card);
          }
        });
        hls.loadSource(card.hls_url);
        hls.attachMedia(video);
        return;
      }
    } catch {
      // fall through to MP4
    }
    if (!video.dataset.attached) return; // released meanwhile: a detached player loads nothing
    video.dataset.mode = "mp4";
  }
  if (mode === "native-hls" && card.mp4_url) {
    // The browser plays HLS itself (Safari, recent Chrome): a stream it cannot load is an
    // error on the element, after which it would stay black.
    video.addEventListener(
      "error",
      () => {
        if (video.dataset.attached && video.dataset.mode === "native-hls") {
          fallBackToMp4(video, card);
        }
      },
      { once: true },
    );
  }
  video.src = mode === "native-hls" ? card.hls_url : card.mp4_url || card.hls_url;
}

// A file that fails to load (a network error, a broken rendition) is tried once more from the
// start ("retry": the page plays it again if it still wants it), then the element says so with
// a "failed" event the slide shows: it sat on its poster like a paused video, and a tap did
// nothing.
function watchForFailure(video, card) {
  let retried = false;
  video.addEventListener("error", () => {
    // A stream's failures have their own fallback to the MP4 (hls.js's error event, and the
    // native player's error listener below); this one is the MP4's.
    if (!video.dataset.attached || video.dataset.mode !== "mp4" || video._hls) return;
    if (!retried && card.mp4_url) {
      retried = true;
      video.src = card.mp4_url;
      video.dispatchEvent(new Event("retry"));
      return;
    }
    video.dispatchEvent(new Event("failed"));
  });
}

// The stream failed: the MP4 instead. A new source ends a pending play() and pauses a playing
// video, so a video that was meant to play (not paused when the stream failed) plays on.
function fallBackToMp4(video, card) {
  const wantedPlaying = !video.paused;
  video.dataset.mode = "mp4";
  video.src = card.mp4_url;
  if (wantedPlaying) video.play().catch(() => {});
}

// Free the decoder and network buffers: the element no longer holds any media.
export function releaseVideo(video) {
  try {
    video.pause();
  } catch {
    // already detached
  }
  if (video._hls) {
    video._hls.destroy();
    video._hls = null;
  }
  delete video.dataset.attached;
  video.removeAttribute("src");
  video.load();
  video.remove();
}

// play() that never throws: "playing", "refused" (the autoplay policy: sound before a gesture)
// or "interrupted" (a pause, a new source or a failed load ended the pending play). A stream
// that failed while the play was pending, so that the player moved to the MP4, is played from
// the MP4 (the browser ends the pending play when the stream fails).
export async function startPlayback(video) {
  const mode = video.dataset.mode;
  try {
    await video.play();
    return "playing";
  } catch (error) {
    if (error?.name === "NotAllowedError") return "refused";
    if (video.dataset.attached && video.dataset.mode === "mp4" && mode !== "mp4") {
      return startPlayback(video);
    }
    return "interrupted";
  }
}

// play() that never throws: returns whether playback started.
export async function tryPlay(video) {
  return (await startPlayback(video)) === "playing";
}

export function bufferedAheadSeconds(video) {
  const ranges = video.buffered;
  for (let i = 0; i < ranges.length; i++) {
    if (ranges.start(i) <= video.currentTime + 0.1 && ranges.end(i) >= video.currentTime) {
      return ranges.end(i) - video.currentTime;
    }
  }
  return 0;
}

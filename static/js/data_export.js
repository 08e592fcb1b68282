// "Download your data" on the settings page: ask for an archive, follow it while it is made
// (polling every few seconds, slower the longer it takes), then offer the download.

import { api, ApiError } from "./api.js";

const card = document.querySelector("[data-role=data-export]");
const POLL_FIRST_MS = 3000;
const POLL_MAX_MS = 30000;

function megabytes(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

function show(exportInfo) {
  const status = card.querySelector("[data-role=export-status]");
  const ask = card.querySelector("[data-role=export-request]");
  const download = card.querySelector("[data-role=export-download]");
  download.hidden = true;
  ask.disabled = false;
  if (!exportInfo) {
    status.textContent = "";
    return false;
  }
  const state = exportInfo.state;
  if (state === "pending" || state === "building") {
    status.textContent = "Your archive is being made. You can leave this page: you will be notified.";
    ask.disabled = true;
    return true;
  }
  if (state === "ready") {
    const until = new Date(exportInfo.expires_at).toLocaleString();
    status.textContent = `Your archive (${megabytes(exportInfo.size_bytes)}) is ready until ${until}.`;
    download.href = exportInfo.download_url;
    download.hidden = false;
  } else if (state === "failed") {
    status.textContent = exportInfo.error || "The archive could not be made. Ask again.";
  } else {
    status.textContent = "Your last archive has expired. Ask for a new one.";
  }
  return false;
}

// One poll at a time: asking replaces the page load's poll, and an answer that arrives after a
// newer request was made (the load's list, landing after the click's POST) is dropped.
let pollTimer = null;
let generation = 0;

function pollLater(delay) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(() => follow(Math.min(delay * 1.5, POLL_MAX_MS)), delay);
}

async function follow(delay = POLL_FIRST_MS) {
  clearTimeout(pollTimer);
  const mine = ++generation;
  let data;
  try {
    data = await api("/api/me/data-exports");
    if (mine !== generation) return;
  } catch (error) {
    if (mine !== generation) return;
    // Signed out meanwhile: nothing more to follow.
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return;
    pollLater(delay);
    return;
  }
  if (show(data.results[0])) pollLater(delay);
}

if (card) {
  card.querySelector("[data-role=export-request]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    clearTimeout(pollTimer);
    const mine = ++generation;
    try {
      const asked = await api("/api/me/data-exports", { method: "POST" });
      if (mine === generation && show(asked)) pollLater(POLL_FIRST_MS);
    } catch (error) {
      button.disabled = false;
      const status = card.querySelector("[data-role=export-status]");
      status.textContent = error instanceof ApiError ? error.message : "Network error - try again.";
    }
  });
  follow();
}

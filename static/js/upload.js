// Upload: drag-and-drop or pick a file, XHR upload with a progress bar, then live pipeline
// status over the websocket (polling the video if the socket drops) until ready or failed.

import { answerData, api, csrfToken, el } from "./api.js";

const STEP_LABELS = { transcode: "Transcode", transcribe: "Transcribe", embed: "Understand", tag: "Tag", publish: "Publish" };
const POLL_MS = 2000;

const form = document.getElementById("upload-form");
const input = document.getElementById("upload-file");
const zone = form.querySelector("[data-role=dropzone]");
const fileName = form.querySelector("[data-role=file-name]");
const errorBox = form.querySelector("[data-role=error]");
const progressBox = document.querySelector("[data-role=progress-box]");
const progressBar = document.querySelector("[data-role=progress]");
const progressFill = document.querySelector("[data-role=progress-fill]");
const progressLabel = document.querySelector("[data-role=progress-label]");
const statusBox = document.querySelector("[data-role=status-box]");
const stepsList = document.querySelector("[data-role=steps]");
const result = document.querySelector("[data-role=result]");
const resultText = result.querySelector("[data-role=result-text]");
const PROCESSING_TEXT = resultText.textContent;
const soundBox = form.querySelector("[data-role=sound]");
const soundVolume = document.getElementById("upload-sound-volume");
let chosen = null;

if (soundBox) {
  const shown = soundBox.querySelector("[data-role=sound-volume-value]");
  soundVolume.addEventListener("input", () => {
    shown.textContent = `${soundVolume.value}%`;
  });
}

function choose(file) {
  chosen = file || null;
  fileName.textContent = chosen ? `${chosen.name} · ${(chosen.size / 1e6).toFixed(1)} MB` : "";
  errorBox.textContent = "";
}

input.addEventListener("change", () => choose(input.files[0]));
for (const type of ["dragenter", "dragover"]) {
  zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
}
for (const type of ["dragleave", "drop"]) zone.addEventListener(type, () => zone.classList.remove("dragging"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  const file = [...(event.dataTransfer?.files || [])].find((item) => item.type.startsWith("video/")) || event.dataTransfer?.files[0];
  choose(file);
});

function setProgress(fraction, label) {
  const percent = Math.round(fraction * 100);
  progressFill.style.width = `${percent}%`;
  progressBar.setAttribute("aria-valuenow", String(percent));
  progressLabel.textContent = label || `Uploading… ${percent}%`;
}

function upload(body) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/videos");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) setProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      try {
        resolve(answerData(xhr.status, xhr.responseText));
      } catch (error) {
        reject(error);
      }
    });
    xhr.addEventListener("error", () => reject(new Error("Network error during upload")));
    xhr.send(body);
  });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!chosen) {
    errorBox.textContent = "Choose a video file first.";
    return;
  }
  const body = new FormData();
  body.append("file", chosen, chosen.name);
  body.append("caption", form.caption.value);
  body.append("privacy", form.privacy.value);
  if (soundBox) {
    // "Use this sound": the sound replaces the video's audio; the slider keeps some of it.
    body.append("sound", soundBox.dataset.soundId);
    body.append("sound_volume", String(Number(soundVolume.value) / 100));
  }
  form.querySelector("[data-role=submit]").disabled = true;
  progressBox.hidden = false;
  setProgress(0);
  try {
    const created = await upload(body);
    setProgress(1, "Uploaded");
    form.hidden = true;
    watchStatus(created.id, created);
  } catch (error) {
    if (error.status === 409 && error.body?.id) {
      // The same file again: follow the video that already exists.
      setProgress(1, "You already uploaded this video");
      form.hidden = true;
      watchStatus(error.body.id, { status: error.body.status });
      return;
    }
    form.querySelector("[data-role=submit]").disabled = false;
    progressBox.hidden = true;
    const fields = error.body?.fields || {};
    const detail = Object.values(fields).flat().join(" ");
    errorBox.textContent = error.status === 429 ? "Upload limit reached - try again later." : detail || error.message;
  }
});

function renderStatus(video) {
  statusBox.hidden = false;
  const steps = video.steps || [];
  stepsList.replaceChildren(
    ...steps.map((step) => {
      const item = el("li", { cls: "step", attrs: { "data-step": step.name, "data-state": step.state } }, [
        el("span", { cls: "step-dot" }),
        el("span", { cls: "step-name", text: STEP_LABELS[step.name] || step.name }),
        el("span", {
          cls: "step-state",
          text: `${step.state}${step.attempts > 1 ? ` · try ${step.attempts}` : ""}${step.duration_s ? ` · ${Number(step.duration_s).toFixed(1)} s` : ""}`,
        }),
      ]);
      if (step.last_error && step.state !== "done") item.append(el("span", { cls: "step-error", text: step.last_error }));
      return item;
    }),
  );
  result.dataset.state = video.status;
  const link = result.querySelector("[data-role=result-link]");
  if (video.status === "ready") {
    resultText.textContent = "Your video is ready.";
    link.href = `/v/${video.id}`;
    link.hidden = false;
  } else if (video.status === "failed") {
    resultText.textContent = `Processing failed: ${video.failure_reason || "unknown error"}`;
  } else {
    resultText.textContent = PROCESSING_TEXT;
  }
  return video.status === "ready" || video.status === "failed";
}

function statusProblem(message) {
  resultText.textContent = `Could not read the processing status: ${message} Still trying.`;
}

// One status poll at a time: the socket's drop and the backstop both ask for the next one, and
// each asks again only when its answer is in.
function watchStatus(id, initial) {
  renderStatus({ id, status: initial.status || "uploaded", steps: initial.steps || [] });
  let finished = false;
  let pollTimer = 0;
  let polling = false;
  const pollSoon = (delayMs) => {
    clearTimeout(pollTimer);
    if (!finished && !polling) pollTimer = setTimeout(poll, delayMs);
  };
  const poll = async () => {
    if (finished || polling) return;
    polling = true;
    try {
      finished = renderStatus(await api(`/api/videos/${id}`));
    } catch (error) {
      statusProblem(error.message);
    } finally {
      polling = false;
    }
    pollSoon(POLL_MS);
  };
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let socket;
  try {
    socket = new WebSocket(`${scheme}://${location.host}/ws/videos/${id}/status`);
  } catch {
    poll();
    return;
  }
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return; // not a status: the polls are the backstop
    }
    if (message.type === "status" && message.video) {
      finished = renderStatus(message.video) || finished;
      if (finished) socket.close();
    }
  });
  socket.addEventListener("close", () => pollSoon(0));
  // A slow or silent socket must not leave the page stuck: poll as a backstop.
  pollSoon(POLL_MS * 5);
  window.addEventListener("pagehide", () => clearTimeout(pollTimer));
}

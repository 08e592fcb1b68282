// The owner's tools on a video page: edit the caption and privacy, delete after a confirmation.

import { api, renderCaption, toast } from "./api.js";

const card = JSON.parse(document.getElementById("video-card").textContent);
const form = document.querySelector("[data-role=edit-form]");
const caption = document.querySelector("#video-page [data-role=caption]");
const dialog = document.getElementById("delete-video-dialog");

function fieldMessage(problem) {
  const fields = problem.body?.fields || {};
  const first = Object.values(fields)[0];
  return (Array.isArray(first) ? first[0] : first) || problem.message || "Could not save";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = form.querySelector("[data-role=edit-error]");
  const saved = form.querySelector("[data-role=edit-saved]");
  const button = form.querySelector("[data-role=edit-save]");
  error.hidden = true;
  saved.hidden = true;
  button.disabled = true;
  try {
    const answer = await api(`/api/videos/${card.id}`, {
      method: "PATCH",
      body: { caption: form.elements.caption.value, privacy: form.elements.privacy.value },
    });
    card.caption = answer.caption;
    card.privacy = answer.privacy;
    form.elements.caption.value = answer.caption;
    renderCaption(caption, answer.caption);
    saved.hidden = false;
  } catch (problem) {
    error.textContent = fieldMessage(problem);
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

form.querySelector("[data-role=delete-open]").addEventListener("click", () => {
  dialog.querySelector("[data-role=delete-error]").hidden = true;
  dialog.showModal();
});

dialog.querySelector("[data-role=delete-confirm]").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await api(`/api/videos/${card.id}`, { method: "DELETE" });
    toast("Video deleted");
    window.location.href = `/@${encodeURIComponent(card.owner.username)}`;
  } catch (problem) {
    const error = dialog.querySelector("[data-role=delete-error]");
    error.textContent = problem.message || "Could not delete the video";
    error.hidden = false;
    button.disabled = false;
  }
});

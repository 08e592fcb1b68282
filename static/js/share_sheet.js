// The share sheet: copy the video's link, or send the video to another user in the app.

import { api, requireSignIn, toast } from "./api.js";

let current = null; // { card, onCopy, onSent } of the video being shared

function sheet() {
  return document.getElementById("share-sheet");
}

function bind(dialog) {
  if (dialog.dataset.bound) return;
  dialog.dataset.bound = "1";
  const form = dialog.querySelector("[data-role=share-send]");
  const input = form.elements.to;
  const error = dialog.querySelector("[data-role=share-error]");
  dialog.querySelector("[data-role=share-close]").addEventListener("click", () => dialog.close());
  dialog.querySelector("[data-role=share-copy]").addEventListener("click", () => {
    const { onCopy } = current || {};
    dialog.close();
    onCopy?.();
  });
  // A click on the backdrop (outside the sheet's box) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  input.addEventListener("focus", () => {
    if (!requireSignIn("Log in to send videos to people.")) input.blur();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current || !requireSignIn("Log in to send videos to people.")) return;
    const to = input.value.trim().replace(/^@/, "");
    if (!to) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    error.hidden = true;
    try {
      const answer = await api(`/api/videos/${current.card.id}/share`, {
        method: "POST",
        body: { channel: "user", to },
      });
      current.onSent?.(answer);
      input.value = "";
      dialog.close();
      toast(`Sent to @${answer.to || to}`);
    } catch (problem) {
      if (problem.status === 429) error.textContent = "You've sent a lot - try again later";
      else error.textContent = problem.message || "Could not send";
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}

// Whether this page has a share sheet (else sharing copies the link straight away).
export function hasShareSheet() {
  return Boolean(sheet());
}

export function openShareSheet(card, { onCopy, onSent } = {}) {
  const dialog = sheet();
  bind(dialog);
  current = { card, onCopy, onSent };
  dialog.querySelector("[data-role=share-error]").hidden = true;
  if (!dialog.open) dialog.showModal();
}

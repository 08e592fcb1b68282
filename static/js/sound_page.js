// A sound's page: favourite toggle, Report, and the play counter (the player and the grid are HTML).

import { ApiError, api, reportError, whileBusy } from "./api.js";
import "./report.js"; // the sound's Report button

const page = document.getElementById("sound-page");
const soundId = page.dataset.soundId;
const favorite = page.querySelector("[data-action=favorite]");
const favorites = page.querySelector("[data-role=favorites]");
const audio = page.querySelector("[data-role=sound-audio]");

favorite.addEventListener("click", () =>
  whileBusy(favorite, async () => {
    const on = favorite.getAttribute("aria-pressed") === "true";
    try {
      const result = await api(`/api/sounds/${soundId}/favorite`, { method: on ? "DELETE" : "POST" });
      favorite.setAttribute("aria-pressed", String(result.favorited));
      favorite.textContent = result.favorited ? "Saved" : "Add to favourites";
      favorites.textContent = String(result.favorites);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) window.location.assign(`/login?next=/sound/${soundId}`);
      else reportError(error, "Could not save the sound");
    }
  }),
);

if (audio) {
  let counted = false;
  audio.addEventListener("play", () => {
    if (counted) return;
    counted = true;
    api(`/api/sounds/${soundId}/play`, { method: "POST" }).catch(() => {});
  });
}

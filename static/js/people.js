// Followers page of your own account: remove a follower.

import { api, reportError, toast, whileBusy } from "./api.js";

for (const button of document.querySelectorAll("[data-role=remove-follower]")) {
  button.addEventListener("click", () =>
    whileBusy(button, async () => {
      const username = button.dataset.username;
      try {
        await api(`/api/me/followers/${encodeURIComponent(username)}`, { method: "DELETE" });
        button.closest("li").remove();
        toast(`Removed @${username} from your followers`);
      } catch (error) {
        reportError(error);
      }
    }),
  );
}

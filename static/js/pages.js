// Small behaviours of server-rendered pages (profile follow button, compact counts).

import { bindProfileFollow } from "./actions.js";
import { api, reportError, whileBusy } from "./api.js";
import "./report.js"; // the profile's Report button

const follow = document.querySelector("[data-role=follow]");
if (follow) bindProfileFollow(follow, document.querySelector("[data-role=followers]"));

// A blocked account's page offers only "Unblock"; afterwards the page shows the account again.
const unblock = document.querySelector("[data-role=unblock]");
if (unblock) {
  unblock.addEventListener("click", () =>
    whileBusy(unblock, async () => {
      try {
        await api(`/api/users/${encodeURIComponent(unblock.dataset.username)}/block`, { method: "DELETE" });
        window.location.reload();
      } catch (error) {
        reportError(error);
      }
    }),
  );
}

// A profile page's tabs (Videos, Liked, Saved: the lists load on first open, a cursor page at a
// time, one load at a time per tab) and the "…" menu of another user's profile (block, after a confirmation).

import { api, oneAtATime, reportError, requireSignIn } from "./api.js";
import { gridItem } from "./grid.js";

const tabs = [...document.querySelectorAll(".profile-tabs [role=tab]")];
const panels = new Map([...document.querySelectorAll("[data-tab-panel]")].map((panel) => [panel.dataset.tabPanel, panel]));

async function loadPage(panel, url) {
  const grid = panel.querySelector("[data-role=tab-grid]");
  const more = panel.querySelector("[data-role=tab-more]");
  const empty = panel.querySelector("[data-role=tab-empty]");
  more.hidden = true;
  panel.setAttribute("aria-busy", "true");
  try {
    const page = await api(url);
    for (const card of page.results || []) grid.append(gridItem(card));
    panel.dataset.next = page.next || "";
    more.hidden = !page.next;
    empty.hidden = grid.children.length > 0;
  } catch (error) {
    reportError(error, "Could not load the list");
    more.hidden = false;
  } finally {
    panel.removeAttribute("aria-busy");
    panel.dataset.loaded = "1";
  }
}

const loaders = new Map([...panels.values()].map((panel) => [panel, oneAtATime((url) => loadPage(panel, url))]));

function select(name) {
  for (const tab of tabs) tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
  for (const [key, panel] of panels) panel.hidden = key !== name;
  const panel = panels.get(name);
  if (panel?.dataset.source && !panel.dataset.loaded) loaders.get(panel)(panel.dataset.source);
}

for (const tab of tabs) tab.addEventListener("click", () => select(tab.dataset.tab));
for (const panel of panels.values()) {
  panel.querySelector("[data-role=tab-more]")?.addEventListener("click", () => {
    loaders.get(panel)(panel.dataset.next || panel.dataset.source);
  });
}

// The "…" menu and the block confirmation.
const moreButton = document.querySelector("[data-role=profile-more]");
const menu = document.querySelector("[data-role=profile-menu]");
const blockDialog = document.getElementById("block-dialog");

function setMenu(open) {
  menu.hidden = !open;
  moreButton.setAttribute("aria-expanded", open ? "true" : "false");
}

if (moreButton && menu && blockDialog) {
  moreButton.addEventListener("click", (event) => {
    event.stopPropagation();
    setMenu(menu.hidden);
  });
  document.addEventListener("click", (event) => {
    if (!menu.hidden && !menu.contains(event.target)) setMenu(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setMenu(false);
  });
  menu.querySelector("[data-role=block-open]").addEventListener("click", () => {
    setMenu(false);
    if (!requireSignIn("Log in to block accounts.")) return;
    blockDialog.querySelector("[data-role=block-error]").hidden = true;
    blockDialog.showModal();
  });
  const confirm = blockDialog.querySelector("[data-role=block-confirm]");
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await api(`/api/users/${encodeURIComponent(confirm.dataset.username)}/block`, { method: "POST" });
      window.location.reload();
    } catch (error) {
      const message = blockDialog.querySelector("[data-role=block-error]");
      message.textContent = error.message || "Could not block";
      message.hidden = false;
      confirm.disabled = false;
    }
  });
}

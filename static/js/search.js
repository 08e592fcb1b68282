// Search page: videos (and tags / creators when the API returns them) for ?q=.

import { api, el } from "./api.js";
import { gridItem } from "./grid.js";

const box = document.getElementById("search-results");
const query = box.dataset.query;
const status = box.querySelector("[data-role=status]");

async function run() {
  if (!query) return;
  try {
    const data = await api(`/api/search?q=${encodeURIComponent(query)}&limit=30`);
    const videos = data.items || data.results || data.videos || [];
    const tags = data.tags || [];
    const users = data.users || data.creators || [];
    status.remove();
    if (tags.length) {
      const list = el("ul", { cls: "tag-list" });
      for (const tag of tags) {
        list.append(el("li", {}, [el("a", { cls: "chip", text: `#${tag.name || tag.slug}`, attrs: { href: `/tag/${encodeURIComponent(tag.slug)}` } })]));
      }
      box.append(el("h2", { text: "Tags" }), list);
    }
    if (users.length) {
      const list = el("ul", { cls: "user-list" });
      for (const user of users) {
        list.append(el("li", {}, [el("a", { attrs: { href: `/@${encodeURIComponent(user.username)}` } }, [
          el("strong", { text: user.display_name || user.username }),
          el("span", { cls: "profile-handle", text: `@${user.username}` }),
        ])]));
      }
      box.append(el("h2", { text: "Creators" }), list);
    }
    box.append(el("h2", { text: "Videos" }));
    if (!videos.length) box.append(el("p", { cls: "empty-note", text: `No videos match "${query}".` }));
    else {
      const grid = el("ul", { cls: "video-grid" });
      for (const card of videos) grid.append(gridItem(card));
      box.append(grid);
    }
  } catch (error) {
    status.textContent = error.status === 400 ? error.message : "Search is unavailable right now.";
  }
}
run();

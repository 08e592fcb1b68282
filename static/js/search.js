// Search page: typed results for ?q= (Top, Videos, Accounts, Hashtags, Sounds), each list
// pageable with "Load more", and suggestions under the box as you type.

import { api, compactCount, el, reportError } from "./api.js";
import { gridItem } from "./grid.js";

const box = document.getElementById("search-results");
const query = box.dataset.query;
const type = box.dataset.type || "all";
const status = box.querySelector("[data-role=status]");
const SECTION_TITLES = { videos: "Videos", users: "Accounts", hashtags: "Hashtags", sounds: "Sounds" };

function userItem(user) {
  return el("li", {}, [el("a", { attrs: { href: `/@${encodeURIComponent(user.username)}` } }, [
    el("strong", { text: user.display_name || user.username }),
    el("span", { cls: "profile-handle", text: `@${user.username}` }),
  ])]);
}

function hashtagItem(tag) {
  return el("li", {}, [el("a", { cls: "chip", attrs: { href: `/hashtag/${encodeURIComponent(tag.name)}` } }, [
    el("span", { text: `#${tag.name}` }),
    el("span", { cls: "search-count", text: ` ${compactCount(tag.video_count)} videos` }),
  ])]);
}

function soundItem(sound) {
  return el("li", {}, [el("a", { attrs: { href: `/sound/${sound.id}` } }, [
    el("strong", { text: `♪ ${sound.title}` }),
    el("span", { cls: "profile-handle", text: sound.creator ? `@${sound.creator}` : "" }),
  ])]);
}

const RENDERERS = {
  videos: { list: () => el("ul", { cls: "video-grid" }), item: gridItem },
  users: { list: () => el("ul", { cls: "user-list" }), item: userItem },
  hashtags: { list: () => el("ul", { cls: "tag-list" }), item: hashtagItem },
  sounds: { list: () => el("ul", { cls: "user-list sound-list" }), item: soundItem },
};

function searchUrl(kind, cursor) {
  const params = new URLSearchParams({ q: query, type: kind });
  if (cursor) params.set("cursor", cursor);
  return `/api/search?${params}`;
}

// One kind's list, with "Load more" following its cursor.
function section(kind, page, { title, seeAll } = {}) {
  const wrap = el("section", { cls: "search-section", attrs: { "data-kind": kind } });
  if (title) wrap.append(el("h2", { text: title }));
  const list = RENDERERS[kind].list();
  for (const item of page.items) list.append(RENDERERS[kind].item(item));
  wrap.append(list);
  if (seeAll && page.next_cursor) {
    wrap.append(el("a", { cls: "link-btn", text: `See all ${title.toLowerCase()}`, attrs: { href: `/search?q=${encodeURIComponent(query)}&type=${kind}` } }));
  } else if (page.next_cursor) {
    let cursor = page.next_cursor;
    const more = el("button", { cls: "link-btn tab-more", text: "Load more", attrs: { type: "button", "data-role": "more" } });
    more.addEventListener("click", async () => {
      more.disabled = true;
      try {
        const next = (await api(searchUrl(kind, cursor)))[kind];
        for (const item of next.items) list.append(RENDERERS[kind].item(item));
        cursor = next.next_cursor;
        more.hidden = !cursor;
      } catch (error) {
        // An expired cursor (a tab left open for a day), a throttle, no network: say so.
        reportError(error, "Could not load more results");
      } finally {
        more.disabled = false;
      }
    });
    wrap.append(more);
  }
  return wrap;
}

function degradedNote(data) {
  if (data.semantic || !data.degraded) return null;
  return el("p", { cls: "search-note", attrs: { "data-role": "degraded" }, text: "Matching by words only right now: results by meaning are unavailable." });
}

async function run() {
  if (!query) return;
  try {
    const data = await api(searchUrl(type));
    status.remove();
    const note = degradedNote(data);
    if (note) box.append(note);
    const kinds = type === "all" ? ["users", "hashtags", "sounds", "videos"] : [type];
    let shown = 0;
    for (const kind of kinds) {
      const page = data[kind];
      if (!page || !page.items.length) continue;
      shown += page.items.length;
      box.append(section(kind, page, type === "all" ? { title: SECTION_TITLES[kind], seeAll: true } : {}));
    }
    if (!shown) box.append(el("p", { cls: "empty-note", text: data.note || `Nothing matches "${query}".` }));
  } catch (error) {
    status.textContent = error.status === 400 ? error.message : "Search is unavailable right now.";
  }
}

// Suggestions under the box: accounts, hashtags and sounds go to their page, a past query
// searches again.
const form = document.getElementById("search-form");
const input = form.querySelector("input[name=q]");
const suggestions = document.getElementById("search-suggestions");
let pending = null;
let latest = 0;

function suggestionsHide() {
  suggestions.hidden = true;
  input.setAttribute("aria-expanded", "false");
}

async function suggest() {
  const typed = input.value.trim();
  const ticket = ++latest;
  if (!typed) return suggestionsHide();
  try {
    const data = await api(`/api/search/suggest?q=${encodeURIComponent(typed)}`);
    if (ticket !== latest) return;
    suggestions.replaceChildren();
    for (const item of data.suggestions) {
      const label = item.kind === "user" ? `@${item.text}` : item.kind === "hashtag" ? `#${item.text}` : item.kind === "sound" ? `♪ ${item.text}` : item.text;
      const href = item.url || `/search?q=${encodeURIComponent(item.text)}`;
      suggestions.append(el("li", { attrs: { role: "option", "data-kind": item.kind } }, [el("a", { text: label, attrs: { href } })]));
    }
    suggestions.hidden = !data.suggestions.length;
    input.setAttribute("aria-expanded", String(!suggestions.hidden));
  } catch {
    suggestionsHide();
  }
}

input.addEventListener("input", () => {
  clearTimeout(pending);
  pending = setTimeout(suggest, 120);
});
input.addEventListener("keydown", (event) => { if (event.key === "Escape") suggestionsHide(); });
document.addEventListener("click", (event) => { if (!form.contains(event.target)) suggestionsHide(); });

run();

// Video grid items built in the browser (similar videos, search results): text only.

import { compactCount, el } from "./api.js";

export function gridItem(card) {
  const link = el("a", { attrs: { href: `/v/${card.id}`, "aria-label": card.caption || "Video" } });
  const image = card.thumbnail_url || card.poster_url;
  if (image) link.append(el("img", { attrs: { src: image, alt: "", loading: "lazy" } }));
  if (card.caption) link.append(el("span", { cls: "grid-caption", text: card.caption }));
  link.append(el("span", { cls: "grid-views", text: `▷ ${compactCount(card.counts?.views ?? 0)}` }));
  return el("li", { cls: "grid-item", attrs: { "data-video-id": card.id } }, [link]);
}

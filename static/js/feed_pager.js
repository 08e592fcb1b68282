// Pages of the feed from the API: For You (signed feed cursor) or Following (DRF cursor URL).

import { api } from "./api.js";

export class FeedPager {
  constructor(tab, pageSize) {
    this.tab = tab;
    this.pageSize = pageSize;
    this.cursor = null; // For You
    this.nextUrl = null; // Following
  }

  // The next page: { items, more, prefetch }. `release`: ids of queued cards a re-plan dropped
  // unshown (the server takes them out of the session's served set; For You only).
  async next({ release = [] } = {}) {
    if (this.tab === "following") {
      const data = await api(this.nextUrl || `/api/feed/following?limit=${this.pageSize}`);
      this.nextUrl = data.next;
      return { items: data.results || [], more: Boolean(data.next), prefetch: [] };
    }
    const cursor = this.cursor ? `&cursor=${encodeURIComponent(this.cursor)}` : "";
    const released = release.length ? `&release=${release.join(",")}` : "";
    const data = await api(`/api/feed?limit=${this.pageSize}${cursor}${released}`);
    this.cursor = data.next_cursor;
    return { items: data.items || [], more: Boolean(data.next_cursor), prefetch: data.prefetch || [] };
  }
}

// Warm the browser cache with the posters (and image prefetch hints) of the next cards.
export function prefetchImages(urls, cards) {
  const images = [...urls.filter((url) => /\.(jpe?g|png|webp|avif)(\?|$)/i.test(url))];
  for (const card of cards.slice(0, 4)) if (card.poster_url) images.push(card.poster_url);
  for (const url of new Set(images)) new Image().src = url;
}

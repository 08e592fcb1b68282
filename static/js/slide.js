// One feed slide: builds the overlay from a card (text only, never HTML) and owns its player.

import { paintCard } from "./actions.js";
import { el, initial as initialOf, renderCaption } from "./api.js";
import { attachSource, captionsWanted, createVideo, releaseVideo } from "./player.js";

// The feed's reason kinds (feed/page.py) in words; "because" lists tags the viewer engaged with.
const REASON_TEXT = {
  personalized: ["Because you liked", "Picked for your taste"],
  following: ["From creators you follow", "From creators you follow"],
  trending: ["Trending in", "Trending now"],
  fresh: ["New in", "New on Reels"],
  explore: ["Something new - you liked", "Something new to explore"],
  cold_start: ["Popular in", "Popular right now"],
  hashtag: ["Because you like", "Because you like these hashtags"],
  sound: ["Because you watched videos with this sound", "Because you watched videos with this sound"],
  rewatch: ["Watch again", "You've seen everything new - watch again"],
};

export function reasonText(reason) {
  if (!reason) return "";
  const because = (reason.because || []).filter(Boolean).slice(0, 3);
  const [withTags, plain] = REASON_TEXT[reason.kind] || ["Because you liked", ""];
  if (because.length && reason.kind !== "following") return `${withTags}: ${because.join(", ")}`;
  return plain;
}

export class Slide {
  constructor(card, index, template) {
    this.card = card;
    this.index = index;
    this.video = null;
    this.tracker = null;
    this.userPaused = false;
    this.dismissed = false;
    this.node = template.content.firstElementChild.cloneNode(true);
    this.node.dataset.index = String(index);
    this.node.dataset.videoId = String(card.id);
    this.stage = this.node.querySelector(".stage");
    this.host = this.node.querySelector(".player-host");
    this.poster = this.node.querySelector(".poster");
    this.progress = this.node.querySelector(".progress-fill");
    this.fill();
  }

  fill() {
    const { card, node } = this;
    const portrait = !card.width || !card.height || card.height >= card.width;
    node.classList.toggle("landscape", !portrait);
    this.posterUrl = card.poster_url || card.thumbnail_url || "";
    this.showPoster(true);
    const profile = `/@${encodeURIComponent(card.owner.username)}`;
    const creator = node.querySelector("[data-role=creator]");
    creator.href = profile;
    node.querySelector("[data-role=handle]").textContent = `@${card.owner.username}`;
    creator.title = card.owner.display_name || card.owner.username;
    const avatarLink = node.querySelector("[data-role=avatar-link]");
    avatarLink.href = profile;
    avatarLink.setAttribute("aria-label", `@${card.owner.username}`);
    const avatar = node.querySelector("[data-role=avatar]");
    const initial = node.querySelector("[data-role=initial]");
    if (card.owner.avatar_url) {
      avatar.src = card.owner.avatar_url;
      initial.remove();
    } else {
      avatar.remove();
      initial.textContent = initialOf(card.owner.display_name || card.owner.username);
    }
    const caption = node.querySelector("[data-role=caption]");
    renderCaption(caption, card.caption);
    caption.addEventListener("click", (event) => {
      if (event.target === caption) caption.classList.toggle("expanded");
    });
    const chips = node.querySelector("[data-role=chips]");
    for (const tag of (card.tags || []).slice(0, 4)) {
      chips.append(el("li", {}, [el("a", { cls: "chip", text: `#${tag.name}`, attrs: { href: `/tag/${encodeURIComponent(tag.slug)}` } })]));
    }
    const cc = node.querySelector("[data-action=captions]");
    cc.hidden = !card.captions;
    cc.setAttribute("aria-pressed", String(captionsWanted()));
    const reason = node.querySelector("[data-role=reason]");
    const text = reasonText(card.reason);
    reason.hidden = !text;
    reason.textContent = text;
    paintCard(node, card);
  }

  showPoster(near) {
    if (near && this.posterUrl && !this.poster.getAttribute("src")) this.poster.src = this.posterUrl;
    if (!near && this.poster.getAttribute("src")) this.poster.removeAttribute("src");
  }

  // Make sure a player exists with at least this preload level.
  ensurePlayer(preload, handlers) {
    // A slide the viewer dismissed ("Not interested") never plays again, even scrolled back to.
    if (this.dismissed || (!this.card.mp4_url && !this.card.hls_url)) return null;
    if (!this.video) {
      this.video = createVideo(this.card);
      for (const [name, handler] of Object.entries(handlers)) this.video.addEventListener(name, handler);
      this.host.append(this.video);
    }
    if (preload === "auto" || !this.video.dataset.attached) attachSource(this.video, this.card, preload);
    return this.video;
  }

  release() {
    if (!this.video) return;
    releaseVideo(this.video);
    this.video = null;
    this.node.classList.remove("playing", "paused");
    this.progress.style.transform = "scaleX(0)";
  }

  heartBurst(x, y) {
    const layer = this.node.querySelector(".heart-layer");
    const heart = el("span", { cls: "burst" });
    heart.append(document.querySelector("#i-heart") ? svgUse("i-heart") : "♥");
    const box = this.stage.getBoundingClientRect();
    heart.style.left = `${x - box.left}px`;
    heart.style.top = `${y - box.top}px`;
    heart.style.setProperty("--tilt", `${Math.round(Math.random() * 40 - 20)}deg`);
    layer.append(heart);
    heart.addEventListener("animationend", () => heart.remove());
  }
}

function svgUse(id) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#${id}`);
  svg.append(use);
  return svg;
}

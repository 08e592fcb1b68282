// A slide's "more" menu: copy link, open the video page, not interested, report.

import { copyLink } from "./actions.js";
import { el, toast } from "./api.js";
import { openReport } from "./report.js";

export class SlideMenu {
  // onNotInterested(slide): the feed moves on and tells the server.
  constructor(menu, { onNotInterested }) {
    this.menu = menu;
    this.slide = null;
    menu.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      const slide = this.slide;
      this.close();
      if (!slide || !action) return;
      if (action === "copy-link") copyLink(slide.card);
      else if (action === "open") location.href = `/v/${slide.card.id}`;
      else if (action === "not-interested") onNotInterested(slide);
      else if (action === "report") openReport({ kind: "video", id: slide.card.id });
    });
  }

  open(slide) {
    this.slide = slide;
    this.menu.hidden = false;
    this.menu.querySelector("button").focus();
  }

  close() {
    this.menu.hidden = true;
    this.slide = null;
  }
}

// What a dismissed slide shows in place of its video.
export function markDismissed(slide) {
  slide.release();
  slide.dismissed = true;
  slide.node.classList.add("dismissed");
  slide.node.querySelector(".stage").append(el("p", { cls: "dismissed-note", text: "Got it - you'll see fewer videos like this." }));
  toast("You'll see fewer videos like this");
}

// How the viewer drives the feed: taps (pause, double-tap like, first-tap unmute), the slide's
// action buttons, keys (j/k, arrows, m, space, l, Escape) and one wheel gesture per video.

import { onWheelStep } from "./feed_chrome.js";

const DOUBLE_TAP_MS = 280;

// feed: { slideAt(index), activeIndex(), go(delta), togglePause(slide), doubleTap(slide, x, y),
//         firstTap(slide), action(name, slide, button), toggleSound(), like(slide),
//         closeMenu(), blocked() }
export function bindGestures(root, feed) {
  let lastTap = { time: 0, slide: null, timer: 0 };

  root.addEventListener("click", (event) => {
    const slideNode = event.target.closest(".slide");
    if (!slideNode) return;
    const slide = feed.slideAt(Number(slideNode.dataset.index));
    const actionButton = event.target.closest("[data-action]");
    if (actionButton) {
      feed.action(actionButton.dataset.action, slide, actionButton);
      return;
    }
    if (event.target.closest("a, button, .meta")) return;
    if (!event.target.closest(".stage")) return;
    const now = performance.now();
    if (lastTap.slide === slide && now - lastTap.time < DOUBLE_TAP_MS) {
      clearTimeout(lastTap.timer);
      lastTap = { time: 0, slide: null, timer: 0 };
      feed.doubleTap(slide, event.clientX, event.clientY);
      return;
    }
    const timer = setTimeout(() => {
      lastTap = { time: 0, slide: null, timer: 0 };
      if (slide.index === feed.activeIndex()) feed.firstTap(slide);
    }, DOUBLE_TAP_MS);
    lastTap = { time: now, slide, timer };
  });

  document.addEventListener("keydown", (event) => {
    if (event.target.closest?.("input, textarea, select, [contenteditable]") || feed.blocked()) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    const key = event.key;
    // A focused control keeps its keys: Space and Enter press a button or follow a link (Space
    // paused the video instead), and the arrows move through an open menu.
    const control = event.target.closest?.("button, a[href], summary, [role=menu], [role=menuitem]");
    if (control && (key === " " || key === "Enter")) return;
    if (control?.closest("[role=menu]") && key.startsWith("Arrow")) return;
    const current = feed.slideAt(feed.activeIndex());
    if (key === "ArrowDown" || key === "j" || key === "PageDown") feed.go(1);
    else if (key === "ArrowUp" || key === "k" || key === "PageUp") feed.go(-1);
    else if (key === "m") feed.toggleSound();
    else if (key === " ") {
      if (current) feed.togglePause(current);
    } else if (key === "l") {
      if (current) feed.like(current);
    } else if (key === "Escape") {
      feed.closeMenu();
      return; // not prevented: whatever else Escape closes still closes
    } else return;
    event.preventDefault();
  });

  onWheelStep(root, feed.go, feed.blocked);
}

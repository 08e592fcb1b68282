// The feed's end / empty / error slide and its one-video-per-wheel-gesture input.

import { el } from "./api.js";

const WHEEL_LOCK_MS = 550;
const WHEEL_THRESHOLD_PX = 30;

function refreshButton() {
  const button = el("button", { cls: "button", text: "Refresh", attrs: { type: "button" } });
  button.addEventListener("click", () => location.reload());
  return button;
}

export function showEnd(status) {
  status.classList.add("end");
  status.replaceChildren(el("p", { cls: "end-title", text: "You're all caught up" }), refreshButton());
}

export function showError(status, text) {
  status.replaceChildren(el("p", { text }), refreshButton());
}

// kind: "signin" (Following while signed out), "following" (follows nobody with videos), else For You.
export function showEmpty(status, kind) {
  status.classList.add("empty-state");
  if (kind === "signin") {
    status.replaceChildren(
      el("p", { cls: "end-title", text: "See videos from creators you follow" }),
      el("a", { cls: "button", text: "Log in", attrs: { href: "/login?next=/following" } }),
    );
  } else if (kind === "following") {
    status.replaceChildren(
      el("p", { cls: "end-title", text: "No videos from creators you follow yet" }),
      el("a", { cls: "button", text: "Find creators on For You", attrs: { href: "/" } }),
    );
  } else {
    status.replaceChildren(
      el("p", { cls: "end-title", text: "No videos yet" }),
      el("a", { cls: "button", text: "Upload the first one", attrs: { href: "/upload" } }),
    );
  }
}

// One wheel gesture (or trackpad fling) moves exactly one video: go(+1 / -1).
export function onWheelStep(target, go, blocked) {
  let lockUntil = 0;
  let total = 0;
  let reset = 0;
  target.addEventListener(
    "wheel",
    (event) => {
      if (blocked()) return;
      event.preventDefault();
      total += event.deltaY;
      clearTimeout(reset);
      reset = setTimeout(() => (total = 0), 180);
      if (performance.now() < lockUntil || Math.abs(total) < WHEEL_THRESHOLD_PX) return;
      go(total > 0 ? 1 : -1);
      total = 0;
      lockUntil = performance.now() + WHEEL_LOCK_MS;
    },
    { passive: false },
  );
}

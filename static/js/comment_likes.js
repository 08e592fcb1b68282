// The heart on a comment: like / unlike it, optimistically, settling on the server's count.

import { api, compactCount, reportError, requireSignIn, whileBusy } from "./api.js";

function paint(button, comment) {
  button.setAttribute("aria-pressed", comment.viewer_liked ? "true" : "false");
  button.classList.toggle("on", Boolean(comment.viewer_liked));
  const count = button.querySelector("[data-role=comment-likes]");
  count.textContent = compactCount(comment.like_count || 0);
  count.dataset.value = String(comment.like_count || 0);
}

export function bindCommentLike(node, comment) {
  const button = node.querySelector(":scope > .comment-actions [data-action=like-comment]");
  if (!button) return;
  paint(button, comment);
  button.addEventListener("click", () => {
    if (!requireSignIn("Log in to like comments.")) return;
    whileBusy(button, async () => {
      const before = { liked: comment.viewer_liked, count: comment.like_count || 0 };
      const next = !before.liked;
      comment.viewer_liked = next;
      comment.like_count = Math.max(0, before.count + (next ? 1 : -1));
      paint(button, comment);
      try {
        const answer = await api(`/api/comments/${comment.id}/like`, { method: next ? "POST" : "DELETE" });
        comment.viewer_liked = answer.liked;
        comment.like_count = answer.likes;
      } catch (error) {
        comment.viewer_liked = before.liked;
        comment.like_count = before.count;
        reportError(error, "Could not like the comment");
      }
      paint(button, comment);
    });
  });
}

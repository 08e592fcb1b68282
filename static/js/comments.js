// Comment thread: list (cursor pages, one level of replies), post, reply, delete.
// Used as a bottom sheet on the feed and inline on the video page.

import { api, el, relativeTime, renderCaption, reportError, requireSignIn, toast, viewer, whileBusy } from "./api.js";
import { bindCommentLike } from "./comment_likes.js";
import "./report.js"; // its Report buttons

const REPLIES_PAGE_SIZE = 10;

export class CommentThread {
  // root: element holding [data-role=list|form|empty|count|replying] and [data-action=more].
  constructor(root, { onCountChange } = {}) {
    this.root = root;
    this.list = root.querySelector("[data-role=list]");
    this.form = root.querySelector("[data-role=form]");
    this.input = this.form.querySelector("input[name=body], textarea[name=body]");
    this.more = root.querySelector("[data-action=more]");
    this.empty = root.querySelector("[data-role=empty]");
    this.replying = root.querySelector("[data-role=replying]");
    this.template = document.getElementById("comment-template");
    this.onCountChange = onCountChange;
    this.card = null;
    // One per open(): the sheet is reused for the next video, so an answer that arrives after it
    // was opened again (a slow network) belongs to an earlier open and is dropped.
    this.opening = new AbortController();
    this.next = null;
    this.parentId = null;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.post();
    });
    this.more.addEventListener("click", () => this.loadPage(this.next));
    root.querySelector("[data-action=cancel-reply]")?.addEventListener("click", () => this.replyTo(null));
    this.input.addEventListener("focus", () => {
      if (!viewer.authenticated) {
        this.input.blur();
        requireSignIn("Log in to comment.");
      }
    });
  }

  async open(card) {
    this.opening.abort();
    this.opening = new AbortController();
    this.card = card;
    this.list.replaceChildren();
    this.replyTo(null);
    this.setCount(card.counts.comments);
    this.empty.hidden = true;
    await this.loadPage(`/api/videos/${card.id}/comments?limit=20`);
  }

  setCount(count) {
    const node = this.root.querySelector("[data-role=count]");
    if (node) node.textContent = String(count);
    const noun = this.root.querySelector("[data-role=count-noun]");
    if (noun) noun.textContent = count === 1 ? "comment" : "comments";
  }

  async loadPage(url) {
    if (!url || !this.card) return;
    const { signal } = this.opening;
    this.more.hidden = true;
    try {
      const page = await api(url, { signal });
      if (signal.aborted) return;
      for (const comment of page.results || []) this.list.append(this.renderComment(comment));
      this.next = page.next;
      this.more.hidden = !page.next;
      this.empty.hidden = this.list.children.length > 0;
    } catch (error) {
      if (signal.aborted) return;
      reportError(error, "Could not load comments");
      this.more.hidden = !this.next; // the page that failed can be asked for again
    }
  }

  renderComment(comment) {
    const node = this.template.content.firstElementChild.cloneNode(true);
    node.dataset.commentId = comment.id;
    const author = node.querySelector("[data-role=author]");
    author.textContent = comment.author.display_name || comment.author.username;
    author.href = `/@${encodeURIComponent(comment.author.username)}`;
    renderCaption(node.querySelector("[data-role=body]"), comment.body); // @mentions and #tags linked
    const time = node.querySelector("[data-role=time]");
    time.textContent = relativeTime(comment.created_at);
    time.dateTime = comment.created_at;
    const del = node.querySelector("[data-action=delete]");
    del.hidden = !comment.can_delete;
    del.addEventListener("click", () => whileBusy(del, () => this.remove(comment, node)));
    bindCommentLike(node, comment);
    const flag = node.querySelector("[data-report-kind]");
    if (flag) {
      flag.dataset.reportId = comment.id;
      flag.hidden = comment.author.username === viewer.username;
    }
    const reply = node.querySelector("[data-action=reply]");
    const replies = node.querySelector("[data-role=replies]");
    // Replying to a reply is allowed: the server files it under the top-level comment.
    reply.addEventListener("click", () => this.replyTo(comment));
    if (comment.parent_id) {
      replies.remove();
      node.classList.add("reply");
    } else {
      for (const child of comment.replies || []) replies.append(this.renderComment(child));
      const hidden = (comment.reply_count || 0) - (comment.replies || []).length;
      if (hidden > 0) {
        const button = el("button", { cls: "link-btn", text: `View ${hidden} more repl${hidden === 1 ? "y" : "ies"}`, attrs: { type: "button" } });
        button.addEventListener("click", () => this.loadReplies(comment, replies, button));
        button.dataset.hidden = String(hidden);
        node.append(button);
      }
    }
    return node;
  }

  // "View n more replies": the next page (oldest first) per click; the preview's replies and
  // any posted meanwhile are skipped when the page repeats them.
  async loadReplies(comment, container, button) {
    const { signal } = this.opening;
    button.disabled = true;
    try {
      const url = button.dataset.next || `/api/videos/${this.card.id}/comments?parent=${comment.id}&limit=${REPLIES_PAGE_SIZE}`;
      const page = await api(url, { signal });
      if (signal.aborted) return;
      const shown = new Set([...container.children].map((child) => child.dataset.commentId));
      let added = 0;
      for (const reply of page.results || []) {
        if (shown.has(String(reply.id))) continue;
        container.append(this.renderComment(reply));
        added += 1;
      }
      const hidden = Math.max(0, Number(button.dataset.hidden) - added);
      if (!page.next || hidden === 0) {
        button.remove();
        return;
      }
      button.dataset.next = page.next;
      button.dataset.hidden = String(hidden);
      button.textContent = `View ${hidden} more repl${hidden === 1 ? "y" : "ies"}`;
      button.disabled = false;
    } catch (error) {
      if (signal.aborted) return;
      button.disabled = false;
      reportError(error, "Could not load replies");
    }
  }

  replyTo(comment) {
    this.parentId = comment ? comment.id : null;
    if (!this.replying) return;
    this.replying.hidden = !comment;
    if (comment) {
      this.replying.querySelector("span").textContent = `Replying to ${comment.author.display_name || comment.author.username}`;
      this.input.focus();
    }
  }

  async post() {
    if (!requireSignIn("Log in to comment.")) return;
    const body = this.input.value.trim();
    if (!body) return;
    const button = this.form.querySelector("button[type=submit]");
    const { card, opening } = this;
    button.disabled = true;
    try {
      const payload = { body };
      if (this.parentId) payload.parent_id = this.parentId;
      // Not aborted when the sheet moves on: the server may have stored it, and the video it was
      // posted to counts it; only this sheet no longer shows it.
      const comment = await api(`/api/videos/${card.id}/comments`, { method: "POST", body: payload });
      if (opening !== this.opening) {
        this.bumpCount(1, card);
        return;
      }
      const node = this.renderComment(comment);
      if (comment.parent_id) {
        const parent = this.list.querySelector(`[data-comment-id="${comment.parent_id}"] [data-role=replies]`);
        (parent || this.list).append(node);
      } else {
        this.list.prepend(node);
      }
      this.input.value = "";
      this.replyTo(null);
      this.empty.hidden = true;
      this.bumpCount(1);
    } catch (error) {
      reportError(error, "Could not post the comment");
    } finally {
      button.disabled = false;
    }
  }

  async remove(comment, node) {
    const { card } = this;
    try {
      await api(`/api/comments/${comment.id}`, { method: "DELETE" });
      const removed = 1 + node.querySelectorAll(".comment").length;
      node.remove();
      this.bumpCount(-removed, card);
      this.empty.hidden = this.list.children.length > 0;
      toast("Comment deleted");
    } catch (error) {
      reportError(error, "Could not delete the comment");
    }
  }

  // card: the video the change was made on, which the sheet may no longer show.
  bumpCount(delta, card = this.card) {
    card.counts.comments = Math.max(0, card.counts.comments + delta);
    if (card === this.card) this.setCount(card.counts.comments);
    this.onCountChange?.(card);
  }
}

// Reporting a video, comment, account or sound: one sheet dialog (built on first use), POST /api/reports.
// Buttons carrying data-report-kind (and data-report-id or data-report-username) open it on any
// page that loads this module; the feed's slide menu calls openReport() itself.

import { api, el, reportError, requireSignIn, toast } from "./api.js";

// The reasons moderation accepts (moderation.models.ReportReason), in the order people see them.
const REASONS = [
  ["spam", "Spam"],
  ["harassment", "Harassment or bullying"],
  ["hate", "Hate"],
  ["nudity", "Nudity or sexual content"],
  ["violence", "Violence or dangerous acts"],
  ["self_harm", "Self-harm"],
  ["misinformation", "Misinformation"],
  ["intellectual_property", "Intellectual property"],
  ["other", "Other"],
];
const NOUNS = { video: "video", comment: "comment", user: "account", sound: "sound" };
const MAX_DETAIL_CHARS = 500;

let dialog = null;
let target = null;

function buildDialog() {
  const reasons = REASONS.map(([value, label]) =>
    el("label", { cls: "report-reason" }, [
      el("input", { attrs: { type: "radio", name: "reason", value, required: "" } }),
      el("span", { text: label }),
    ]),
  );
  const detail = el("textarea", {
    attrs: { name: "detail", maxlength: String(MAX_DETAIL_CHARS), rows: "3", placeholder: "Anything else we should know? (optional)", "aria-label": "Details" },
  });
  const form = el("form", { cls: "report-form" }, [
    el("h2", { attrs: { "data-role": "title" } }),
    el("fieldset", {}, [el("legend", { text: "Why are you reporting it?" }), ...reasons]),
    detail,
    el("p", { cls: "form-error", attrs: { "data-role": "error", hidden: "" } }),
    el("div", { cls: "actions" }, [
      el("button", { cls: "button", text: "Report", attrs: { type: "submit", "data-role": "submit" } }),
      el("button", { cls: "button button-ghost", text: "Cancel", attrs: { type: "button", "data-role": "cancel" } }),
    ]),
  ]);
  const node = el("dialog", { cls: "sheet-dialog report-dialog", attrs: { id: "report-dialog", "aria-label": "Report" } }, [form]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form);
  });
  form.querySelector("[data-role=cancel]").addEventListener("click", () => node.close());
  document.body.append(node);
  return node;
}

async function submit(form) {
  const reason = form.querySelector("input[name=reason]:checked")?.value;
  const error = form.querySelector("[data-role=error]");
  if (!reason || !target) return;
  const body = { kind: target.kind, reason, detail: form.querySelector("textarea").value };
  if (target.username) body.username = target.username;
  else body.id = Number(target.id);
  const button = form.querySelector("[data-role=submit]");
  button.disabled = true;
  error.hidden = true;
  try {
    await api("/api/reports", { method: "POST", body });
    dialog.close();
    toast("Thanks for reporting. We'll review it.");
  } catch (problem) {
    if (problem.status === 429 || problem.status === 401) {
      dialog.close();
      reportError(problem);
    } else {
      error.textContent = problem.message || "Could not send the report";
      error.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
}

// kind: "video" | "comment" | "user"; id for videos and comments, username for accounts.
export function openReport({ kind, id, username }) {
  if (!requireSignIn("Log in to report something.")) return;
  dialog ||= buildDialog();
  target = { kind, id, username };
  const form = dialog.querySelector("form");
  form.reset();
  form.querySelector("[data-role=error]").hidden = true;
  form.querySelector("[data-role=title]").textContent = `Report this ${NOUNS[kind] || kind}`;
  dialog.showModal();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-report-kind]");
  if (!button) return;
  event.preventDefault();
  openReport({ kind: button.dataset.reportKind, id: button.dataset.reportId, username: button.dataset.reportUsername });
});

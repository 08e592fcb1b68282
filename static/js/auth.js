// Log in / sign up forms: post to the auth API (session cookie), then go where the user was.

import { api, ApiError } from "./api.js";

const form = document.getElementById("auth-form");
const errorBox = form.querySelector("[data-role=error]");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.textContent = "";
  for (const node of form.querySelectorAll("[data-field]")) node.textContent = "";
  const body = Object.fromEntries(new FormData(form).entries());
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api(form.dataset.endpoint, { method: "POST", body });
    const next = form.dataset.next || "/";
    window.location.assign(next.startsWith("/") && !next.startsWith("//") ? next : "/");
  } catch (error) {
    button.disabled = false;
    if (error instanceof ApiError) {
      const fields = error.body.fields || {};
      let placed = false;
      for (const [name, messages] of Object.entries(fields)) {
        const node = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
        if (node) {
          node.textContent = [].concat(messages).join(" ");
          placed = true;
        }
      }
      errorBox.textContent = placed ? "" : error.status === 429 ? "Too many attempts - wait a minute." : error.message;
    } else {
      errorBox.textContent = "Network error - try again.";
    }
  }
});

// The reset page (/reset/<uid>#<token>): the token is in the link's fragment, which no request
// carries (so no access log holds it). Take it into the form, drop it from the address bar and
// history, ask the API whether the link still works, and show the form or why it does not.

import { api, ApiError } from "./api.js";

const form = document.getElementById("auth-form");
const checking = document.querySelector("[data-role=reset-checking]");
const invalid = document.querySelector("[data-role=reset-invalid]");
const token = decodeURIComponent(window.location.hash.slice(1));

function show(node) {
  checking.hidden = true;
  node.hidden = false;
}

async function check() {
  if (!token) return show(invalid);
  form.elements.token.value = token;
  history.replaceState(null, "", window.location.pathname);
  try {
    await api("/api/auth/password-reset/check", {
      method: "POST",
      body: { uid: form.elements.uid.value, token },
    });
  } catch (error) {
    // Only a link the server refused is spent; on a network error the form's own answer says.
    if (error instanceof ApiError && error.status === 400) return show(invalid);
  }
  show(form);
  form.elements.new_password.focus();
}

check();

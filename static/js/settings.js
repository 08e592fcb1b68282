// The settings page (profile, privacy, email, password) and the account deletion page: each
// form posts to the JSON API and shows field errors beside their inputs.

import { api, ApiError, initial, toast } from "./api.js";

function clearErrors(form) {
  const box = form.querySelector("[data-role=error]");
  if (box) box.textContent = "";
  for (const node of form.querySelectorAll("[data-field]")) node.textContent = "";
}

function showError(form, error) {
  const box = form.querySelector("[data-role=error]");
  if (!(error instanceof ApiError)) {
    if (box) box.textContent = "Network error - try again.";
    return;
  }
  let placed = false;
  for (const [name, messages] of Object.entries(error.body.fields || {})) {
    const node = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (node) {
      node.textContent = [].concat(messages).join(" ");
      placed = true;
    }
  }
  if (box && !placed) box.textContent = error.status === 429 ? "Too many attempts - wait a while." : error.message;
}

// Submit `form` with body(form) to its endpoint; then(result) on success.
function bindForm(form, { method = "POST", endpoint = form.dataset.endpoint, body, then, guard = () => true }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!guard()) return;
    clearErrors(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await then(await api(endpoint, { method, body: body(form) }));
    } catch (error) {
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
}

function avatarPreview(url, displayName) {
  const box = document.querySelector("[data-role=avatar-preview]");
  if (!box) return;
  if (url) {
    const img = document.createElement("img");
    img.src = url;
    img.alt = "";
    box.replaceChildren(img);
  } else {
    box.replaceChildren(document.createTextNode(initial(displayName)));
  }
}

const profileForm = document.getElementById("profile-form");
if (profileForm) {
  bindForm(profileForm, {
    method: "PATCH",
    endpoint: "/api/users/me",
    body: (form) => {
      const data = new FormData();
      data.append("display_name", form.elements.display_name.value);
      data.append("bio", form.elements.bio.value);
      const file = form.elements.avatar.files[0];
      if (file) data.append("avatar", file);
      else if (form.elements.avatar_clear?.checked) data.append("avatar_clear", "true");
      return data;
    },
    then: (profile) => {
      avatarPreview(profile.avatar_url, profile.display_name);
      profileForm.elements.avatar.value = "";
      toast("Profile saved");
    },
  });
}

const privacy = document.querySelector("[data-role=privacy]");
if (privacy) {
  privacy.addEventListener("change", async () => {
    privacy.disabled = true;
    try {
      const profile = await api("/api/users/me", { method: "PATCH", body: { is_private: privacy.checked } });
      privacy.checked = profile.is_private;
      toast(profile.is_private ? "Your account is private" : "Your account is public");
    } catch (error) {
      privacy.checked = !privacy.checked;
      toast(error instanceof ApiError ? error.message : "Network error - try again.");
    } finally {
      privacy.disabled = false;
    }
  });
}

const emailForm = document.getElementById("email-form");
if (emailForm) {
  bindForm(emailForm, {
    body: (form) => ({ email: form.elements.email.value, password: form.elements.password.value }),
    then: () => {
      toast("Email changed");
      // The page shows the new address and whether it still needs verifying.
      window.location.reload();
    },
  });
}

const resend = document.querySelector("[data-role=verification-resend]");
if (resend) {
  resend.addEventListener("click", async () => {
    resend.disabled = true;
    try {
      const answer = await api("/api/me/email/verification", { method: "POST" });
      toast(answer.detail);
    } catch (error) {
      resend.disabled = false;
      toast(error instanceof ApiError ? error.message : "Network error - try again.");
    }
  });
}

const passwordForm = document.getElementById("password-form");
if (passwordForm) {
  bindForm(passwordForm, {
    body: (form) => ({ old_password: form.elements.old_password.value, new_password: form.elements.new_password.value }),
    then: () => {
      passwordForm.reset();
      passwordForm.querySelector("[data-role=error]").textContent = "";
      toast("Password changed");
    },
  });
}

// Deletion: the button wakes only once the username is typed exactly.
const deleteForm = document.getElementById("delete-form");
if (deleteForm) {
  const button = deleteForm.querySelector("[data-role=delete]");
  const typed = deleteForm.elements.confirm_username;
  const matches = () => typed.value.trim() === deleteForm.dataset.username;
  typed.addEventListener("input", () => {
    button.disabled = !matches();
  });
  bindForm(deleteForm, {
    guard: matches,
    body: (form) => ({ password: form.elements.password.value }),
    then: () => window.location.assign("/"),
  });
}

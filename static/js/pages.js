// Small behaviours of server-rendered pages (profile follow button, compact counts).

import { bindProfileFollow } from "./actions.js";

const follow = document.querySelector("[data-role=follow]");
if (follow) bindProfileFollow(follow, document.querySelector("[data-role=followers]"));

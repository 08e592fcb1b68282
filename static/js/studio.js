// The creator studio: totals against the previous period, daily charts, follower growth,
// traffic sources and top videos (/studio), or one video's drill-down with its retention
// curve (/studio/videos/<id>). Charts are drawn by the vendored uPlot (global `uPlot`).

import { api, compactCount, el, whileBusy } from "./api.js";

const root = document.getElementById("studio");
const videoId = root.dataset.videoId;
const form = root.querySelector("[data-role=range]");
const errorBox = root.querySelector("[data-role=error]");
const charts = new Map(); // name -> uPlot instance
const CHART_HEIGHT = 200;
const ACCENT = "#fe2c55";
const ACCENT_2 = "#25f4ee";
const MUTED = "#a1a1aa";
const SOURCE_LABELS = {
  for_you: "For You",
  following: "Following",
  profile: "Profile",
  search: "Search",
  hashtag: "Hashtags",
  sound: "Sounds",
  share_link: "Shared links",
  direct: "Direct",
  unknown: "Unknown",
};

function minutes(ms) {
  return Math.round((ms || 0) / 6000) / 10;
}

function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function percent(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value * 1000) / 10}%`;
}

function changeNode(change) {
  if (change === null || change === undefined) return el("span", { cls: "studio-change", text: "no earlier figure" });
  const sign = change > 0 ? "+" : "";
  const cls = change > 0 ? "studio-change up" : change < 0 ? "studio-change down" : "studio-change";
  return el("span", { cls, text: `${sign}${Math.round(change * 1000) / 10}% vs previous` });
}

function renderCards(body) {
  const t = body.totals;
  const cards = [
    ["views", "Views", compactCount(t.views)],
    ["unique_viewers", "Unique viewers", compactCount(t.unique_viewers)],
    ["watch_ms", "Watch time", duration(t.watch_ms)],
    ["avg_watch_ms", "Average watch", duration(t.avg_watch_ms)],
    ["completion_rate", "Completion", percent(t.completion_rate)],
    ["likes", "Likes", compactCount(t.likes)],
    ["comments", "Comments", compactCount(t.comments)],
    ["shares", "Shares", compactCount(t.shares)],
    ["saves", "Saves", compactCount(t.saves)],
  ];
  if (videoId) cards.push(["follows", "Follows from it", compactCount(t.follows)]);
  else cards.push(["followers_net", "Followers (net)", `${t.followers_net > 0 ? "+" : ""}${t.followers_net}`]);
  const box = root.querySelector("[data-role=cards]");
  box.replaceChildren(
    ...cards.map(([key, label, value]) =>
      el("div", { cls: "studio-card", attrs: { "data-total": key } }, [
        el("span", { cls: "studio-card-label", text: label }),
        el("strong", { cls: "studio-card-value", text: value }),
        changeNode(body.changes[key]),
      ]),
    ),
  );
}

function dayStamps(days) {
  return days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
}

// Days are UTC days: their charts are drawn in UTC (in the browser's zone, a day west of UTC
// was placed, and named, at the evening before).
const inUtc = (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC");

// One chart per container; drawn again (not patched) when the period changes.
function drawChart(name, data, series, { time = true, xLabel, utc = false } = {}) {
  const box = root.querySelector(`[data-chart=${name}]`);
  if (!box) return;
  charts.get(name)?.destroy();
  const total = data.slice(1).reduce((sum, values) => sum + values.reduce((a, b) => a + (b || 0), 0), 0);
  box.dataset.points = String(data[0].length);
  box.dataset.total = String(total);
  const options = {
    width: Math.max(240, box.clientWidth),
    height: CHART_HEIGHT,
    scales: { x: { time } },
    legend: { show: series.length > 1 },
    cursor: { drag: { x: false, y: false } },
    axes: [
      { stroke: MUTED, grid: { stroke: "#2e2e33" }, ticks: { stroke: "#2e2e33" }, label: xLabel },
      { stroke: MUTED, grid: { stroke: "#2e2e33" }, ticks: { stroke: "#2e2e33" }, size: 48 },
    ],
    series: [{}, ...series],
  };
  if (utc) options.tzDate = inUtc;
  charts.set(name, new uPlot(options, data, box));
}

function line(label, stroke, fill) {
  return { label, stroke, width: 2, fill, points: { show: false } };
}

function renderSeries(body) {
  const x = dayStamps(body.series.days);
  const days = { utc: true };
  drawChart(
    "views",
    [x, body.series.views, body.series.unique_viewers],
    [line("Views", ACCENT, "rgba(254, 44, 85, 0.15)"), line("Unique viewers", ACCENT_2)],
    days,
  );
  drawChart("watch", [x, body.series.watch_ms.map(minutes)], [line("Minutes", ACCENT_2, "rgba(37, 244, 238, 0.12)")], days);
  if (body.series.followers_gained) {
    drawChart(
      "followers",
      [x, body.series.followers_gained, body.series.followers_lost.map((n) => -n), body.series.followers_net],
      [line("Gained", ACCENT_2), line("Lost", MUTED), line("Net", ACCENT)],
      days,
    );
  }
  if (body.last_hours) {
    const hours = body.last_hours.hours.map((hour) => Date.parse(hour) / 1000);
    drawChart("hours", [hours, body.last_hours.views], [line("Views", ACCENT, "rgba(254, 44, 85, 0.15)")]);
  }
  if (body.retention) {
    const curve = body.retention.curve;
    const note = root.querySelector("[data-role=retention-note]");
    note.textContent = curve.length
      ? `Share of ${body.retention.reports} views still watching at each second.`
      : "No finished views in this period yet.";
    drawChart("retention", [curve.map((_, second) => second), curve.map((share) => Math.round(share * 1000) / 10)], [line("% watching", ACCENT, "rgba(254, 44, 85, 0.15)")], {
      time: false,
      xLabel: "seconds",
    });
  }
}

function renderSources(sources) {
  const list = root.querySelector("[data-role=sources]");
  const entries = Object.entries(sources);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  root.querySelector("[data-role=sources-empty]").hidden = total > 0;
  list.replaceChildren(
    ...entries.map(([source, views]) =>
      el("li", { attrs: { "data-source": source } }, [
        el("span", { cls: "studio-source-name", text: SOURCE_LABELS[source] || source }),
        el("progress", { attrs: { max: String(total), value: String(views), "aria-label": `${SOURCE_LABELS[source] || source}: ${views} views` } }),
        el("span", { cls: "studio-source-share", text: `${Math.round((views / total) * 100)}%` }),
      ]),
    ),
  );
}

function renderTop(videos) {
  const list = root.querySelector("[data-role=top]");
  if (!list) return;
  root.querySelector("[data-role=top-empty]").hidden = videos.length > 0;
  list.replaceChildren(
    ...videos.map((video) =>
      el("li", {}, [
        el("a", { attrs: { href: `/studio/videos/${video.id}`, "data-video": video.id } }, [
          el("span", { cls: "studio-top-caption", text: video.caption || `Video ${video.id}` }),
          el("span", { cls: "studio-top-figures", text: `${compactCount(video.views)} views · ${duration(video.avg_watch_ms)} avg · ${percent(video.completion_rate)} completed` }),
        ]),
      ]),
    ),
  );
}

function readRange() {
  const params = new URLSearchParams(location.search);
  return { from: params.get("from") || "", to: params.get("to") || "" };
}

async function load({ from, to }) {
  const params = new URLSearchParams();
  if (from) params.set("from", from);
  if (to) params.set("to", to);
  const url = videoId ? `/api/studio/videos/${videoId}` : "/api/studio/overview";
  errorBox.hidden = true;
  let body;
  try {
    body = await api(`${url}?${params}`);
  } catch (error) {
    errorBox.textContent = error.message || "Could not load the figures.";
    errorBox.hidden = false;
    return;
  }
  form.elements.from.value = body.range.from;
  form.elements.to.value = body.range.to;
  // The date pickers offer the days the API takes (UTC: east of UTC the local date is a day
  // ahead for part of the day).
  for (const input of [form.elements.from, form.elements.to]) {
    input.min = body.oldest;
    input.max = body.today;
  }
  // A range ending today holds today so far: its comparison with whole days reads low.
  const through = body.partial_day ? `${body.range.to} (today so far)` : body.range.to;
  root.querySelector("[data-role=period]").textContent =
    `${body.range.from} to ${through} (${body.days} days, UTC), compared with ${body.previous_range.from} to ${body.previous_range.to}`;
  if (videoId && body.video) root.querySelector("[data-role=caption]").textContent = body.video.caption || `Video ${body.video.id}`;
  renderCards(body);
  renderSeries(body);
  renderSources(body.traffic_sources);
  if (!videoId) renderTop(body.top_videos);
  root.dataset.loaded = "true";
}

// The period's buttons wait while its figures load: a second period asked for meanwhile could
// be answered first and be overwritten by the earlier one's figures.
function loadRange(range) {
  return whileBusy(form.querySelectorAll("button"), () => load(range));
}

function show(range) {
  const params = new URLSearchParams();
  if (range.from) params.set("from", range.from);
  if (range.to) params.set("to", range.to);
  history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
  loadRange(range);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  show({ from: form.elements.from.value, to: form.elements.to.value });
});

form.addEventListener("click", (event) => {
  const days = Number(event.target.closest("[data-days]")?.dataset.days);
  if (!days) return;
  const to = new Date();
  const from = new Date(to.getTime() - (days - 1) * 86400000);
  show({ from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) });
});

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const [name, chart] of charts) {
      const box = root.querySelector(`[data-chart=${name}]`);
      chart.setSize({ width: Math.max(240, box.clientWidth), height: CHART_HEIGHT });
    }
  }, 150);
});

loadRange(readRange());

// The timeline: one lane per body part (and the whole body), the events, each direction of
// mechanical copying and the coaching; zoom, pan, tooltips and clicks.
// Uses: data.js; player (player.js); passes, select, state.marks (events.js).

// -------------------------------------------------------------- timeline
const GUTTER = 92, AXIS = 20, PAD = 6;
const lanes = [];
lanes.push({ key: "overall", name: "whole body", h: 18, channel: null });
for (const c of BODY_PARTS) lanes.push({ key: c, name: PART_NAMES[c], h: 16, channel: c });
// the events lane shows the whole body's events; each body part's are drawn as bars on its own lane
const stateEvents = EVENTS.filter((e) => isEvent(e) && (e.scope || WHOLE_BODY) === WHOLE_BODY);
const laneEvents = {};  // lane key -> [[event, level]]: events that overlap in time get their own level
for (const e of EVENTS.filter(isEvent)) {
  const key = !e.scope || e.scope === WHOLE_BODY ? "overall" : e.scope;
  const list = laneEvents[key] || (laneEvents[key] = []);
  const ends = list.ends || (list.ends = []);
  let lv = ends.findIndex((end) => end <= e.start_s);
  if (lv < 0) { lv = ends.length; ends.push(0); }
  ends[lv] = e.end_s; list.push([e, lv]);
}
const UNMEASURED = {};  // lane key -> why it was never measured
for (const r of D.shares || []) {
  if (V.nothing) UNMEASURED[r.row] = "nothing could be measured (see above)";
  else if (r.share == null) UNMEASURED[r.row] = r.unusable || "no window had it in view for both people";
}
// pack overlapping events into rows
const rowEnds = [];
const eventRow = new Map();
for (const e of stateEvents) {
  let r = rowEnds.findIndex((end) => end <= e.start_s);
  if (r < 0) { r = rowEnds.length; rowEnds.push(0); }
  rowEnds[r] = e.end_s; eventRow.set(e.id, r);
}
const eventRows = Math.max(1, rowEnds.length);
lanes.push({ key: "events", name: "events", h: 6 + 11 * eventRows });
for (const d of D.mechanical) lanes.push({ key: "mech:" + d.name, name: `${d.copier} copies ${d.model}`, h: 20, direction: d });
lanes.push({ key: "coaching", name: "coaching", h: 20 });
let y = AXIS;
for (const l of lanes) { l.y = y; y += l.h + 3; }
const TL_H = y + PAD;

// each window owns the time between the midpoints to its neighbours' centres
const tiles = (() => {
  const n = W.start_s.length, c = [], lo = [], hi = [];
  for (let i = 0; i < n; i++) c.push((W.start_s[i] + W.end_s[i]) / 2);
  for (let i = 0; i < n; i++) {
    lo.push(i === 0 ? Math.max(0, c[0] - D.step_s / 2) : (c[i - 1] + c[i]) / 2);
    hi.push(i === n - 1 ? c[i] + D.step_s / 2 : (c[i] + c[i + 1]) / 2);
  }
  return { lo, hi };
})();

const tlWidth = () => tl.clientWidth;
const xOf = (t) => GUTTER + (t - state.view[0]) / (state.view[1] - state.view[0]) * (tlWidth() - GUTTER - PAD);
const tOf = (x) => state.view[0] + (x - GUTTER) / (tlWidth() - GUTTER - PAD) * (state.view[1] - state.view[0]);
let hits = [], bars = [];  // what can be clicked; each event's bar on its lane

// a surer window (smaller p-value) is drawn stronger
function shadeOf(strength) { return SHADE[0] + (SHADE[1] - SHADE[0]) * clamp(strength == null ? 1 : strength, 0, 1); }

// the lanes are drawn once per view, size, filter and marks into an offscreen canvas; each
// frame copies it and adds the selection and the cursor
const bg = document.createElement("canvas");
let g = bg.getContext("2d"), bgKey = "";

function drawTimeline() {
  tl.style.height = TL_H + "px";
  const r = sizeCanvas(tl, tl.clientWidth, TL_H);
  const w = tl.clientWidth;
  const key = `${state.view}|${w}|${r}|${state.version}`;
  if (key !== bgKey) { bgKey = key; drawLanes(w, r); }
  tctx.setTransform(1, 0, 0, 1, 0, 0);
  tctx.clearRect(0, 0, tl.width, tl.height);
  tctx.drawImage(bg, 0, 0);
  tctx.setTransform(r, 0, 0, r, 0, 0);
  tctx.save();
  tctx.beginPath(); tctx.rect(GUTTER, 0, w - PAD - GUTTER, TL_H); tctx.clip();
  const sel = state.selected && byId.get(state.selected);
  if (sel) {
    const a = xOf(sel.start_s), b = Math.max(xOf(sel.end_s), a + 2);
    tctx.fillStyle = "rgba(74,123,208,.12)"; tctx.fillRect(a, AXIS, b - a, TL_H - AXIS - PAD);
    tctx.strokeStyle = "#4a7bd0"; tctx.lineWidth = 1; tctx.strokeRect(a + 0.5, AXIS + 0.5, b - a - 1, TL_H - AXIS - PAD - 1);
  }
  const cx = xOf(player.time);
  tctx.strokeStyle = "#111"; tctx.lineWidth = 1.5;
  tctx.beginPath(); tctx.moveTo(cx, AXIS - 6); tctx.lineTo(cx, TL_H - PAD); tctx.stroke();
  tctx.restore();
}

function drawLanes(w, r) {
  sizeCanvas(bg, w, TL_H);
  g.setTransform(r, 0, 0, r, 0, 0);
  g.clearRect(0, 0, w, TL_H);
  hits = []; bars = [];
  const [v0, v1] = state.view;
  const x0 = GUTTER, x1 = w - PAD;
  // axis
  g.font = "11px system-ui,sans-serif"; g.fillStyle = "#5b6473"; g.textAlign = "center";
  const span = v1 - v0, target = span / clamp(Math.floor((x1 - x0) / 70), 2, 10);  // labels never crowd on a narrow screen
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
  const step = steps.find((s) => s >= target) || 3600;
  g.strokeStyle = "#eceff3"; g.lineWidth = 1;
  for (let t = Math.ceil(v0 / step) * step; t <= v1 + 1e-9; t += step) {
    const x = xOf(t);
    g.beginPath(); g.moveTo(x, AXIS - 4); g.lineTo(x, TL_H - PAD); g.stroke();
    g.fillText(step < 1 ? `${t.toFixed(1)} s` : fmt(t).replace(/\.00$/, ""), clamp(x, GUTTER + 14, w - 18), 12);
  }
  // lanes
  g.save();
  g.beginPath(); g.rect(x0, 0, x1 - x0, TL_H); g.clip();
  for (const l of lanes) {
    g.fillStyle = "#f7f8fa"; g.fillRect(x0, l.y, x1 - x0, l.h);
    if (l.key === "overall" || l.channel) drawStates(l);
    else if (l.key === "events") drawEvents(l);
    else if (l.direction) drawMechanical(l);
    else if (l.key === "coaching") drawCoaching(l);
  }
  g.restore();
  // lane names
  g.textAlign = "right"; g.font = "12px system-ui,sans-serif"; g.fillStyle = "#3a4252";
  for (const l of lanes) g.fillText(l.name, GUTTER - 8, l.y + l.h / 2 + 4);
}

function visibleRange(lo, hi) {
  // indices of tiles overlapping the view (tiles are sorted)
  const [v0, v1] = state.view;
  let a = 0, b = lo.length;
  while (a < b) { const m = (a + b) >> 1; if (hi[m] < v0) a = m + 1; else b = m; }
  let e = a;
  while (e < lo.length && lo[e] <= v1) e++;
  return [a, e];
}

function drawStates(l) {
  const src = l.channel ? W.channels[l.channel] : W;
  if (UNMEASURED[l.key]) {
    g.fillStyle = "#8a5a00"; g.font = "11px system-ui,sans-serif"; g.textAlign = "left";
    g.fillText(`not measured: ${UNMEASURED[l.key]}`, GUTTER + 6, l.y + l.h / 2 + 4);
    return;
  }
  const [a, b] = visibleRange(tiles.lo, tiles.hi);
  for (let i = a; i < b; i++) {
    const lab = src.label[i];
    const xa = xOf(tiles.lo[i]), xb = xOf(tiles.hi[i]);
    if (RELATIONS.includes(lab)) {
      g.globalAlpha = shadeOf(src.strength[i]); g.fillStyle = COLORS[lab];
      g.fillRect(xa, l.y, Math.max(1, xb - xa), l.h);  // tiles meet without overlapping: no darker seams
      g.globalAlpha = 1;
    } else if (lab === "insufficient") {
      g.fillStyle = "#d5d8de"; g.fillRect(xa, l.y + l.h / 2 - 1, Math.max(1, xb - xa), 2);
    }
  }
  // each event of this lane: a bar along its top over the whole event, first window's start to last window's end
  // (a click on a lane seeks to its time; the events are picked in the list or on the events lane)
  for (const [e, lv] of laneEvents[l.key] || []) {
    if (e.end_s < state.view[0] || e.start_s > state.view[1]) continue;
    const xa = xOf(e.start_s), xb = Math.max(xOf(e.end_s), xa + 3), ya = l.y + lv * 4;
    g.fillStyle = COLORS[e.kind]; g.globalAlpha = passes(e) ? 1 : 0.3;
    g.fillRect(xa, ya, xb - xa, 3);
    bars.push({ id: e.id, lane: l.key, x0: xa, x1: xb, y: ya + 1.5 });
    g.globalAlpha = 1;
  }
}

function drawEvents(l) {
  for (const e of stateEvents) {
    if (e.end_s < state.view[0] || e.start_s > state.view[1]) continue;
    const r = eventRow.get(e.id), ya = l.y + 3 + r * 11;
    const xa = xOf(e.start_s), xb = Math.max(xOf(e.end_s), xa + 3);
    g.fillStyle = COLORS[e.kind]; g.globalAlpha = passes(e) ? 0.9 : 0.25;
    g.fillRect(xa, ya, xb - xa, 9);
    g.globalAlpha = 1;
    if (state.marks[e.id]) markBadge(xb - 5, ya + 4.5, state.marks[e.id].mark);
    hits.push({ x0: xa, x1: xb, y0: ya - 1, y1: ya + 10, e });
  }
}

function drawMechanical(l) {
  const d = l.direction;
  g.fillStyle = rgba(COLORS.mechanical, 0.18);
  for (const reason of d.reasons) for (const [a, b] of reason.ranges) {
    const xa = xOf(a), xb = xOf(b);
    g.fillRect(xa, l.y + l.h - 5, Math.max(1, xb - xa), 5);
  }
  for (const e of EVENTS) {
    if (FAMILIES[e.kind] === "mechanical" && e.id.startsWith(`mechanical-${d.name}-`)) {
      const xa = xOf(e.start_s), xb = Math.max(xOf(e.end_s), xa + 3);
      g.fillStyle = COLORS.mechanical; g.globalAlpha = passes(e) ? 0.75 : 0.2;
      g.fillRect(xa, l.y + 2, xb - xa, l.h - 9);
      g.globalAlpha = 1;
      if (state.marks[e.id]) markBadge(xb - 5, l.y + 6, state.marks[e.id].mark);
      hits.push({ x0: xa, x1: xb, y0: l.y, y1: l.y + l.h - 6, e, z: 0 });
    } else if (FAMILIES[e.kind] === "copy" && e.who === d.copier) {
      const xm = xOf(e.model_start_s != null ? e.model_start_s : e.start_s), xc = xOf(e.copy_start_s != null ? e.copy_start_s : e.end_s);
      if (xc < GUTTER - 4 || xm > tlWidth()) continue;
      g.globalAlpha = passes(e) ? 1 : 0.25;
      g.strokeStyle = COLORS.copy; g.lineWidth = 1;
      g.beginPath(); g.moveTo(xm, l.y + l.h - 6); g.lineTo(xc, l.y + 4); g.stroke();
      g.fillStyle = COLORS.copy; g.fillRect(xc - 1.5, l.y + 1, 3, l.h - 7);
      g.globalAlpha = 1;
      hits.push({ x0: xc - 4, x1: xc + 4, y0: l.y, y1: l.y + l.h, e, z: 1 });
    }
  }
}

function drawCoaching(l) {
  for (const e of EVENTS) {
    if (FAMILIES[e.kind] !== "coaching") continue;
    const x = xOf(e.start_s), yc = l.y + l.h / 2, s = 6;
    if (x < GUTTER - s || x > tlWidth() + s) continue;
    g.globalAlpha = passes(e) ? 1 : 0.25;
    g.fillStyle = COLORS[e.kind]; g.beginPath();
    if (e.kind === "warning") { g.moveTo(x, yc - s); g.lineTo(x + s, yc + s); g.lineTo(x - s, yc + s); }
    else if (e.kind === "praise") g.arc(x, yc, s * 0.85, 0, 2 * Math.PI);
    else { g.moveTo(x, yc - s); g.lineTo(x + s, yc); g.lineTo(x, yc + s); g.lineTo(x - s, yc); }
    g.fill(); g.globalAlpha = 1;
    hits.push({ x0: x - s - 1, x1: x + s + 1, y0: l.y, y1: l.y + l.h, e, z: 1 });
  }
}

function markBadge(x, yc, mark) {
  g.fillStyle = MARK_COLORS[mark];
  g.beginPath(); g.arc(x, yc, 4, 0, 2 * Math.PI); g.fill();
}

function hitAt(x, y) {
  let best = null;
  for (const h of hits) if (x >= h.x0 && x <= h.x1 && y >= h.y0 && y <= h.y1 && (!best || (h.z || 0) >= (best.z || 0))) best = h;
  return best;
}

function zoom(factor, about) {
  const d = duration();
  const [v0, v1] = state.view;
  const c = about == null ? (player.time >= v0 && player.time <= v1 ? player.time : (v0 + v1) / 2) : about;
  const span = clamp((v1 - v0) * factor, Math.min(2, d), d);
  let a = c - (c - v0) / (v1 - v0) * span;
  a = clamp(a, 0, d - span);
  state.view = [a, a + span];
  requestRedraw();
}

function followCursor() {
  const t = player.time, [v0, v1] = state.view, span = v1 - v0;
  if (t < v0 || t > v1) {
    const a = clamp(t - 0.1 * span, 0, duration() - span);
    state.view = [a, a + span];
  }
}

// timeline pointer: a drag pans, a click seeks (or selects what is under it), the wheel zooms
let drag = null;
tl.addEventListener("pointerdown", (ev) => {
  drag = { x: ev.clientX, view: state.view.slice(), moved: false };
  tl.setPointerCapture(ev.pointerId);
});
tl.addEventListener("pointermove", (ev) => {
  const rect = tl.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top;
  if (drag) {
    const dx = ev.clientX - drag.x;
    if (Math.abs(dx) > 4) drag.moved = true;
    if (drag.moved) {
      const span = drag.view[1] - drag.view[0], per = span / (tlWidth() - GUTTER - PAD);
      const a = clamp(drag.view[0] - dx * per, 0, duration() - span);
      state.view = [a, a + span]; requestRedraw();
    }
  }
  const tip = $("tip");
  const h = hitAt(x, y);
  if (x >= GUTTER && !drag) {
    const lane = lanes.find((l) => y >= l.y && y <= l.y + l.h);
    let text = fmt(tOf(x));
    if (h) text += ` · ${h.e.kind}: ${h.e.detail}`;
    else if (lane && (lane.key === "overall" || lane.channel)) {
      const i = windowAt(tOf(x)), src = lane.channel ? W.channels[lane.channel] : W;
      text += ` · ${lane.name}`;
      if (i >= 0) { const sure = sureText(src, i); text += `: ${src.label[i]}` + (sure ? ` (${sure})` : ""); }
      const t = tOf(x), inside = (laneEvents[lane.key] || []).filter(([e]) => e.start_s <= t && t <= e.end_s);
      for (const [e] of inside) text += ` · in a ${e.kind} event ${fmt(e.start_s)}–${fmt(e.end_s)}`;
    } else if (lane) text += ` · ${lane.name}`;
    tip.textContent = text; tip.hidden = false;
    tip.style.left = Math.min(x + 12, tlWidth() - 300) + "px"; tip.style.top = y + 14 + "px";
  } else tip.hidden = true;
});
tl.addEventListener("pointerleave", () => { $("tip").hidden = true; });
tl.addEventListener("pointerup", (ev) => {
  const d = drag; drag = null;
  if (!d || d.moved) return;
  const rect = tl.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top;
  const h = hitAt(x, y);
  if (h) select(h.e, true);
  else if (x >= GUTTER) player.seek(tOf(x));
});
tl.addEventListener("wheel", (ev) => {
  ev.preventDefault();
  const rect = tl.getBoundingClientRect(), x = ev.clientX - rect.left;
  zoom(Math.exp(ev.deltaY * 0.0015), x >= GUTTER ? tOf(x) : null);
}, { passive: false });

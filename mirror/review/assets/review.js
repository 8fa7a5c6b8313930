// The review page of one analysed session (mirror review). No library, no request: the data
// is the JSON element #mirror-data; the only thing loaded is the video.
"use strict";
(() => {
  const D = JSON.parse(document.getElementById("mirror-data").textContent);
  const $ = (id) => document.getElementById(id);
  const V = D.vocabulary;  // words and colours, defined once in Python (mirror.review.page.vocabulary)
  const COLORS = V.colors;
  const CONFIDENCE = V.confidence;
  const PERSON = V.people;  // A's and B's colours, apart from every state colour
  const CHANNELS = Object.keys(V.parts);
  const PART_NAMES = V.parts;
  const RELATIONS = ["mirror", "match", "symmetric"];
  const SHADE = [0.3, 1];  // opacity of a labelled window at drawing strength 0 and 1
  const KINDS = ["mirror", "match", "symmetric", "mechanical", "copy", "warning", "praise", "prompt"];
  const BONES = {
    head: [[8, 5], [5, 0], [0, 2], [2, 7], [9, 10]],
    torso: [[11, 12], [11, 23], [12, 24], [23, 24]],
    left_arm: [[11, 13], [13, 15], [15, 19]],
    right_arm: [[12, 14], [14, 16], [16, 20]],
    legs: [[23, 25], [25, 27], [24, 26], [26, 28]],
  };
  const JOINTS = [0, 11, 12, 13, 14, 15, 16, 23, 24];

  const video = $("video"), stage = $("stage"), overlay = $("overlay"), tl = $("timeline");
  const octx = overlay.getContext("2d"), tctx = tl.getContext("2d");
  const W = D.windows, S = D.skeleton, EVENTS = D.events;
  const byId = new Map(EVENTS.map((e) => [e.id, e]));

  const state = {
    videoOk: false, videoFailed: false, drawnTime: null, drawnMediaTime: null, drawnFrame: -1,
    selected: null, view: [0, 1], marks: {}, lastKey: "", showSkeleton: true, version: 0, hud: "",
  };
  let redraw = true;  // the timeline needs drawing
  function requestRedraw() { redraw = true; }
  const clamp = (v, a, b) => Math.min(b, Math.max(a, v));
  const fmt = (t) => {
    if (t == null || !isFinite(t)) return "–";
    const m = Math.floor(t / 60), s = t - 60 * m;
    return `${m}:${s.toFixed(2).padStart(5, "0")}`;
  };
  const fmtP = (p) => (p == null ? "–" : p >= 0.001 ? p.toFixed(3) : p.toPrecision(1));
  // "p=0.004, sure" for window i of a series (the whole body, or one body part)
  // (a label without a confidence key gets its p-value alone, or nothing)
  const sureText = (src, i) => {
    const p = src.p_value[i], key = src.confidence[i];
    if (key == null) return p == null ? "" : `p=${fmtP(p)}`;
    return p == null ? CONFIDENCE[key] : `p=${fmtP(p)}, ${CONFIDENCE[key]}`;
  };
  const duration = () => Math.max(D.source.duration_s || 0, state.videoOk && isFinite(video.duration) ? video.duration : 0, 0.1);
  state.view = [0, duration()];

  // ------------------------------------------------------------------ time
  // The video is the clock when the browser plays it; otherwise a clock of our own drives the
  // overlay (on black) and the timeline.
  const clock = { t: 0, playing: false, last: 0 };
  const player = {
    get time() { return state.videoOk ? video.currentTime : clock.t; },
    get paused() { return state.videoOk ? video.paused : !clock.playing; },
    seek(t) {
      t = clamp(+t, 0, duration());
      if (state.videoOk) video.currentTime = t;
      else { clock.t = t; drawOverlay(t); }
      requestRedraw();
    },
    play() {
      if (state.videoOk) { video.play().catch(() => {}); }
      else { if (clock.t >= duration()) clock.t = 0; clock.playing = true; clock.last = performance.now(); }
      showPlay();
    },
    pause() { if (state.videoOk) video.pause(); else clock.playing = false; showPlay(); },
    toggle() { if (player.paused) player.play(); else player.pause(); },
  };
  const showPlay = () => { $("play").textContent = player.paused ? "Play" : "Pause"; };

  // -------------------------------------------------------------- skeletons
  const SK = S && S.t_s.length ? (() => {
    const pos = {};
    S.points.forEach((p, k) => { pos[p] = k; });
    const t = S.t_s, gaps = [];
    for (let i = 1; i < t.length; i++) gaps.push(t[i] - t[i - 1]);
    gaps.sort((a, b) => a - b);
    const step = gaps.length ? gaps[gaps.length >> 1] : 1 / 15;
    return { t, pos, step, maxGap: 2.5 * step, scale: S.scale || 10000 };
  })() : null;

  function frameAt(t) {
    // the last analysed frame at or before t (the frame the video shows), or -1
    if (!SK) return -1;
    const ts = SK.t;
    let lo = 0, hi = ts.length - 1, i = -1;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (ts[mid] <= t + 1e-3) { i = mid; lo = mid + 1; } else hi = mid - 1; }
    if (i < 0 || t - ts[i] > SK.maxGap) return -1;
    return i;
  }

  function windowAt(t) {
    // the window whose centre is nearest t, among those containing t
    const n = W.start_s.length;
    let best = -1, bd = Infinity, lo = 0, hi = n;
    while (lo < hi) { const m = (lo + hi) >> 1; if (W.end_s[m] < t) lo = m + 1; else hi = m; }  // windows share one length
    for (let i = lo; i < n; i++) {
      if (W.start_s[i] > t) break;
      if (W.end_s[i] < t) continue;
      const d = Math.abs((W.start_s[i] + W.end_s[i]) / 2 - t);
      if (d < bd) { bd = d; best = i; }
    }
    return best;
  }

  function highlights(w) {
    // body parts of A and of B to colour; the arm channels are A's arms (a mirrored left arm is B's right)
    const a = {}, b = {};
    if (w < 0) return { A: a, B: b };
    for (const c of CHANNELS) {
      const s = W.channels[c].label[w];
      if (s !== "mirror" && s !== "match" && s !== "symmetric") continue;
      a[c] = s;
      if ((c === "left_arm" || c === "right_arm") && s === "mirror") b[c === "left_arm" ? "right_arm" : "left_arm"] = s;
      else b[c] = s;
    }
    return { A: a, B: b };
  }

  function sizeCanvas(canvas, cssW, cssH) {
    const r = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(cssW * r)), h = Math.max(1, Math.round(cssH * r));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    return r;
  }

  function drawPerson(row, color, hl, label, w, h, r) {
    if (!row) return;
    const k = SK.pos, sc = SK.scale;
    const P = (p) => {
      const j = k[p];
      if (j === undefined || row[3 * j + 2] < 30) return null;
      return [row[3 * j] / sc * w, row[3 * j + 1] / sc * h];
    };
    const base = Math.max(2 * r, h / 170);
    octx.lineCap = "round";
    for (const part in BONES) {
      const s = hl[part];
      for (const [i, j] of BONES[part]) {
        const p = P(i), q = P(j);
        if (!p || !q) continue;
        if (s) {
          octx.strokeStyle = COLORS[s]; octx.globalAlpha = 0.85; octx.lineWidth = base * 3.2;
          octx.beginPath(); octx.moveTo(p[0], p[1]); octx.lineTo(q[0], q[1]); octx.stroke();
        }
        octx.globalAlpha = 1; octx.strokeStyle = color; octx.lineWidth = part === "legs" ? base * 0.6 : base;
        octx.beginPath(); octx.moveTo(p[0], p[1]); octx.lineTo(q[0], q[1]); octx.stroke();
      }
    }
    octx.fillStyle = color;
    for (const i of JOINTS) {
      const p = P(i);
      if (p) { octx.beginPath(); octx.arc(p[0], p[1], base * 1.1, 0, 2 * Math.PI); octx.fill(); }
    }
    const head = P(0) || P(11) || P(12);
    if (head) {
      const fs = Math.max(12 * r, h / 22);
      octx.font = `600 ${fs}px system-ui,sans-serif`;
      octx.textAlign = "center";
      octx.lineWidth = fs / 5; octx.strokeStyle = "rgba(0,0,0,.7)";
      const y = Math.max(fs, head[1] - fs * 1.6);
      octx.strokeText(label, head[0], y); octx.fillText(label, head[0], y);
    }
  }

  function drawOverlay(t) {
    const r = sizeCanvas(overlay, stage.clientWidth, stage.clientHeight);
    const w = overlay.width, h = overlay.height;
    octx.clearRect(0, 0, w, h);
    if (!state.videoOk) { octx.fillStyle = "#000"; octx.fillRect(0, 0, w, h); }
    const i = frameAt(t);
    state.drawnMediaTime = t;
    state.drawnFrame = i;
    state.drawnTime = i >= 0 ? SK.t[i] : null;
    const win = windowAt(t);
    if (i >= 0 && state.showSkeleton) {
      const hl = highlights(win);
      drawPerson(S.A[i], PERSON.A, hl.A, "A", w, h, r);
      drawPerson(S.B[i], PERSON.B, hl.B, "B", w, h, r);
    }
    // heads-up: time and the whole-body state of the current window
    const fs = Math.max(12 * r, h / 30);
    octx.font = `${fs}px system-ui,sans-serif`;
    octx.textAlign = "left";
    let text = fmt(t);
    if (win >= 0) {
      const lab = W.label[win];
      text += `  ${lab}`;
      if ((lab === "mirror" || lab === "match") && W.lag_s[win] != null) text += ` (lag ${W.lag_s[win].toFixed(2)} s, ${W.leader[win] === "together" ? "together" : (W.leader[win] || "–") + " leads"})`;
      const sure = sureText(W, win);
      if (sure) text += ` · ${sure}`;
    }
    state.hud = text;
    const tw = octx.measureText(text).width;
    octx.fillStyle = "rgba(0,0,0,.55)"; octx.fillRect(0, 0, tw + fs, fs * 1.6);
    octx.fillStyle = "#fff"; octx.fillText(text, fs / 2, fs * 1.15);
  }

  // -------------------------------------------------------------- timeline
  const GUTTER = 92, AXIS = 20, PAD = 6;
  const lanes = [];
  lanes.push({ key: "overall", name: "whole body", h: 18, channel: null });
  for (const c of CHANNELS) lanes.push({ key: c, name: PART_NAMES[c], h: 16, channel: c });
  const KIND_NAMES = V.kind_names, FAMILIES = V.families;
  const isEvent = (e) => FAMILIES[e.kind] === "event";
  // the events lane shows the whole body's events; each body part's are drawn as bars on its own lane
  const stateEvents = EVENTS.filter((e) => isEvent(e) && (e.scope || "whole_body") === "whole_body");
  const laneEvents = {};  // lane key -> [[event, level]]: events that overlap in time get their own level
  for (const e of EVENTS.filter(isEvent)) {
    const key = !e.scope || e.scope === "whole_body" ? "overall" : e.scope;
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
    g.fillStyle = "rgba(214,39,40,.18)";
    for (const reason of d.reasons) for (const [a, b] of reason.ranges) {
      const xa = xOf(a), xb = xOf(b);
      g.fillRect(xa, l.y + l.h - 5, Math.max(1, xb - xa), 5);
    }
    for (const e of EVENTS) {
      if (e.kind === "mechanical" && e.id.startsWith(`mechanical-${d.name}-`)) {
        const xa = xOf(e.start_s), xb = Math.max(xOf(e.end_s), xa + 3);
        g.fillStyle = COLORS.mechanical; g.globalAlpha = passes(e) ? 0.75 : 0.2;
        g.fillRect(xa, l.y + 2, xb - xa, l.h - 9);
        g.globalAlpha = 1;
        if (state.marks[e.id]) markBadge(xb - 5, l.y + 6, state.marks[e.id].mark);
        hits.push({ x0: xa, x1: xb, y0: l.y, y1: l.y + l.h - 6, e, z: 0 });
      } else if (e.kind === "copy" && e.who === d.copier) {
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
      if (e.kind !== "warning" && e.kind !== "praise" && e.kind !== "prompt") continue;
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
    g.fillStyle = mark === "right" ? "#2ca02c" : "#d62728";
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

  // -------------------------------------------------------------- events
  const storeKey = "mirror.review.marks." + (D.source.sha256 || D.source.name);
  try { state.marks = JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { state.marks = {}; }
  const saveMarks = () => { try { localStorage.setItem(storeKey, JSON.stringify(state.marks)); } catch (e) { /* private mode: marks last the page */ } };

  const kindsOn = new Set(KINDS);
  let part = "";
  function passes(e) {
    if (!kindsOn.has(e.kind)) return false;
    if (part === "_whole") return e.scope === "whole_body" || (!e.scope && e.channels.length === 0);
    return !part || e.channels.includes(part);
  }
  const visibleEvents = () => EVENTS.filter(passes);

  const tbody = document.querySelector("#events tbody");
  const rows = new Map();
  function buildList() {
    const counts = {};
    for (const e of EVENTS) counts[e.kind] = (counts[e.kind] || 0) + 1;
    const kinds = $("kinds");
    for (const k of KINDS) {
      if (!counts[k]) continue;
      const lab = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox"; box.checked = true; box.dataset.kind = k;
      box.addEventListener("change", () => { if (box.checked) kindsOn.add(k); else kindsOn.delete(k); applyFilter(); });
      const name = document.createElement("span");
      name.className = "kind"; name.style.color = COLORS[k]; name.textContent = ` ${KIND_NAMES[k] || k} `;
      lab.append(box, name, document.createTextNode(`(${counts[k]})`));
      kinds.append(lab);
    }
    const sel = $("part");
    const parts = new Set();
    for (const e of EVENTS) for (const c of e.channels) parts.add(c);
    for (const c of CHANNELS) if (parts.has(c)) sel.append(new Option(PART_NAMES[c], c));
    if (EVENTS.some((e) => e.scope === "whole_body" || e.channels.length === 0)) sel.append(new Option("whole body", "_whole"));
    sel.addEventListener("change", () => { part = sel.value; applyFilter(); });
    for (const e of EVENTS) {
      const tr = document.createElement("tr");
      tr.dataset.id = e.id; tr.dataset.kind = e.kind;
      const td = (cls, text) => { const c = document.createElement("td"); if (cls) c.className = cls; if (text != null) c.textContent = text; tr.append(c); return c; };
      const m = td("mark");
      for (const [which, sym, title] of [["right", "\u2713", "right (R)"], ["wrong", "\u2717", "wrong (W)"]]) {
        const b = document.createElement("button");
        b.type = "button"; b.className = which; b.textContent = sym; b.title = title;
        b.addEventListener("click", (ev) => { ev.stopPropagation(); b.blur(); setMark(e, which); });
        m.append(b);
      }
      td("t", e.end_s > e.start_s ? `${fmt(e.start_s)}–${fmt(e.end_s)}` : fmt(e.start_s));
      const k = td("kind", e.kind); k.style.color = COLORS[e.kind];
      const parts = e.channels.map((c) => PART_NAMES[c] || c).join(", ");
      td("", e.scope === "whole_body" ? "whole body" + (parts ? ` (${parts})` : "") : parts || "whole body");
      td("", e.who || "");
      const sure = td("sure", e.confidence ? CONFIDENCE[e.confidence] : "");
      if (e.confidence) { sure.dataset.confidence = e.confidence; sure.title = e.p_value == null ? "" : `p=${fmtP(e.p_value)}`; }
      td("", e.detail);
      tr.addEventListener("click", () => select(e, true));
      tbody.append(tr);
      rows.set(e.id, tr);
      showMark(e);
    }
    if (!EVENTS.length) {
      const tr = document.createElement("tr"), c = document.createElement("td");
      c.colSpan = 7; c.textContent = V.nothing || "Nothing to review: no events, copies or coaching in this session."; tr.append(c); tbody.append(tr);
    }
    applyFilter();
  }

  function applyFilter() {
    let n = 0;
    for (const e of EVENTS) { const ok = passes(e); rows.get(e.id).hidden = !ok; n += ok; }
    const marked = Object.keys(state.marks).filter((id) => byId.has(id)).length;
    $("count").textContent = `${n} of ${EVENTS.length} shown · ${marked} marked`;
    state.version++;  // filters and marks change the lanes
    requestRedraw();
  }

  function showMark(e) {
    const tr = rows.get(e.id), m = state.marks[e.id];
    if (!tr) return;
    tr.querySelector("button.right").setAttribute("aria-pressed", String(!!m && m.mark === "right"));
    tr.querySelector("button.wrong").setAttribute("aria-pressed", String(!!m && m.mark === "wrong"));
  }

  function setMark(e, which) {
    if (state.marks[e.id] && state.marks[e.id].mark === which) delete state.marks[e.id];
    else state.marks[e.id] = { mark: which, at: new Date().toISOString() };
    saveMarks(); showMark(e); applyFilter();
  }

  function select(e, seek) {
    if (state.selected && rows.get(state.selected)) rows.get(state.selected).classList.remove("selected");
    state.selected = e.id;
    const tr = rows.get(e.id);
    if (tr) { tr.classList.add("selected"); tr.scrollIntoView({ block: "nearest" }); }
    if (seek) {
      const [v0, v1] = state.view;
      if (e.start_s < v0 || e.start_s > v1) {
        const span = v1 - v0, a = clamp(e.start_s - 0.1 * span, 0, duration() - span);
        state.view = [a, a + span];
      }
      player.seek(e.start_s);
    }
    requestRedraw();
  }

  function step(dir) {
    const list = visibleEvents();
    if (!list.length) return null;
    const t = player.time;
    let e;
    const at = list.findIndex((x) => x.id === state.selected);
    if (at >= 0 && Math.abs(t - list[at].start_s) < 0.3) e = list[at + dir];  // from the selected event, in list order
    else if (dir > 0) e = list.find((x) => x.start_s > t + 0.01);
    else { for (let i = list.length - 1; i >= 0; i--) if (list[i].start_s < t - 0.25) { e = list[i]; break; } }
    if (e) select(e, true);
    return e ? e.id : null;
  }

  const csvCell = (v) => {
    const s = v == null ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  function marksCsv() {
    const lines = [D.marks_columns.join(",")];
    for (const e of EVENTS) {
      const m = state.marks[e.id];
      if (!m) continue;
      const row = {
        source_sha256: D.source.sha256, source: D.source.name, event_id: e.id, kind: e.kind,
        start_s: e.start_s, end_s: e.end_s, body_parts: e.channels.join(";"), detail: e.detail, mark: m.mark, marked_at: m.at,
      };
      lines.push(D.marks_columns.map((c) => csvCell(row[c])).join(","));
    }
    return lines.join("\r\n") + "\r\n";
  }
  function exportMarks() {
    const blob = new Blob([marksCsv()], { type: "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = D.source.name.replace(/\.[^.]*$/, "") + "_marks.csv";
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }
  function parseCsv(text) {
    const out = []; let row = [], cell = "", q = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (q) { if (ch === '"') { if (text[i + 1] === '"') { cell += '"'; i++; } else q = false; } else cell += ch; }
      else if (ch === '"') q = true;
      else if (ch === ",") { row.push(cell); cell = ""; }
      else if (ch === "\n" || ch === "\r") { if (ch === "\r" && text[i + 1] === "\n") i++; row.push(cell); out.push(row); row = []; cell = ""; }
      else cell += ch;
    }
    if (cell || row.length) { row.push(cell); out.push(row); }
    return out;
  }
  function importMarks(text) {
    const rowsIn = parseCsv(text), head = rowsIn.shift() || [];
    const col = (n) => head.indexOf(n);
    let n = 0, other = 0;
    for (const r of rowsIn) {
      const id = r[col("event_id")], mark = r[col("mark")], sha = r[col("source_sha256")];
      if (sha && D.source.sha256 && sha !== D.source.sha256) { other++; continue; }
      if (!byId.has(id) || (mark !== "right" && mark !== "wrong")) continue;
      state.marks[id] = { mark, at: r[col("marked_at")] || new Date().toISOString() }; n++;
      showMark(byId.get(id));
    }
    saveMarks(); applyFilter();
    notice(`Imported ${n} marks` + (other ? `; ${other} rows were for another video and were skipped.` : "."));
  }
  function notice(text) { const el = $("notice"); el.textContent = text; el.hidden = !text; }

  // -------------------------------------------------------------- video
  function noVideo(text) {
    state.videoOk = false; state.videoFailed = true;
    const el = $("novideo"); el.textContent = text; el.hidden = false;
    video.hidden = true;
    drawOverlay(clock.t); requestRedraw();
  }
  function setAspect(w, h) { stage.style.aspectRatio = `${w} / ${h}`; stage.style.maxWidth = `min(1100px, calc(62vh * ${w / h}))`; }
  setAspect(D.source.width, D.source.height);
  const onBlack = S ? " The skeletons are drawn on black; the timeline and the Play button drive the time." : " There are no skeletons either: the timeline and the Play button drive the time.";
  const noPlayText = (why) => `This browser cannot play ${D.video.name || D.source.name}${why ? " (" + why + ")" : ""}.${onBlack} To watch the video here, convert it to MP4 (H.264) or WebM (VP8/VP9).`;
  if (D.video.url) {
    if (D.video.note) notice(D.video.note);
    video.addEventListener("loadedmetadata", () => {
      if (!video.videoWidth) { noVideo(noPlayText("no picture it can decode")); return; }
      setAspect(video.videoWidth, video.videoHeight);
      const t = clock.t;
      state.videoOk = true;
      if (t > 0) video.currentTime = t;
      if (clock.playing) { clock.playing = false; video.play().catch(() => {}); }
      state.view = [state.view[0], state.view[1] >= D.source.duration_s - 1e-6 ? duration() : state.view[1]];
      drawOverlay(video.currentTime); requestRedraw();
    });
    video.addEventListener("error", () => {
      const codes = { 1: "loading was aborted", 2: "a network error", 3: "the file could not be decoded", 4: "its format or codec is not supported" };
      noVideo(noPlayText(video.error ? codes[video.error.code] || "" : ""));
    });
    for (const ev of ["play", "pause", "ended"]) video.addEventListener(ev, showPlay);
    video.addEventListener("seeked", () => { drawOverlay(video.currentTime); requestRedraw(); });
    if ("requestVideoFrameCallback" in video) {
      const onFrame = (now, meta) => { if (state.videoOk) { drawOverlay(meta.mediaTime); requestRedraw(); } video.requestVideoFrameCallback(onFrame); };
      video.requestVideoFrameCallback(onFrame);
    } else {
      video.addEventListener("timeupdate", () => drawOverlay(video.currentTime));
    }
    video.src = D.video.url;
  } else {
    noVideo((D.video.note || "There is no video to play.") + onBlack);
  }

  // -------------------------------------------------------------- loop and keys
  function tick(now) {
    if (!state.videoOk && clock.playing) {
      clock.t += (now - clock.last) / 1000; clock.last = now;
      if (clock.t >= duration()) { clock.t = duration(); clock.playing = false; showPlay(); }
      drawOverlay(clock.t); redraw = true;
    } else clock.last = now;
    if (state.videoOk && !video.paused && !("requestVideoFrameCallback" in video)) drawOverlay(video.currentTime);
    const key = `${player.time.toFixed(3)}|${state.view}|${tl.clientWidth}|${stage.clientWidth}`;
    if (!player.paused) followCursor();
    if (redraw || key !== state.lastKey) {
      state.lastKey = key; redraw = false;
      $("time").textContent = `${fmt(player.time)} / ${fmt(duration())}`;
      drawTimeline();
    }
    requestAnimationFrame(tick);
  }

  document.addEventListener("keydown", (ev) => {
    const el = ev.target || {}, tag = el.tagName || "";
    const typing = tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && !["checkbox", "radio", "button"].includes(el.type));
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === " " && (tag === "INPUT" || tag === "BUTTON")) return;  // Space works the focused control
    if (ev.key === "ArrowRight") { ev.preventDefault(); step(1); }
    else if (ev.key === "ArrowLeft") { ev.preventDefault(); step(-1); }
    else if (ev.key === " ") { ev.preventDefault(); player.toggle(); }
    else if ((ev.key === "r" || ev.key === "w") && state.selected) setMark(byId.get(state.selected), ev.key === "r" ? "right" : "wrong");
    else if (ev.key === "+" || ev.key === "=") zoom(1 / 1.5);
    else if (ev.key === "-") zoom(1.5);
  });
  const click = (id, fn) => $(id).addEventListener("click", (ev) => { ev.currentTarget.blur(); fn(); });
  click("play", () => player.toggle());
  click("zoom-in", () => zoom(1 / 1.5));
  click("zoom-out", () => zoom(1.5));
  click("zoom-fit", () => { state.view = [0, duration()]; requestRedraw(); });
  click("export", exportMarks);
  $("show-skeleton").addEventListener("change", (ev) => { state.showSkeleton = ev.target.checked; drawOverlay(player.time); });
  $("import").addEventListener("change", (ev) => {
    const f = ev.target.files && ev.target.files[0];
    if (f) f.text().then(importMarks);
    ev.target.value = "";
  });
  window.addEventListener("resize", () => { drawOverlay(player.time); requestRedraw(); });

  // summary line
  const share = D.share || {}, pct = (x) => (x == null ? "–" : `${Math.round(100 * x)} %`);
  const flagged = D.mechanical.filter((d) => d.flagged).map((d) => `${d.copier} copies ${d.model} (score ${d.score == null ? "–" : d.score.toFixed(2)})`);
  $("meaning").textContent = V.meaning;
  if (V.usability.length) $("meaning").textContent += ` Not always usable: ${V.usability.join("; ")}.`;
  const count = (fam) => EVENTS.filter((e) => FAMILIES[e.kind] === fam).length;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const nWhole = EVENTS.filter((e) => isEvent(e) && e.scope === "whole_body").length, nEvents = count("event");
  const families = `${plural(nEvents, "event", "events")} (runs of windows: ${nWhole} whole body, ${nEvents - nWhole} body parts) · `
    + `${plural(count("copy"), "copy", "copies")} of gestures · ${plural(count("coaching"), "coaching message", "coaching messages")}`;
  if (V.nothing) {
    $("nothing-why").textContent = V.nothing; $("nothing-fix").textContent = V.nothing_fix || ""; $("nothing").hidden = false;
    $("summary").textContent = S ? "" : "No skeletons: the landmarks are not available.";
  } else {
    $("summary").textContent = `whole body: mirror ${pct(share.mirror)} · match ${pct(share.match)} · symmetric ${pct(share.symmetric)} of the measured time · `
      + `${families} · mechanical imitation: ${flagged.length ? flagged.join(", ") : "none flagged"}`
      + (S ? "" : " · no skeletons: the landmarks are not available");
    $("parts").textContent = "by body part: " + (D.shares || []).filter((r) => r.row !== "overall").map((r) => r.share == null
      ? `${r.name} not measured` : `${r.name} mirror ${pct(r.share.mirror)}, match ${pct(r.share.match)}`).join(" · ");
  }
  if (V.synchrony) $("synchrony").textContent = V.synchrony;

  buildList();
  drawOverlay(0);
  requestAnimationFrame(tick);

  // for tests and the console: the state the page shows
  window.__mirror = {
    data: D, player,
    get drawnTime() { return state.drawnTime; },
    get drawnMediaTime() { return state.drawnMediaTime; },
    get drawnFrame() { return state.drawnFrame; },
    get videoOk() { return state.videoOk; },
    get videoFailed() { return state.videoFailed; },
    get selected() { return state.selected; },
    get hud() { return state.hud; },
    tipText() { return $("tip").hidden ? null : $("tip").textContent; },
    get view() { return state.view.slice(); },
    get marks() { return JSON.parse(JSON.stringify(state.marks)); },
    visibleEvents: () => visibleEvents().map((e) => e.id),
    seek: (t) => player.seek(t), next: () => step(1), prev: () => step(-1),
    marksCsv, storeKey,
    // page coordinates of time t on a lane of the timeline (for pointer tests)
    timelinePoint(t, laneKey) {
      const rect = tl.getBoundingClientRect(), l = lanes.find((x) => x.key === laneKey) || lanes[0];
      return { x: rect.left + xOf(t), y: rect.top + l.y + l.h / 2 };
    },
    // page coordinates of each event's bar on its lane: [{id, lane, x0, x1, y}]
    eventBars() {
      const rect = tl.getBoundingClientRect();
      return bars.map((b) => ({ id: b.id, lane: b.lane, x0: rect.left + b.x0, x1: rect.left + b.x1, y: rect.top + b.y }));
    },
    eventPoint(id) {
      const h = hits.find((x) => x.e.id === id), rect = tl.getBoundingClientRect();
      return h ? { x: rect.left + (h.x0 + h.x1) / 2, y: rect.top + (h.y0 + h.y1) / 2 } : null;
    },
  };
})();

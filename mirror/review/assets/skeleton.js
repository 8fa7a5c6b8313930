// The two skeletons over the video, their body parts in the colour of the current window's
// relation, and the heads-up line (time, label, lag, confidence).
// Uses: D, V, S, W, state, octx, sizeCanvas, windowAt, sureText (data.js).

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

function highlights(w) {
  // body parts of A and of B to colour; the arm channels are A's arms (a mirrored left arm is B's right)
  const a = {}, b = {};
  if (w < 0) return { A: a, B: b };
  for (const c of BODY_PARTS) {
    const s = W.channels[c].label[w];
    if (!RELATIONS.includes(s)) continue;
    a[c] = s;
    b[s === "mirror" ? MIRRORED_PART[c] : c] = s;
  }
  return { A: a, B: b };
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
      octx.globalAlpha = 1; octx.strokeStyle = color; octx.lineWidth = BODY_PARTS.includes(part) ? base : base * 0.6;  // the legs: thinner
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
    if (SIDED.includes(lab) && W.lag_s[win] != null) text += ` (lag ${W.lag_s[win].toFixed(2)} s, ${W.leader[win] === "together" ? "together" : (W.leader[win] || "–") + " leads"})`;
    const sure = sureText(W, win);
    if (sure) text += ` · ${sure}`;
  }
  state.hud = text;
  const tw = octx.measureText(text).width;
  octx.fillStyle = "rgba(0,0,0,.55)"; octx.fillRect(0, 0, tw + fs, fs * 1.6);
  octx.fillStyle = "#fff"; octx.fillText(text, fs / 2, fs * 1.15);
}

// The events list: filters, selection, previous / next, marks (kept in localStorage) and their
// CSV export and import.
// Uses: data.js; player (player.js); requestRedraw.

// -------------------------------------------------------------- events
const storeKey = "mirror.review.marks." + (D.source.sha256 || D.source.name);
try { state.marks = JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { state.marks = {}; }
const saveMarks = () => { try { localStorage.setItem(storeKey, JSON.stringify(state.marks)); } catch (e) { /* private mode: marks last the page */ } };

const kindsOn = new Set(KINDS);
let part = "";
function passes(e) {
  if (!kindsOn.has(e.kind)) return false;
  if (part === "_whole") return e.scope === WHOLE_BODY || (!e.scope && e.channels.length === 0);
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
  for (const c of BODY_PARTS) if (parts.has(c)) sel.append(new Option(PART_NAMES[c], c));
  if (EVENTS.some((e) => e.scope === WHOLE_BODY || e.channels.length === 0)) sel.append(new Option("whole body", "_whole"));
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
    td("", e.scope === WHOLE_BODY ? "whole body" + (parts ? ` (${parts})` : "") : parts || "whole body");
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

// The page's data and vocabulary, the shared state and small helpers.
// Reads the JSON element #mirror-data; every word, colour, body part, bone and kind comes from it
// (built from mirror.vocabulary by mirror.review.page), none is declared here.

const D = JSON.parse(document.getElementById("mirror-data").textContent);
const $ = (id) => document.getElementById(id);
const V = D.vocabulary;  // defined once in Python (mirror.vocabulary, through mirror.review.page.vocabulary)
const COLORS = V.colors;  // state and event kind -> CSS colour
const CONFIDENCE = V.confidence;  // confidence key -> words
const PERSON = V.people;  // A's and B's colours, apart from every state colour
const MARK_COLORS = V.marks;  // "right" / "wrong" -> CSS colour
const BODY_PARTS = V.body_parts;  // body parts, in report order
const PART_NAMES = V.parts;  // body part -> its name
const RELATIONS = V.relations;  // the labels drawn as a relation
const SIDED = V.sided;  // the relations with a lag and a leader
const MIRRORED_PART = V.mirrored_part;  // A's body part -> B's that mirrors it
const KINDS = V.event_kinds;  // kinds of event, in the order the filters list them
const WHOLE_BODY = V.whole_body;  // the scope of a whole-body event
const BONES = V.bones;  // body part (or "legs") -> [[pose index, pose index], ...]
const JOINTS = V.joints;  // pose indices drawn as dots
const KIND_NAMES = V.kind_names, FAMILIES = V.families;
const isEvent = (e) => FAMILIES[e.kind] === "event";
const SHADE = [0.3, 1];  // opacity of a labelled window at drawing strength 0 and 1

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
// "#rrggbb" at opacity a
const rgba = (hex, a) => `rgba(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(",")},${a})`;
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

function sizeCanvas(canvas, cssW, cssH) {
  const r = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(cssW * r)), h = Math.max(1, Math.round(cssH * r));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  return r;
}

// The header lines (shares, events, copies, coaching, synchrony), the first drawing, and
// window.__mirror: the state the page shows, for tests and the console.
// Uses: every other file.

// summary line
const share = D.share || {}, pct = (x) => (x == null ? "–" : `${Math.round(100 * x)} %`);
const flagged = D.mechanical.filter((d) => d.flagged).map((d) => `${d.copier} copies ${d.model} (score ${d.score == null ? "–" : d.score.toFixed(2)})`);
$("meaning").textContent = V.meaning;
if (V.usability.length) $("meaning").textContent += ` Not always usable: ${V.usability.join("; ")}.`;
const count = (fam) => EVENTS.filter((e) => FAMILIES[e.kind] === fam).length;
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const nWhole = EVENTS.filter((e) => isEvent(e) && e.scope === WHOLE_BODY).length, nEvents = count("event");
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

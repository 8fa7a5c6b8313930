// The animation loop, the keyboard and the buttons.
// Uses: every other file.

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

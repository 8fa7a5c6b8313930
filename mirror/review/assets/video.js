// The video element: loading, playing in step with the overlay, or saying why it cannot.
// Uses: data.js; clock (player.js); drawOverlay (skeleton.js); notice (events.js).

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

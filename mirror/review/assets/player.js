// Time: the video is the clock when the browser plays it; otherwise a clock of our own.
// Uses: state, video, clamp, duration (data.js); drawOverlay (skeleton.js); requestRedraw.

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

"""Session history speed: recording one session, and `mirror progress` over 1,000 sessions.

    .venv/bin/python benchmarks/bench_history.py

Recording is what `analyze`, `batch` and `live` add after a report is written: read
report.json back, open the history (checks, WAL), and one transaction (synchronous=FULL, so
one fsync).  The report is a 30 minute session's (3,600 windows, 300 coaching messages).
Rendering is `mirror progress` without printing: read every session, the trends, and
progress.html written (and its size).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mirror.history import History, People, build_progress, record_from_report, record_session, write_progress_page  # noqa: E402

FEEDBACK = [  # (kind, key, text) of the coaching messages, in turn
    (
        "warning",
        "mechanical_fast",
        "You echo your partner's moves after only 0.4 s: wait a beat or two before mirroring.",
    ),
    ("praise", "praise_mirror", "Good: you mirrored their raised right hand just now."),
    ("prompt", "prompt_posture", "Your partner has been leaning forward for 12 s."),
]


def report(folder: Path, minutes: float = 30.0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    n = int(minutes * 60 / 0.5)
    windows = [
        {"start_s": 0.5 * i, "end_s": 0.5 * i + 4.0, "label": ("mirror", "match", "none", "symmetric")[i % 4],
         "mirror_score": 0.6, "match_score": 0.2, "sync_score": 0.5, "lag_s": 0.3 + (i % 7) * 0.4,
         "leader": "AB"[i % 2], "valid": 1.0,
         "channels": {c: {"label": "mirror", "mirror_score": 0.6, "match_score": 0.1}
                      for c in ("head", "left_arm", "right_arm", "torso", "face")}}
        for i in range(n)
    ]  # fmt: skip
    doc = {
        "format": "mirror.report", "format_version": 1,
        "provenance": {"source": {"kind": "video", "nominal_fps": 25.0, "frame_count": int(minutes * 60 * 25)},
                       "source_sha256": "0" * 64},
        "settings": {"window_s": 4.0, "step_s": 0.5, "max_lag_s": 3.0},
        "summary": {"share": {"mirror": 0.3, "match": 0.2, "symmetric": 0.1, "none": 0.4},
                    "share_by_channel": {c: {"mirror": 0.3, "match": 0.2, "none": 0.5}
                                         for c in ("head", "left_arm", "right_arm", "torso", "face")},
                    "leader_share": {"A": 0.5, "B": 0.4, "together": 0.1},
                    "synchrony": {"real": 0.6, "surrogate_mean": 0.5, "effect_size": 2.0, "p_value": 0.01,
                                  "n_surrogates": 200}},
        "mechanical": {"directions": {"B_copies_A": {"copier": "B", "model": "A", "score": 0.4},
                                      "A_copies_B": {"copier": "A", "model": "B", "score": 0.3}}},
        "feedback": [{"t_s": 6.0 * i, "to": "AB"[i % 2], "kind": kind, "key": key, "text": text}
                     for i in range(300) for kind, key, text in [FEEDBACK[i % 3]]],
        "windows": windows, "events": [],
    }  # fmt: skip
    (folder / "report.json").write_text(json.dumps(doc))
    return folder


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "history.sqlite"
        folder = report(tmp / "session")
        base = record_from_report(folder, "analyze", People("Ana", "Bo", "A"))
        with History(db) as h:
            for i in range(985):  # 985 sessions already, 15 recorded below: 1,000
                h.record(replace(base, session_key=f"k{i}",
                                 recorded_at=f"2026-{1 + i // 100 % 12:02d}-{1 + i % 28:02d}T10:00:00+00:00",
                                 mirror_share=(i % 50) / 100))  # fmt: skip
        times, cpu = [], []
        for i in range(15):
            doc = json.loads((folder / "report.json").read_text())
            doc["provenance"]["source_sha256"] = f"{i + 1:064x}"
            (folder / "report.json").write_text(json.dumps(doc))
            t0, c0 = time.perf_counter(), time.process_time()
            record_session(folder, "analyze", People("Ana", "Bo", "A"), path=db)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        size_mb = (folder / "report.json").stat().st_size / 1e6
        print(f"record one session ({size_mb:.1f} MB report.json, history of ~1,000): "
              f"median {1000 * statistics.median(times):.1f} ms (CPU {1000 * statistics.median(cpu):.1f} ms), "
              f"max {1000 * max(times):.1f} ms over {len(times)}")  # fmt: skip

        renders, render_cpu = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            with History(db) as h:
                records = h.sessions()
            prog = build_progress(records, "Ana")
            page = write_progress_page(prog, tmp / "progress.html")
            renders.append(time.perf_counter() - t0)
            render_cpu.append(time.process_time() - c0)
        assert len(prog.views) == 1000
        print(f"progress for 1,000 sessions (read, trends, progress.html {page.stat().st_size / 1e6:.1f} MB): "
              f"median {1000 * statistics.median(renders):.0f} ms (CPU {1000 * statistics.median(render_cpu):.0f} ms), "
              f"max {1000 * max(renders):.0f} ms over {len(renders)}")  # fmt: skip


if __name__ == "__main__":
    main()

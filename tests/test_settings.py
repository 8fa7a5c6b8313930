"""Settings serialise through one mechanism (mirror.serial): every settings class round-trips through its dict."""

import dataclasses
import json

import pytest

from mirror.coach import CoachSettings
from mirror.compare import PRESETS, CompareSettings
from mirror.features.usability import UsabilitySettings
from mirror.landmarks import ExtractSettings, Layout
from mirror.mechanical import CopySettings, GestureSettings, MechanicalSettings, ScoreSettings
from mirror.serial import Plain, from_plain, omit_default, omit_none, to_plain

SETTINGS = [
    CompareSettings(),
    PRESETS["report"],
    CompareSettings(window_s=6.0, alpha=0.05),
    ExtractSettings(),
    ExtractSettings(
        pose_model="full",
        face=False,
        layout=Layout.parse("regions", "0,0,0.5,1;0.5,0,1,1"),
        fps=12.5,
        mirrored_input=True,
        backfill=False,
    ),
    ExtractSettings(layout=Layout("split", split_overlap=0.1)),
    Layout(),
    GestureSettings(),
    GestureSettings(smooth_s=0.8),
    CopySettings(max_lag_s=4.0),
    ScoreSettings(),
    ScoreSettings(coverage_ramp=(0.3, 0.9), weights=(1.0,) * 6),
    MechanicalSettings(),
    MechanicalSettings(gestures=GestureSettings(onset_factor=3.0), score=ScoreSettings(flag_score=0.7)),
    CoachSettings(),
    CoachSettings(natural_lag_s=(0.5, 4.0)),
    UsabilitySettings(),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: type(s).__name__)
def test_settings_round_trip_through_their_dict_and_json(settings):
    assert isinstance(settings, Plain)
    plain = settings.to_dict()
    assert type(settings).from_dict(plain) == settings
    assert type(settings).from_dict(json.loads(json.dumps(plain))) == settings  # through a file, tuples as lists


def test_every_settings_class_is_covered():
    """A settings class added to the package gets a round trip here (it must use the one mechanism)."""
    covered = {type(s) for s in SETTINGS}
    assert covered == {
        CompareSettings,
        ExtractSettings,
        Layout,
        GestureSettings,
        CopySettings,
        ScoreSettings,
        MechanicalSettings,
        CoachSettings,
        UsabilitySettings,
    }


def test_missing_keys_take_their_defaults_and_unknown_keys_are_ignored():
    assert CompareSettings.from_dict({"window_s": 8.0, "later_field": 1}) == CompareSettings(window_s=8.0)


def test_settings_dicts_are_as_before():
    """The dicts are what the hand-written to_dict methods gave: report.json and the null tables' keys stay."""
    assert CompareSettings().to_dict() == dict(CompareSettings().__dict__)
    score = ScoreSettings().to_dict()
    assert score["coverage_ramp"] == [0.4, 0.8] and score["weights"] == [0.2, 0.2, 0.15, 0.15, 0.15, 0.15]
    assert MechanicalSettings().to_dict() == {
        "gestures": GestureSettings().to_dict(),
        "copies": CopySettings().to_dict(),
        "score": ScoreSettings().to_dict(),
    }
    assert CoachSettings().to_dict()["natural_lag_s"] == [0.8, 4.5]


@dataclasses.dataclass(frozen=True)
class _Record:
    always: int
    when_set: str | None = omit_none()
    when_changed: float = omit_default(0.5)


def test_optional_keys_are_written_only_when_they_say_something():
    assert to_plain(_Record(1)) == {"always": 1}
    assert to_plain(_Record(1, "x", 0.7)) == {"always": 1, "when_set": "x", "when_changed": 0.7}
    assert from_plain(_Record, {"always": 1}) == _Record(1)


def test_batch_settings_dict_and_every_result_field_reaches_the_key():
    """A batch reruns a video whose results would change: every field not declared local changes the key."""
    from mirror.batch import BatchSettings
    from mirror.history import People

    base = BatchSettings()
    plain = json.loads(json.dumps(base.to_dict()))  # what batch.json and status.json keep
    assert plain == {
        "extract": base.extract.to_dict(),
        "compare": base.compare.to_dict(),
        "n_surrogates": 200,
        "overlay_video": False,
    }
    changed = {
        "extract": ExtractSettings(pose_model="full"),
        "compare": CompareSettings(window_s=6.0),
        "n_surrogates": 50,
        "overlay_video": True,
    }
    local = {"cache_dir": "/tmp/elsewhere", "history": "/tmp/h.sqlite", "people": People(me_name="Ana", me_side="A")}
    names = {f.name for f in dataclasses.fields(BatchSettings)}
    assert set(changed) | set(local) == names, "a new BatchSettings field: say here whether it changes results"
    for name, value in changed.items():
        assert dataclasses.replace(base, **{name: value}).key() != base.key(), name
    for name, value in local.items():
        assert dataclasses.replace(base, **{name: value}).key() == base.key(), name

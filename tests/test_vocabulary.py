"""The vocabulary is defined once: mirror.vocabulary is a leaf, and the page script declares none of it."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

from mirror import vocabulary as v
from mirror.review.page import SCRIPTS, page_script, vocabulary

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "mirror" / "review" / "assets"


def test_vocabulary_is_a_leaf():
    tree = ast.parse((ROOT / "mirror" / "vocabulary.py").read_text(encoding="utf-8"))
    imported = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in (n.names if isinstance(n, ast.Import) else [None])
    ]
    assert not [m for m in imported if m and m.split(".")[0] == "mirror"]


def test_tuples_follow_their_literal_types():
    for values, kind in [
        (v.PEOPLE, v.Person),
        (v.BODY_PARTS, v.BodyPart),
        (v.FEATURE_CHANNELS, v.FeatureChannel),
        (v.RELATIONS, v.Relation),
        (v.LABELS, v.Label),
        (v.EVENT_KINDS, v.EventKind),
        (v.LAYOUTS, v.LayoutMode),
        (v.BATCH_STATES, v.BatchState),
    ]:
        assert values == get_args(kind)
    assert set(v.RELATIONS) <= set(v.LABELS) and set(v.SIDED) <= set(v.RELATIONS)
    assert (
        set(v.MESSAGE_KINDS) == set(v.MESSAGE_PRIORITY)
        and set(v.MESSAGE_KINDS) <= set(v.EVENT_KINDS)
        and set(v.EVENT_FAMILY) == set(v.EVENT_KINDS)
    )
    for table in (v.BODY_PART_NAMES, v.MIRRORED_PART, v.FEATURE_CHANNEL_OF, v.BODY_PART_FEATURES):
        assert tuple(table) == v.BODY_PARTS
    assert set(v.FEATURE_CHANNEL_OF.values()) == set(v.FEATURE_CHANNELS)
    assert set(v.KIND_COLORS) >= set(v.LABELS) | set(v.EVENT_KINDS) - {"none"}


def test_keypoints_by_name_and_index():
    assert len(v.POSE_NAMES) == 33 and v.SHOULDERS == (11, 12) and v.HIPS == (23, 24) and v.NOSE == 0
    assert v.JOINT_INDICES == (0, 11, 12, 13, 14, 15, 16, 23, 24)
    drawn = {v.POSE[n] for bones in v.BONES.values() for b in bones for n in b} | set(v.JOINT_INDICES)
    assert drawn == {v.POSE[n] for n in v.SKELETON_POINTS}
    assert set(v.BONES) == set(v.BODY_PARTS) - {"face"} | {"legs"}


def test_page_script_is_every_asset_in_order_and_declares_no_vocabulary():
    assert sorted(SCRIPTS) == sorted(p.name for p in ASSETS.glob("*.js"))
    script = page_script()
    assert [m for m in re.findall(r"// ---- (\S+)", script)] == list(SCRIPTS)
    for path in ASSETS.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"#[0-9a-fA-F]{6}\b", text) or path.name == "timeline.js", path.name
        for word in ("head", "left_arm", "right_arm", "torso", "symmetric"):
            assert f'"{word}"' not in text, (path.name, word)
        assert not re.search(r"\[\s*11\s*,\s*12\s*\]|\[\s*23\s*,\s*24\s*\]", text), path.name


def test_page_vocabulary_comes_from_the_module():
    words = vocabulary({"format": "mirror.report"})
    assert words["body_parts"] == list(v.BODY_PARTS) and list(words["parts"]) == list(v.BODY_PARTS)
    assert words["colors"] == v.KIND_COLORS and words["people"] == v.PERSON_COLORS
    assert words["bones"] == {k: [list(b) for b in bones] for k, bones in v.BONE_INDICES.items()}
    assert words["joints"] == list(v.JOINT_INDICES) and words["event_kinds"] == list(v.EVENT_KINDS)

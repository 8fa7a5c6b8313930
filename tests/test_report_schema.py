"""report.json against its generated schema: the committed schema and docs are what the model gives, real
reports validate, broken ones do not (and the suite's own reports are all checked, see tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator
from scipy.ndimage import gaussian_filter1d

from mirror.compare import analyze_features
from mirror.errors import MirrorError
from mirror.features import FEATURES, Features
from mirror.report import Report, read_report, write_report
from mirror.report.schema import MARKDOWN_PATH, SCHEMA_PATH, markdown_text, schema_text
from tests.report_fixtures import (
    analysed_dyad,
    calibrated_doc,
    copy_report,
    invalid_reports,
    nothing_doc,
    report_validator,
    write_doc,
)


def validator() -> Draft202012Validator:
    return report_validator()


def problems(doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(doc)]


def test_the_committed_schema_is_the_one_the_model_gives():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "docs/report.schema.json is out of date: run `python -m mirror.report.schema`"
    )


def test_the_committed_field_tables_are_the_ones_the_model_gives():
    assert MARKDOWN_PATH.read_text(encoding="utf-8") == markdown_text(), (
        "docs/report-schema.md is out of date: edit docs/report-schema.in.md or the model, "
        "then run `python -m mirror.report.schema`"
    )


def test_every_field_of_the_model_is_described():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    bare = [
        f"{name}.{field}"
        for name, model in [("Report", schema), *schema["$defs"].items()]
        for field, prop in model.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert bare == []


def _synthetic_report(folder: Path) -> Path:
    """A report written by write_report from synthetic features (no models needed): B matches A 0.8 s later."""
    rate, n = 15, 30 * 15
    a = gaussian_filter1d(np.random.default_rng(0).normal(size=(n + 24, len(FEATURES))), 8, axis=0) * 0.05
    values = np.stack([a[12:-12], np.roll(a, 12, axis=0)[12:-12]], axis=1)
    result = analyze_features(Features(np.arange(n) / rate, values), n_surrogates=10)
    write_report(result, folder, {"source": "synthetic"})
    return folder / "report.json"


def test_a_written_report_validates_and_reads_back_to_the_same_document(tmp_path):
    path = _synthetic_report(tmp_path)
    doc = json.loads(path.read_text())
    assert problems(doc) == []
    report = read_report(path)
    assert isinstance(report, Report) and report.to_dict() == doc
    assert report.to_json() == path.read_bytes()


@pytest.mark.parametrize("make", [calibrated_doc, nothing_doc])
def test_the_hand_built_fixtures_follow_the_schema(make):
    assert problems(make()) == []


@pytest.mark.model
def test_a_real_analysed_session_follows_the_schema(tmp_path_factory):
    root = tmp_path_factory.getbasetemp() / "report_session"
    doc = json.loads((analysed_dyad(root) / "report.json").read_text())
    assert problems(doc) == []
    assert doc["windows"] and doc["events"] and doc["mechanical"] is not None
    assert Report.model_validate(doc).to_dict() == doc


BREAKAGES = {
    "an unknown label": lambda d: d["windows"][3].update(label="mirrorish"),
    "a window without its start": lambda d: d["windows"][3].pop("start_s"),
    "a score that is not a number": lambda d: d["windows"][0]["channels"]["head"].update(mirror_score="high"),
    "an event of no known kind": lambda d: d["events"][0].update(kind="mechanical"),
    "a person who is neither A nor B": lambda d: d["usability"].update(C={}),
    "a leader share that is text": lambda d: d["summary"]["leader_share"].update(A="most"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_a_broken_report_fails_the_schema_and_is_refused_by_read_report(name, tmp_path):
    doc = calibrated_doc()
    BREAKAGES[name](doc)
    assert problems(doc), f"the schema let {name} through"
    write_doc(tmp_path, doc)
    with pytest.raises(MirrorError, match=r"report.json is not a valid mirror.report document: \S+: ") as err:
        read_report(tmp_path)
    assert "\n" not in str(err.value)
    (tmp_path / "report.json").unlink()  # broken on purpose: not one of the suite's reports


def test_the_suite_check_finds_a_broken_report(tmp_path):
    good = write_doc(tmp_path / "good", calibrated_doc())
    bad_doc = calibrated_doc()
    bad_doc["windows"][0]["label"] = "mirrorish"
    bad = write_doc(tmp_path / "bad", bad_doc)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "report.json").write_text('{"format": "something else"}')
    found = invalid_reports(tmp_path, validator())
    assert [p for p, _ in found] == [bad / "report.json"] and good
    (bad / "report.json").unlink()


@pytest.mark.model
def test_the_real_report_copied_keeps_its_bytes(tmp_path_factory):
    root = tmp_path_factory.getbasetemp() / "report_session"
    out = copy_report(analysed_dyad(root), root / "schema_copy")
    report = read_report(out)
    assert json.loads(report.to_json()) == json.loads((out / "report.json").read_text())

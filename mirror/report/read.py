"""Reading ``report.json`` back: validated against the report model, refused in one line when it is not a report."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from mirror.errors import MirrorError
from mirror.report.model import REPORT_FORMAT, REPORT_VERSION, Report

ReportLike = Report | dict
"""A :class:`~mirror.report.model.Report`, or ``report.json``'s data as loaded (validated on the way in)."""


def read_report(path: str | Path) -> Report:
    """``report.json`` (a file, or the folder holding it), validated, as a :class:`~mirror.report.model.Report`.

    Raises
    ------
    MirrorError
        Missing, unreadable, not a ``mirror.report`` document of a known version, or not valid
        against the report model (the first problem is named).
    """
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MirrorError(f"{path} not found: run `mirror analyze VIDEO --out {path.parent}` first") from None
    except OSError as exc:
        raise MirrorError(f"{path} is not a readable report: {exc}") from None
    try:  # a good report in one pass; anything else is looked at again below, to say what is wrong with it
        return Report.model_validate_json(raw)
    except ValidationError:
        pass
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MirrorError(f"{path} is not a readable report: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT:
        raise MirrorError(f"{path} is not a {REPORT_FORMAT} document")
    if doc.get("format_version") != REPORT_VERSION:
        raise MirrorError(
            f"{path} has format version {doc.get('format_version')}; this mirror reads version {REPORT_VERSION}"
        )
    try:
        return Report.model_validate(doc)
    except ValidationError as exc:
        raise MirrorError(f"{path} is not a valid {REPORT_FORMAT} document: {validation_problem(exc)}") from None


def validation_problem(exc: ValidationError) -> str:
    """The first problem a validation found, in one line (``windows.3.label: Input should be ...``), and how many
    more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "the document"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def as_report(doc: Report | dict) -> Report:
    """A :class:`~mirror.report.model.Report`: as is, or validated from ``report.json``'s data as loaded.

    Raises
    ------
    MirrorError
        The data is not a valid report.
    """
    if isinstance(doc, Report):
        return doc
    try:
        return Report.model_validate(doc)
    except ValidationError as exc:
        raise MirrorError(f"not a valid {REPORT_FORMAT} document: {validation_problem(exc)}") from None

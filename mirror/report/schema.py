"""``docs/report.schema.json`` and ``docs/report-schema.md``, generated from the report model.

``python -m mirror.report.schema`` rewrites both files; ``--check`` only says whether they are
up to date (exit status 1 when not). The JSON Schema is
:meth:`Report.model_json_schema <mirror.report.model.Report>` (draft 2020-12). The Markdown is
the hand-written ``docs/report-schema.in.md`` with, where its marker line is, one table per model
of the report: each field, its JSON type and its description (the model's docstrings).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from mirror.report.model import Report

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA_PATH = DOCS / "report.schema.json"
MARKDOWN_PATH = DOCS / "report-schema.md"
TEMPLATE_PATH = DOCS / "report-schema.in.md"
MARKER = "<!-- report.json fields -->"
"""The line of the template that the field tables replace."""
SCHEMA_ID = "https://github.com/mirror/mirror/docs/report.schema.json"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``report.json`` (draft 2020-12), as it is committed."""
    schema = Report.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    """``docs/report.schema.json``'s content."""
    return json.dumps(report_schema(), indent=1, ensure_ascii=False) + "\n"


def _words(text: str | None) -> str:
    """A description on one line, for a table cell."""
    return re.sub(r"\s+", " ", text or "").strip().replace("|", "\\|")


def _type(prop: dict[str, Any]) -> str:
    """A property's JSON type in short: ``number``, ``string | null``, ``array of Window``, ``"a" | "b"``."""
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " \\| ".join(_type(p) for p in prop["anyOf"])
    if "const" in prop:
        return json.dumps(prop["const"])
    if "enum" in prop:
        return " \\| ".join(json.dumps(v) for v in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        if "prefixItems" in prop:
            return "[" + ", ".join(_type(p) for p in prop["prefixItems"]) + "]"
        return f"array of {_type(prop.get('items', {}))}"
    if kind == "object":
        values = prop.get("additionalProperties")
        keys = prop.get("propertyNames", {}).get("enum")
        key = " \\| ".join(json.dumps(k) for k in keys) if keys else "string"
        if isinstance(values, dict) and values:
            return f"object ({key} → {_type(values)})"
        return "object"
    return str(kind or "any")


def _table(name: str, model: dict[str, Any]) -> str:
    required = set(model.get("required", []))
    rows = [
        f"| `{field}` | {_type(prop)}{'' if field in required else ' (optional)'} | {_words(prop.get('description'))} |"
        for field, prop in model.get("properties", {}).items()
    ]
    head = f"### {name}\n\n{_words(model.get('description'))}\n\n| field | type | meaning |\n|---|---|---|\n"
    return head + "\n".join(rows) + "\n"


def _order(schema: dict[str, Any]) -> list[str]:
    """The models in the order the document reaches them (depth first from ``Report``)."""
    defs = schema.get("$defs", {})
    seen: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.append(name)
                    visit(defs[name].get("properties", {}))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema.get("properties", {}))
    return seen


def fields_markdown() -> str:
    """The generated part of ``docs/report-schema.md``: the tables of ``Report`` and every model it holds."""
    schema = report_schema()
    defs = schema.get("$defs", {})
    intro = (
        "Generated from `mirror/report/model/` by `python -m mirror.report.schema`; do not edit by hand. "
        "*(optional)*: the field may be absent (older reports, or a code path with nothing to put there); "
        "its default then applies.\n"
    )
    parts = [intro, _table("Report (the document)", schema)]
    parts += [_table(name, defs[name]) for name in _order(schema)]
    return "\n".join(parts)


def markdown_text() -> str:
    """``docs/report-schema.md``'s content: the template with the field tables at its marker."""
    template = TEMPLATE_PATH.read_text(encoding="utf-8")
    body = template.split("-->\n", 1)[1].lstrip("\n") if template.startswith("<!--") else template
    if MARKER not in body:
        raise RuntimeError(f"{TEMPLATE_PATH} has no {MARKER} line")
    return body.replace(MARKER, fields_markdown().rstrip("\n"))


def outputs() -> dict[Path, str]:
    """Each generated file and the content it should have."""
    return {SCHEMA_PATH: schema_text(), MARKDOWN_PATH: markdown_text()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the files are up to date")
    args = parser.parse_args(argv)
    stale = [p for p, text in outputs().items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path} is out of date: run `python -m mirror.report.schema`")
        return 1 if stale else 0
    for path, text in outputs().items():
        if path in stale:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

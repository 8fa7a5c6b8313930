"""Report stage: the analysis as files other tools read (JSON, CSV, HTML, ELAN, BORIS)."""

from mirror.report.bundle import RENDERED_FILES, write_all
from mirror.report.doc import read_report
from mirror.report.files import (
    REPORT_FORMAT,
    REPORT_VERSION,
    build_report,
    report_dict,
    write_report,
    write_report_files,
)
from mirror.report.model import Report

__all__ = [
    "RENDERED_FILES",
    "REPORT_FORMAT",
    "REPORT_VERSION",
    "Report",
    "build_report",
    "read_report",
    "report_dict",
    "write_all",
    "write_report",
    "write_report_files",
]

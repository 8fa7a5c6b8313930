"""Report stage: the analysis as files other tools read (JSON, CSV)."""

from mirror.report.files import REPORT_FORMAT, REPORT_VERSION, report_dict, write_report

__all__ = ["REPORT_FORMAT", "REPORT_VERSION", "report_dict", "write_report"]

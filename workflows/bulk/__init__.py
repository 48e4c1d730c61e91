"""Bulk work for list-shaped steps: download the pending records as a spreadsheet, upload the results."""

from .police import export_pending, import_results
from .report import ImportReport, RowResult
from .sheets import SpreadsheetInvalid

__all__ = ["ImportReport", "RowResult", "SpreadsheetInvalid", "export_pending", "import_results"]

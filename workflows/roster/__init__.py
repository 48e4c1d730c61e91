"""Existing rolls (danh sách đối tượng đang hưởng) brought into An Sinh: a template to fill in, the import
(resumable, idempotent, differences reported), and the file of rejected rows to fix and upload again."""

from __future__ import annotations

from .importer import import_roll, resume_import
from .job import queue_roll_import
from .report import Problem, RollReport, report_of

__all__ = ["Problem", "RollReport", "import_roll", "queue_roll_import", "report_of", "resume_import"]

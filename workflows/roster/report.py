"""What an import did, for the page, the command line (``--json``) and the file of rows to fix."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import RollImport, RollProblem


@dataclass(frozen=True)
class Problem:
    row: int
    kind: str  # rejected | difference
    column: str | None
    reason: str
    code: str | None = None


@dataclass(frozen=True)
class RollReport:
    import_id: int
    file_name: str
    status: str  # running | done | failed
    rows_total: int
    rows_done: int
    created: int
    unchanged: int
    differences: int
    rejected: int
    error: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def progress(self) -> float:
        return 1.0 if self.status == "done" else self.rows_done / self.rows_total if self.rows_total else 0.0

    def as_json(self) -> dict:
        """The command line's last line: counts, and every rejected row with its column and reason."""
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "differences": self.differences,
            "rejected": [
                {"row": p.row, "column": p.column, "reason": p.reason}
                for p in self.problems
                if p.kind == "rejected"
            ],
            "differing": [
                {"row": p.row, "code": p.code, "reason": p.reason}
                for p in self.problems
                if p.kind == "difference"
            ],
        }


def report_of(
    session: Session, import_id: int, problems: bool = True, limit: int | None = None
) -> RollReport:
    job = session.get(RollImport, import_id)
    if job is None:
        raise LookupError(f"no roll import {import_id}")
    found: list[Problem] = []
    if problems:
        query = select(RollProblem).where(RollProblem.import_id == import_id).order_by(RollProblem.row_no)
        found = [
            Problem(p.row_no, p.kind, p.column, p.reason, p.beneficiary_code)
            for p in session.scalars(query.limit(limit))
        ]
    return RollReport(
        job.id, job.file_name, job.status, job.rows_total, job.rows_done, job.created, job.unchanged,
        job.differences, job.rejected, job.error, found,
    )  # fmt: skip

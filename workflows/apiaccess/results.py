"""Payment results sent line by line (JSON) go through the very import a results file does: written as
the CSV a provider would upload, so the same rows sent twice are the same import and change nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from engine import EngineContext

from ..payouts import ImportReport, import_results

COLUMNS = ("line_id", "cccd", "result", "reason", "reference")


def import_result_lines(
    ctx: EngineContext, cycle_id: int, kind: str, lines: Iterable[Mapping[str, Any]], actor: str | None = None
) -> ImportReport:
    """Apply ``lines`` ({line_id or cccd, result, reason?, reference?} each) as one import of ``kind``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(["" if line.get(name) is None else str(line[name]) for name in COLUMNS])
    return import_results(ctx, cycle_id, "api.csv", buffer.getvalue().encode(), kind=kind, actor=actor)

"""The monthly payout (bpmn/monthly_payout.bpmn): one cycle per area per month, everybody paid exactly once.

Importing this package registers the payout's forms, service-task handlers and task page.
"""

from . import forms, handlers, task_page  # noqa: F401  (registers forms, checks, handlers, its task page)
from .export_job import export_job, queue_export
from .import_job import import_job, queue_import
from .imports import (
    ImportRefused,
    ImportReport,
    get_import,
    import_results,
    import_rows,
    list_imports,
    record_cash,
)
from .notices import NoticeSweep, deliver_notices
from .service import (
    CycleStart,
    StepDone,
    do_step,
    open_step,
    start_cycle,
    start_cycles,
    start_monthly_cycles,
    submit,
)
from .views import CycleView, LineView, get_cycle, list_cycles, list_lines, verify_list

__all__ = [
    "CycleStart",
    "CycleView",
    "ImportRefused",
    "ImportReport",
    "LineView",
    "NoticeSweep",
    "StepDone",
    "deliver_notices",
    "do_step",
    "get_cycle",
    "get_import",
    "export_job",
    "import_job",
    "import_results",
    "import_rows",
    "list_cycles",
    "list_imports",
    "list_lines",
    "open_step",
    "queue_export",
    "queue_import",
    "record_cash",
    "start_cycle",
    "start_cycles",
    "start_monthly_cycles",
    "submit",
    "verify_list",
]

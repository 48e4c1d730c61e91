"""The beneficiary's case (bpmn/beneficiary_case.bpmn): one module per step, each with its form schema,
its record checks and its service-task handlers; ``service`` opens cases, ``summary`` and ``timeline``
show them, ``task_page`` is the case's part of the task page. Importing this package registers them all."""

from . import (  # noqa: F401
    accounts,
    cash,
    closing,
    new_case,
    outreach,
    police,
    registration,
    review,
    task_page,  # noqa: F401  (registers the case's part of the task page)
)

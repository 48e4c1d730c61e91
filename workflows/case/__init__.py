"""The beneficiary's case (bpmn/beneficiary_case.bpmn): one module per step, each with its form schema,
its record checks and its service-task handlers. Importing this package registers them all."""

from . import accounts, cash, closing, new_case, outreach, police, registration, review  # noqa: F401

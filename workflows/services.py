"""The service-task handlers that the BPMN processes may name (``spiffworkflow:serviceTaskOperator``).

Handlers are typed functions of plain data registered here by name; the engine dispatches by that
name and refuses, at deploy time, a BPMN that names an operator missing from this registry.
"""

from __future__ import annotations

from engine.services import ServiceRegistry

registry = ServiceRegistry()

"""SpiffWorkflow (de)serialization with the spec stored by reference.

By default SpiffWorkflow embeds the whole process spec in every instance's JSON (half its size and
most of its load time). Here an instance's JSON holds only its tasks and data; the spec comes from
the process version it runs on, parsed once and cached (see ``specs.SpecCache``).
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class SpecByReferenceConverter(BpmnWorkflowConverter):
    """Writes a workflow without its specs; restores it against specs handed in by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec=None, subprocess_specs=None) -> BpmnWorkflow:
        if spec is None:
            raise ValueError("a workflow stored by reference needs its spec to be restored")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class WorkflowSerializer:
    """Instances to and from JSON text, and specs to and from JSON text, with one registry."""

    def __init__(self) -> None:
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = SpecByReferenceConverter
        registry = BpmnWorkflowSerializer.configure(config)
        registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
        registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
        self._inner = BpmnWorkflowSerializer(registry)
        self.registry = registry
        self.version: str = self._inner.VERSION

    def dump_workflow(self, workflow: BpmnWorkflow) -> str:
        return self._inner.serialize_json(workflow)

    def load_workflow(
        self, text: str, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]
    ) -> BpmnWorkflow:
        dct = json.loads(text)
        self._inner.migrate(dct)
        return self.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)

    def dump_specs(self, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
        return json.dumps(
            {
                "spec": self.registry.convert(spec),
                "subprocess_specs": {k: self.registry.convert(v) for k, v in subprocess_specs.items()},
            }
        )

    def load_specs(self, text: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
        dct = json.loads(text)
        spec = self.registry.restore(dct["spec"])
        subs = {k: self.registry.restore(v) for k, v in dct["subprocess_specs"].items()}
        return spec, subs


def pack_state(text: str) -> bytes:
    """Stored state is compressed (about 5×): a step then rewrites one database page, not a chain of
    overflow pages, which makes SQLite commits and checkpoints cheaper."""
    return zlib.compress(text.encode(), 1)


def unpack_state(stored: bytes) -> str:
    return zlib.decompress(stored).decode()

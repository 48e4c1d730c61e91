"""Parsed process specs, restored once per process version and shared by every instance on it."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import ProcessVersion
from .serialization import WorkflowSerializer

Specs = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]


class SpecCache:
    """A bounded LRU of restored specs by process version id (specs are immutable once deployed)."""

    def __init__(self, serializer: WorkflowSerializer, size: int = 256) -> None:
        self._serializer = serializer
        self._size = size
        self._items: OrderedDict[int, Specs] = OrderedDict()
        self._lock = Lock()

    def get(self, db: Session | Connection, version_id: int) -> Specs:
        with self._lock:
            if version_id in self._items:
                self._items.move_to_end(version_id)
                return self._items[version_id]
        spec_json = db.execute(
            select(ProcessVersion.spec_json).where(ProcessVersion.id == version_id)
        ).scalar()
        if spec_json is None:
            raise NotFound(f"process version {version_id} does not exist")
        specs = self._serializer.load_specs(spec_json)
        with self._lock:
            self._items[version_id] = specs
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return specs

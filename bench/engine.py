"""Raw SpiffWorkflow in memory against the same work through ``engine/`` on SQLite.

Prints one JSON object (the last line of output):
  raw_start_per_s      new workflow → first user task, in memory
  engine_start_per_s   start_instance: the same, plus the instance row, task index and history written
  raw_step_ms          deserialize → complete a user task → engine steps → serialize (spec by reference)
  engine_step_ms       complete_task: the same, plus load/save, optimistic lock, index and history
  start_ratio          raw ÷ engine (starts per second)
  step_ratio           engine ÷ raw (milliseconds per step)

Usage: python bench/engine.py [--n 1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import bootstrap, complete_task, deploy_paths, start_instance  # noqa: E402
from engine.serialization import WorkflowSerializer  # noqa: E402
from engine.services import ServiceRegistry  # noqa: E402

BPMN = Path(__file__).with_name("bench_process.bpmn")
PROCESS = "bench_process"
STEP_DATA = {"approved": True, "note": "ok"}


class Raw:
    """SpiffWorkflow alone, in memory: the ceiling the engine is measured against."""

    def __init__(self) -> None:
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_files([str(BPMN)])
        self.spec, self.subs = parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)
        self.serializer = WorkflowSerializer()
        self.states: list[str] = []

    def start(self) -> None:
        wf = BpmnWorkflow(self.spec, self.subs)
        wf.do_engine_steps()
        self.states.append(wf)

    def step(self, i: int) -> None:
        wf = self.serializer.load_workflow(self.states[i], self.spec, self.subs)
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(**STEP_DATA)
        task.run()
        wf.do_engine_steps()
        self.serializer.dump_workflow(wf)


class Engine:
    """The same work through engine/ on SQLite, with the task index and the history written."""

    def __init__(self, folder: str) -> None:
        self.ctx = bootstrap(f"sqlite:///{folder}/bench.db", ServiceRegistry(), upgrade=True)
        deploy_paths(self.ctx, [BPMN])
        self.tasks: list[str] = []

    def start(self) -> None:
        result = start_instance(self.ctx, PROCESS, f"BK-{len(self.tasks)}", "62001", {})
        self.tasks.append(result.open_tasks[0].id)

    def step(self, i: int) -> None:
        complete_task(self.ctx, self.tasks[i], STEP_DATA, user="bench")


def timed(action, count: int, first: int = 0) -> list[float]:
    times = []
    for i in range(first, first + count):
        t0 = time.perf_counter()
        action(i) if action.__code__.co_argcount > 1 else action()
        times.append(time.perf_counter() - t0)
    return times


def measure(n: int, batch: int = 50) -> dict[str, float]:
    """Raw and engine alternate in batches, so both see the same machine (2 cores, other load)."""
    raw = Raw()
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(folder)
        starts = {"raw": [], "engine": []}
        steps = {"raw": [], "engine": []}
        for first in range(0, n, batch):
            count = min(batch, n - first)
            starts["raw"] += timed(raw.start, count)
            starts["engine"] += timed(engine.start, count)
        raw.states = [raw.serializer.dump_workflow(wf) for wf in raw.states]
        for first in range(0, n, batch):
            count = min(batch, n - first)
            steps["raw"] += timed(raw.step, count, first)
            steps["engine"] += timed(engine.step, count, first)
        engine.ctx.db.dispose()
    return {
        "raw_start_per_s": 1 / statistics.mean(starts["raw"]),
        "engine_start_per_s": 1 / statistics.mean(starts["engine"]),
        "raw_step_ms": statistics.mean(steps["raw"]) * 1000,
        "engine_step_ms": statistics.mean(steps["engine"]) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="instances to start and step")
    args = parser.parse_args()
    measure(min(args.n, 100))  # warm up imports and caches
    m = measure(args.n)
    result = {
        "n": args.n,
        "raw_start_per_s": round(m["raw_start_per_s"], 1),
        "engine_start_per_s": round(m["engine_start_per_s"], 1),
        "raw_step_ms": round(m["raw_step_ms"], 3),
        "engine_step_ms": round(m["engine_step_ms"], 3),
        "start_ratio": round(m["raw_start_per_s"] / m["engine_start_per_s"], 2),
        "step_ratio": round(m["engine_step_ms"] / m["raw_step_ms"], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

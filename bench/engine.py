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


def raw(n: int) -> tuple[float, float]:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(BPMN)])
    spec, subs = parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)
    serializer = WorkflowSerializer()

    started = time.perf_counter()
    states = []
    for _ in range(n):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        states.append(wf)
    start_s = time.perf_counter() - started
    states = [serializer.dump_workflow(wf) for wf in states]

    step_times = []
    for state in states:
        t0 = time.perf_counter()
        wf = serializer.load_workflow(state, spec, subs)
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(**STEP_DATA)
        task.run()
        wf.do_engine_steps()
        serializer.dump_workflow(wf)
        step_times.append(time.perf_counter() - t0)
    return n / start_s, statistics.mean(step_times) * 1000


def through_engine(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        ctx = bootstrap(f"sqlite:///{folder}/bench.db", ServiceRegistry(), upgrade=True)
        deploy_paths(ctx, [BPMN])
        started = time.perf_counter()
        first_tasks = []
        for i in range(n):
            result = start_instance(ctx, PROCESS, f"BK-{i}", "62001", {})
            first_tasks.append(result.open_tasks[0].id)
        start_s = time.perf_counter() - started
        step_times = []
        for task_id in first_tasks:
            t0 = time.perf_counter()
            complete_task(ctx, task_id, STEP_DATA, user="bench")
            step_times.append(time.perf_counter() - t0)
        ctx.db.dispose()
    return n / start_s, statistics.mean(step_times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="instances to start and step")
    args = parser.parse_args()
    raw(min(args.n, 50))  # warm up imports and caches
    raw_start, raw_step = raw(args.n)
    engine_start, engine_step = through_engine(args.n)
    result = {
        "n": args.n,
        "raw_start_per_s": round(raw_start, 1),
        "engine_start_per_s": round(engine_start, 1),
        "raw_step_ms": round(raw_step, 3),
        "engine_step_ms": round(engine_step, 3),
        "start_ratio": round(raw_start / engine_start, 2),
        "step_ratio": round(engine_step / raw_step, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

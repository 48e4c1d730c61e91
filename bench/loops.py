"""A case that goes round a loop with a person in it: is the thousandth turn as cheap as the first?

Prints one JSON object (the last line of output):
  turns              completions of the looping user task
  first_turns_ms     median step time of turns 10–40
  last_turns_ms      median step time of the last 30 turns
  ratio              last ÷ first (1.0 = flat)
  tasks_kept         tasks held in the saved workflow at the end (finished history is dropped)
  still_running      the instance is still running (SpiffWorkflow alone ends it "completed" at turn 500)

Usage: python bench/loops.py [--turns 1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import bootstrap, complete_task, deploy, get_instance, start_instance  # noqa: E402
from engine.services import ServiceRegistry  # noqa: E402
from engine.steps import load  # noqa: E402

LOOP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://ansinh.bench">
  <bpmn:process id="user_loop" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="officer" name="officer">
      <bpmn:flowNodeRef>check</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="check" name="Check" />
    <bpmn:exclusiveGateway id="again" default="f_end" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f_check" sourceRef="check" targetRef="again" />
    <bpmn:sequenceFlow id="f_back" sourceRef="again" targetRef="check">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_end" sourceRef="again" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ctx = bootstrap(f"sqlite:///{folder}/loops.db", ServiceRegistry(), upgrade=True)
        deploy(ctx, {"loop.bpmn": LOOP})
        step = start_instance(ctx, "user_loop", "BK-loop", "62001")
        seconds = []
        for _ in range(args.turns):
            (task,) = step.open_tasks
            began = time.perf_counter()
            step = complete_task(ctx, task.id, {"again": True})
            seconds.append(time.perf_counter() - began)
        with ctx.db.read() as session:
            kept = len(load(ctx, session.connection(), step.instance_id).workflow.tasks)
        first, last = statistics.median(seconds[10:40]) * 1000, statistics.median(seconds[-30:]) * 1000
        result = {
            "turns": args.turns,
            "first_turns_ms": round(first, 2),
            "last_turns_ms": round(last, 2),
            "ratio": round(last / first, 2),
            "tasks_kept": kept,
            "still_running": get_instance(ctx, step.instance_id).status == "running",
        }
        ctx.db.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Long-lived loops: never ended by accident, and no dearer on their thousandth turn than on their first.

SpiffWorkflow keeps every task an instance ever ran in one tree, one level deeper per step of a loop, and
its tree searches stop at depth 1,000: past ~500 turns of a loop the ready task is no longer found and the
instance looks completed, and every turn costs more than the last because the whole history is walked
and stored. So: the searches here go as deep as the tree is (``MAX_TREE_DEPTH``, the step's CPU budget
bounds it anyway); ``reached_end`` checks every task, flat, before a workflow is believed to be
completed; and ``compact`` drops the finished history above the point where every unfinished task
branches off, once a (sub)workflow holds more than ``KEEP_TASKS`` tasks. The case history lives in our
own history table, not in the workflow, so nothing that anyone reads is lost.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator, TaskState

MAX_TREE_DEPTH = 1_000_000
KEEP_TASKS = 200

# TaskIterator(task, end_at_spec=None, max_depth=1000, …) and BpmnTaskIterator, which passes its own
# default of 1000 to it: every search in the library uses one of the two defaults.
for _iterator in (TaskIterator, BpmnTaskIterator):
    _defaults = list(_iterator.__init__.__defaults__)
    _defaults[1] = MAX_TREE_DEPTH
    _iterator.__init__.__defaults__ = tuple(_defaults)


def _workflows(workflow: BpmnWorkflow) -> list:
    return [workflow, *workflow.subprocesses.values()]


def unfinished_tasks(workflow: BpmnWorkflow) -> list:
    """Every task not yet finished, in the workflow and its subprocesses (a flat scan, no depth limit)."""
    return [
        task
        for wf in _workflows(workflow)
        for task in wf.tasks.values()
        if task.state & TaskState.NOT_FINISHED_MASK
    ]


def compact(workflow: BpmnWorkflow) -> int:
    """Drop the finished history of every (sub)workflow grown past KEEP_TASKS; returns tasks dropped."""
    dropped = 0
    for wf in _workflows(workflow):
        if len(wf.tasks) > KEEP_TASKS:
            dropped += _compact_one(workflow, wf)
    return dropped


def _compact_one(top: BpmnWorkflow, wf) -> int:
    root = wf.task_tree
    unfinished = [t for t in wf.tasks.values() if t.state & TaskState.NOT_FINISHED_MASK]
    if root is None or not unfinished:
        return 0
    keep_from = _deepest_common_ancestor(unfinished)
    if keep_from is None or keep_from is root or keep_from.parent is root:
        return 0
    kept = {root.id}
    stack = [keep_from]
    while stack:
        task = stack.pop()
        kept.add(task.id)
        stack.extend(task.children)
    gone = [task_id for task_id in wf.tasks if task_id not in kept]
    for task_id in gone:
        del wf.tasks[task_id]
        top.subprocesses.pop(task_id, None)  # a finished subprocess hanging off a dropped task
    keep_from.parent = root
    root._children = [keep_from.id]
    if wf.last_task is not None and wf.last_task.id not in kept:
        wf.last_task = keep_from
    return len(gone)


def _deepest_common_ancestor(tasks: list):
    """The deepest task that is ``tasks``' ancestor-or-self for all of them."""
    common: list | None = None
    for task in tasks:
        path, node = [], task
        while node is not None:
            path.append(node)
            node = node.parent
        path.reverse()
        if common is None:
            common = path
        else:
            length = 0
            for mine, theirs in zip(common, path, strict=False):
                if mine is not theirs:
                    break
                length += 1
            common = common[:length]
    return common[-1] if common else None

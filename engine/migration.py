"""Moving running instances to a newer version of their process (SpiffWorkflow.bpmn.util.diff).

An instance can move when every step it stands at — its open tasks, the timers and messages it waits
for, the subprocesses it is inside — exists in the new version; the rest stay where they are. Each move
is one transaction with an ``instance_migrated`` entry in the instance's history, and the open-task rows
take the new version's names, roles and forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from sqlalchemy import select, update

from .clock import running_at
from .context import EngineContext
from .errors import NotFound, ValidationError
from .models import Instance, OpenTask, ProcessVersion
from .steps import _ready_user_tasks, load, save

_WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass(frozen=True)
class MigrationCheck:
    instance_id: int
    business_key: str
    from_version: int
    waiting_at: list[str]  # bpmn ids of the steps it stands at
    blockers: list[str]  # why it cannot move; empty: it can

    @property
    def can_move(self) -> bool:
        return not self.blockers


@dataclass(frozen=True)
class MigrationResult:
    to_version: int
    moved: list[int]
    refused: dict[int, list[str]]


@dataclass(frozen=True)
class _Target:
    id: int
    version: int


def target_version(ctx: EngineContext, process_key: str, version: int | None) -> _Target:
    """The given version of a process, or its newest when ``version`` is None."""
    with ctx.db.read() as session:
        query = select(ProcessVersion.id, ProcessVersion.version).where(
            ProcessVersion.process_key == process_key
        )
        query = query.where(ProcessVersion.version == version) if version else query
        row = session.execute(query.order_by(ProcessVersion.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"process {process_key!r} has no version {version or ''}".rstrip())
    return _Target(*row)


def preview_migration(
    ctx: EngineContext, process_key: str, to_version: int | None = None
) -> list[MigrationCheck]:
    """Every unfinished instance of ``process_key`` on another version, and whether it can move."""
    target = target_version(ctx, process_key, to_version)
    with ctx.db.read() as session:
        rows = session.execute(
            select(Instance.id, Instance.business_key, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == Instance.process_version_id)
            .where(Instance.process_key == process_key, Instance.status != "completed")
            .where(Instance.process_version_id != target.id)
            .order_by(Instance.id)
        ).all()
        new_spec, new_subs = ctx.specs.get(session, target.id)
    checks = []
    with ctx.db.transaction() as conn:
        for instance_id, business_key, from_version in rows:
            workflow = load(ctx, conn, instance_id).workflow
            waiting, blockers = _blockers(ctx, workflow, new_spec, new_subs)
            checks.append(MigrationCheck(instance_id, business_key, from_version, waiting, blockers))
    return checks


def migrate_instances(
    ctx: EngineContext, process_key: str, instance_ids: list[int], to_version: int | None, actor: str | None
) -> MigrationResult:
    """Move each chosen instance that can move; the others are reported with their reasons."""
    target = target_version(ctx, process_key, to_version)
    moved, refused = [], {}
    for instance_id in instance_ids:
        with ctx.db.transaction() as conn:
            loaded = load(ctx, conn, instance_id)
            if loaded.row.process_key != process_key:
                raise ValidationError.single(f"instance {instance_id} runs {loaded.row.process_key!r}")
            if loaded.row.process_version_id == target.id:
                refused[instance_id] = [f"already on version {target.version}"]
                continue
            spec, subs = ctx.specs.get(conn, target.id)
            _, blockers = _blockers(ctx, loaded.workflow, spec, subs)
            if blockers:
                refused[instance_id] = blockers
                continue
            from_version_id = loaded.row.process_version_id
            _move(ctx, loaded.workflow, spec, subs)
            conn.execute(
                update(Instance).where(Instance.id == instance_id).values(process_version_id=target.id)
            )
            now = ctx.now()
            loaded.note(
                now,
                "instance_migrated",
                actor=actor,
                data={"from_version_id": from_version_id, "to_version": target.version},
            )
            save(ctx, conn, loaded, now)
            _rename_open_tasks(conn, loaded.workflow)
            moved.append(instance_id)
    return MigrationResult(target.version, moved, refused)


def _blockers(ctx: EngineContext, workflow, new_spec, new_subs) -> tuple[list[str], list[str]]:
    top, subs = diff_workflow(ctx.serializer.registry, workflow, new_spec, new_subs)
    waiting = sorted(
        {t.task_spec.bpmn_id for wf in (workflow, *workflow.subprocesses.values())
         for t in wf.get_tasks(state=_WAITING, skip_subprocesses=True) if t.task_spec.bpmn_id}
    )  # fmt: skip
    blockers = _stands_at_missing(top)
    for sp_id, diff in subs.items():
        if diff is None:
            name = workflow.subprocesses[sp_id].spec.name
            blockers.append(f"the subprocess {name!r} it is inside is not in the new version")
        else:
            blockers += _stands_at_missing(diff)
    return waiting, blockers


def _stands_at_missing(diff) -> list[str]:
    """Steps the instance stands at that are gone, or are another kind of step, in the new version."""
    found = []
    for task in diff.removed:
        if task.state & _WAITING and task.task_spec.bpmn_id:
            found.append(f"step {task.task_spec.bpmn_id!r} it stands at is not in the new version")
    for task, new_spec in diff.alignment.items():
        if task.state & _WAITING and new_spec is not None and type(new_spec) is not type(task.task_spec):
            found.append(
                f"step {task.task_spec.bpmn_id!r} it stands at is another kind of step in the new version"
            )
    return found


def _move(ctx: EngineContext, workflow, spec, subs) -> None:
    """Re-point every task at the new specs; only READY tasks are re-predicted, so a waiting timer
    keeps its due time instead of starting again."""
    top, sub_diffs = diff_workflow(ctx.serializer.registry, workflow, spec, subs)
    migrate_workflow(top, workflow, spec, reset_mask=TaskState.READY)
    for sp_id, diff in sub_diffs.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(diff, sub, subs.get(sub.spec.name, spec), reset_mask=TaskState.READY)
    workflow.subprocess_specs = subs
    with running_at(ctx.clock):
        workflow.do_engine_steps()


def _rename_open_tasks(conn, workflow) -> None:
    """Open tasks that stayed open take the new version's name, role and form."""
    for task_id, task in _ready_user_tasks(workflow).items():
        spec = task.task_spec
        properties = dict(spec.extensions.get("properties", {}))
        conn.execute(
            update(OpenTask)
            .where(OpenTask.id == task_id)
            .values(
                name=spec.bpmn_name, role=spec.lane, form_key=properties.get("formKey"), properties=properties
            )
        )

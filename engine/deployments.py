"""Deploying BPMN/DMN files as immutable, content-addressed process versions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .bpmn_dialects import exception_message, parser_message
from .bpmn_files import SourceFile, find_problems, read_source
from .context import EngineContext
from .errors import Conflict, NotFound, Problem, ValidationError
from .models import Deployment, Instance, ProcessVersion


@dataclass(frozen=True)
class DeployedProcess:
    key: str
    version: int
    version_id: int
    name: str | None
    created: bool  # False when identical content was deployed before


@dataclass(frozen=True)
class ProcessInfo:
    key: str
    version: int
    version_id: int
    name: str | None
    deployed_at: datetime


def deploy(
    ctx: EngineContext, files: Mapping[str, bytes], deployed_by: str | None = None
) -> list[DeployedProcess]:
    """Validate and store every executable process in ``files``; all or nothing."""
    if not files:
        raise ValidationError.single("no files to deploy")
    sources, problems = _read_all(files)
    problems += find_problems(sources, set(ctx.services))
    if problems:
        raise ValidationError(problems)
    parsed = _parse(sources)
    now = ctx.now()
    bundle_hash = _hash(sorted((s.name, s.content) for s in sources))
    try:
        with ctx.db.write() as session:
            deployment = session.scalar(select(Deployment).where(Deployment.content_hash == bundle_hash))
            if deployment is None:
                deployment = Deployment(
                    content_hash=bundle_hash,
                    files={s.name: s.text for s in sources},
                    deployed_by=deployed_by,
                    deployed_at=now,
                )
                session.add(deployment)
                session.flush()
            results = [_store_version(ctx, session, deployment.id, item, now) for item in parsed]
    except IntegrityError as exc:
        raise Conflict("another deployment of the same process was stored at the same time; retry") from exc
    return results


def check_files(ctx: EngineContext, files: Mapping[str, bytes]) -> list[Problem]:
    """Every problem ``deploy`` would refuse ``files`` for, found in one pass, storing nothing."""
    if not files:
        return [Problem("no files to deploy")]
    sources, problems = _read_all(files)
    problems += find_problems(sources, set(ctx.services))
    if not problems:
        try:
            _parse(sources)
        except ValidationError as exc:
            problems = list(exc.problems)
    return problems


def deploy_paths(ctx: EngineContext, paths: Iterable[str | Path], deployed_by: str | None = None):
    """Deploy files and folders (every .bpmn and .dmn inside) from disk."""
    files: dict[str, bytes] = {}
    for path in map(Path, paths):
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.suffix.lower() in (".bpmn", ".dmn") and candidate.is_file():
                files[candidate.name] = candidate.read_bytes()
            elif not path.is_dir():
                raise ValidationError.single("not a .bpmn or .dmn file", file=str(candidate))
    return deploy(ctx, files, deployed_by)


def list_processes(ctx: EngineContext) -> list[ProcessInfo]:
    """The newest version of every deployed process."""
    with ctx.db.read() as session:
        newest = (
            select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("version"))
            .group_by(ProcessVersion.process_key)
            .subquery()
        )
        rows = session.execute(  # never the spec itself (tens of KB each): an inbox page asks for these
            select(
                ProcessVersion.process_key,
                ProcessVersion.version,
                ProcessVersion.id,
                ProcessVersion.name,
                ProcessVersion.deployed_at,
            )
            .join(
                newest,
                (ProcessVersion.process_key == newest.c.process_key)
                & (ProcessVersion.version == newest.c.version),
            )
            .order_by(ProcessVersion.process_key)
        )
        return [ProcessInfo(*row) for row in rows]


def newest_version_id(db, key: str) -> int:
    version_id = db.execute(
        select(ProcessVersion.id)
        .where(ProcessVersion.process_key == key)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    ).scalar()
    if version_id is None:
        raise NotFound(f"no process with key {key!r} is deployed")
    return version_id


@dataclass(frozen=True)
class _Parsed:
    key: str
    name: str | None
    source_file: str
    content_hash: str
    spec: object
    subprocess_specs: dict


def _read_all(files: Mapping[str, bytes]) -> tuple[list[SourceFile], list[Problem]]:
    sources, problems = [], []
    for name, content in files.items():
        try:
            sources.append(read_source(name, content))
        except ValidationError as exc:
            problems.extend(exc.problems)
    return sources, problems


def _parse(sources: list[SourceFile]) -> list[_Parsed]:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    problems: list[Problem] = []
    for source in sources:
        try:
            if source.kind == "bpmn":
                parser.add_bpmn_xml(source.tree, filename=source.name)
            else:
                parser.add_dmn_xml(source.tree, filename=source.name)
        except ValidationException as exc:
            problems.append(_problem(exc, source.name, source.tree))
        except Exception as exc:  # the library's parser raises plain errors on odd but valid XML
            message, element = exception_message(exc)
            problems.append(Problem(message, file=source.name, element=element))
    if problems:
        raise ValidationError(problems)
    process_ids = parser.get_process_ids()
    if not process_ids:
        raise ValidationError.single('no executable process (isExecutable="true") in the files')
    by_name = {s.name: s for s in sources}
    dmn_content = sorted((s.name, s.content) for s in sources if s.kind == "dmn")
    parsed = []
    for key in process_ids:
        process_parser = parser.get_process_parser(key)
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except ValidationException as exc:
            problems.append(_problem(exc, process_parser.filename, by_name.get(process_parser.filename)))
            continue
        except Exception as exc:
            message, element = exception_message(exc)
            problems.append(Problem(message, file=process_parser.filename, element=element or key))
            continue
        files_used = {process_parser.filename} | {
            parser.get_process_parser(sub).filename
            for sub in subprocess_specs
            if parser.get_process_parser(sub)
        }
        content = sorted((name, by_name[name].content) for name in files_used if name in by_name)
        parsed.append(
            _Parsed(
                key=key,
                name=process_parser.get_name(),
                source_file=process_parser.filename,
                content_hash=_hash([(key.encode(), b""), *content, *dmn_content]),
                spec=spec,
                subprocess_specs=subprocess_specs,
            )
        )
    if problems:
        raise ValidationError(problems)
    return parsed


def _store_version(ctx: EngineContext, session, deployment_id: int, item: _Parsed, now) -> DeployedProcess:
    existing = session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_key == item.key, ProcessVersion.content_hash == item.content_hash
        )
    )
    if existing is not None:
        return DeployedProcess(item.key, existing.version, existing.id, existing.name, created=False)
    latest = session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.process_key == item.key)
    )
    row = ProcessVersion(
        process_key=item.key,
        version=(latest or 0) + 1,
        name=item.name,
        content_hash=item.content_hash,
        deployment_id=deployment_id,
        source_file=item.source_file,
        spec_json=ctx.serializer.dump_specs(item.spec, item.subprocess_specs),
        deployed_at=now,
    )
    session.add(row)
    session.flush()
    return DeployedProcess(item.key, row.version, row.id, row.name, created=True)


def _problem(exc: ValidationException, default_file: str | None, tree=None) -> Problem:
    line = exc.line_number if isinstance(exc.line_number, int) else None
    tree = getattr(tree, "tree", tree)
    return Problem(
        parser_message(str(exc.args[0]) if exc.args else str(exc), exc.id or None, tree),
        file=exc.file_name or default_file,
        element=exc.id or None,
        line=line,
    )


def _hash(parts: Iterable[tuple]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        for piece in part:
            data = piece if isinstance(piece, bytes) else str(piece).encode()
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def instance_source(ctx: EngineContext, instance_id: int) -> str:
    """The BPMN XML of the process version an instance runs on (what a diagram viewer shows)."""
    with ctx.db.read() as session:
        row = session.execute(
            select(Deployment.files, ProcessVersion.source_file)
            .join(ProcessVersion, ProcessVersion.deployment_id == Deployment.id)
            .join(Instance, Instance.process_version_id == ProcessVersion.id)
            .where(Instance.id == instance_id)
        ).first()
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    files, source_file = row
    return files[source_file]


def step_names(ctx: EngineContext, instance_id: int) -> dict[str, str]:
    """bpmn id → name of every step of the process version an instance runs on (for timelines)."""
    return {s.bpmn_id: s.bpmn_name for s in _task_specs(ctx, instance_id) if getattr(s, "bpmn_name", None)}


def step_forms(ctx: EngineContext, instance_id: int) -> dict[str, str]:
    """bpmn id → form key of every user task of the process version an instance runs on (a timeline
    labels the values entered at a step with its form's labels)."""
    found = {}
    for s in _task_specs(ctx, instance_id):
        form_key = s.extensions.get("properties", {}).get("formKey") if hasattr(s, "extensions") else None
        if form_key:
            found[s.bpmn_id] = form_key
    return found


def _task_specs(ctx: EngineContext, instance_id: int) -> list:
    with ctx.db.read() as session:
        version_id = session.scalar(select(Instance.process_version_id).where(Instance.id == instance_id))
        if version_id is None:
            raise NotFound(f"instance {instance_id} does not exist")
        spec, subprocess_specs = ctx.specs.get(session, version_id)
    return [
        task_spec
        for process in (spec, *subprocess_specs.values())
        for task_spec in process.task_specs.values()
        if getattr(task_spec, "bpmn_id", None)
    ]


_STEPS_BY_ROLE = "steps_by_role"  # (newest version ids, the answer), in ctx.extensions


def steps_by_role(ctx: EngineContext) -> dict[str, list[tuple[str, str]]]:
    """role → [(bpmn id, name)] of the user tasks in the newest version of every process: what an
    inbox's step filter offers, found in the specs rather than by scanning open tasks."""
    processes = list_processes(ctx)
    versions = tuple(info.version_id for info in processes)
    cached = ctx.extensions.get(_STEPS_BY_ROLE)
    if cached is not None and cached[0] == versions:  # every inbox page asks; versions rarely change
        return cached[1]
    steps: dict[str, dict[str, str]] = {}
    with ctx.db.read() as session:
        for info in processes:
            spec, subprocess_specs = ctx.specs.get(session, info.version_id)
            for process in (spec, *subprocess_specs.values()):
                for task_spec in process.task_specs.values():
                    if getattr(task_spec, "manual", False) and task_spec.lane:
                        steps.setdefault(task_spec.lane, {})[task_spec.bpmn_id] = (
                            task_spec.bpmn_name or task_spec.bpmn_id
                        )
    found_by_role = {role: sorted(found.items(), key=lambda s: s[1]) for role, found in steps.items()}
    ctx.extensions[_STEPS_BY_ROLE] = (versions, found_by_role)
    return found_by_role

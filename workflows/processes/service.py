"""The administrators' process work: versions, drafts, validation and deployment from the modeler.

Plain functions over the engine context (the web pages, the CLI and the REST API call the same ones).
Validation is the engine's own refusal (safety, dialects, parsing) plus An Sinh's rules (``rules``),
all problems in one pass; deploying runs the same checks again, so nothing reaches the engine that the
modeler would have marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from engine import EngineContext, history
from engine.bpmn_files import read_source
from engine.deployments import DeployedProcess, check_files, deploy
from engine.errors import NotFound, Problem, ValidationError
from engine.models import Deployment, Instance, ProcessVersion

from ..forms.registry import FORMS
from ..org.models import ROLES
from .models import ProcessDraft
from .rules import rule_problems


@dataclass(frozen=True)
class VersionRow:
    version: int
    version_id: int
    deployed_by: str | None
    deployed_at: datetime
    content_hash: str
    open_cases: int


@dataclass(frozen=True)
class ProcessRow:
    key: str
    name: str | None
    versions: list[VersionRow]  # newest first
    draft_saved_at: datetime | None


@dataclass(frozen=True)
class Document:
    """What the modeler edits: one BPMN file of a process, with the files deployed beside it."""

    key: str
    base_version: int  # 0 for a process not deployed yet
    file_name: str
    xml: str
    companions: dict[str, str]  # the other files of its deployment (DMN tables, called processes)
    is_draft: bool


@dataclass(frozen=True)
class Deployed:
    key: str
    version: int
    created: bool


def catalog(ctx: EngineContext) -> dict[str, list[str]]:
    """The names the modeler offers and the lint rules check: roles, forms, service operators."""
    return {"roles": sorted(ROLES), "forms": sorted(FORMS), "operators": sorted(ctx.services)}


def list_process_versions(ctx: EngineContext) -> list[ProcessRow]:
    with ctx.db.read() as session:
        open_cases = dict(
            session.execute(
                select(Instance.process_version_id, func.count())
                .where(Instance.status != "completed")
                .group_by(Instance.process_version_id)
            ).all()
        )
        rows = session.execute(
            select(
                ProcessVersion.process_key, ProcessVersion.name, ProcessVersion.version, ProcessVersion.id,
                Deployment.deployed_by, ProcessVersion.deployed_at, ProcessVersion.content_hash,
            )
            .join(Deployment, Deployment.id == ProcessVersion.deployment_id)
            .order_by(ProcessVersion.process_key, ProcessVersion.version.desc())
        ).all()  # fmt: skip
        drafts = dict(session.execute(select(ProcessDraft.process_key, ProcessDraft.saved_at)).all())
    processes: dict[str, ProcessRow] = {}
    for key, name, number, version_id, deployed_by, deployed_at, content_hash in rows:
        row = processes.setdefault(key, ProcessRow(key, name, [], drafts.get(key)))
        row.versions.append(
            VersionRow(
                number, version_id, deployed_by, deployed_at, content_hash, open_cases.get(version_id, 0)
            )
        )
    return list(processes.values())


def open_document(ctx: EngineContext, key: str, version: int | None = None) -> Document:
    """A version's BPMN (the newest when ``version`` is None, or the saved draft if there is one)."""
    with ctx.db.read() as session:
        draft = None
        if version is None:
            draft = session.execute(
                select(ProcessDraft.base_version, ProcessDraft.source_file, ProcessDraft.xml).where(
                    ProcessDraft.process_key == key
                )
            ).first()
        query = select(ProcessVersion.version, ProcessVersion.source_file, Deployment.files).join(
            Deployment, Deployment.id == ProcessVersion.deployment_id
        )
        query = query.where(ProcessVersion.process_key == key)
        if version is not None:
            query = query.where(ProcessVersion.version == version)
        found = session.execute(query.order_by(ProcessVersion.version.desc()).limit(1)).first()
    if draft is not None:
        companions = {n: x for n, x in (found[2] if found else {}).items() if n != draft.source_file}
        return Document(key, draft.base_version, draft.source_file, draft.xml, companions, True)
    if found is None:
        raise NotFound(f"process {key!r} has no version {version or ''}".rstrip())
    number, source_file, files = found
    companions = {n: x for n, x in files.items() if n != source_file}
    return Document(key, number, source_file, files[source_file], companions, False)


def validate(ctx: EngineContext, key: str, xml: str) -> list[Problem]:
    """Every problem with the edited BPMN of ``key`` deployed with its companions, in one pass."""
    files = _files(ctx, key, xml)
    problems = check_files(ctx, files)
    source_name = next(iter(files))
    try:
        tree = read_source(source_name, files[source_name]).tree
    except ValidationError:
        return problems
    known = catalog(ctx)
    problems += rule_problems(source_name, tree, known["roles"], known["forms"])
    return problems


def check_upload(ctx: EngineContext, files: dict[str, bytes]) -> list[Problem]:
    """Every problem with uploaded .bpmn/.dmn files as one deployment, in one pass, storing nothing: the
    engine's refusals, then An Sinh's rules on each BPMN file that could be read."""
    problems = check_files(ctx, files)
    known = catalog(ctx)
    for name, content in files.items():
        if not name.lower().endswith(".bpmn"):
            continue
        try:
            tree = read_source(name, content).tree
        except ValidationError:
            continue  # check_files has named it
        problems += rule_problems(name, tree, known["roles"], known["forms"])
    return problems


def deploy_upload(ctx: EngineContext, files: dict[str, bytes], actor: str | None) -> list[DeployedProcess]:
    """Deploy uploaded files when they pass every check (``check_upload``), all or nothing."""
    problems = check_upload(ctx, files)
    if problems:
        raise ValidationError(problems)
    results = deploy(ctx, files, deployed_by=actor)
    for result in results:
        _record(ctx, "process_deployed", actor, {"process": result.key, "version": result.version,
                                                  "new": result.created})  # fmt: skip
    return results


def save_draft(ctx: EngineContext, key: str, xml: str, base_version: int, actor: str | None) -> datetime:
    """Keep the administrator's work; recorded in the history (the XML itself stays in the draft)."""
    document = _base(ctx, key)
    now = ctx.now()
    with ctx.db.write() as session:
        draft = session.get(ProcessDraft, key)
        if draft is None:
            draft = ProcessDraft(process_key=key, source_file=document.file_name)
            session.add(draft)
        draft.xml, draft.base_version, draft.saved_by, draft.saved_at = xml, base_version, actor, now
    _record(ctx, "process_draft_saved", actor, {"process": key, "base_version": base_version})
    return now


def discard_draft(ctx: EngineContext, key: str, actor: str | None) -> None:
    with ctx.db.write() as session:
        session.execute(delete(ProcessDraft).where(ProcessDraft.process_key == key))
    _record(ctx, "process_draft_discarded", actor, {"process": key})


def deploy_process(ctx: EngineContext, key: str, xml: str, actor: str | None) -> Deployed:
    """Deploy the edited BPMN as a new version when it passes every check; running cases stay on theirs."""
    problems = validate(ctx, key, xml)
    if problems:
        raise ValidationError(problems)
    results = deploy(ctx, _files(ctx, key, xml), deployed_by=actor)
    result = next((r for r in results if r.key == key), None)
    if result is None:
        raise ValidationError.single(f"the file no longer holds the process {key!r}")
    with ctx.db.write() as session:
        session.execute(delete(ProcessDraft).where(ProcessDraft.process_key == key))
    _record(
        ctx, "process_deployed", actor, {"process": key, "version": result.version, "new": result.created}
    )
    return Deployed(key, result.version, result.created)


def _base(ctx: EngineContext, key: str) -> Document:
    try:
        return open_document(ctx, key)
    except NotFound:
        return Document(key, 0, f"{key}.bpmn", "", {}, False)


def _files(ctx: EngineContext, key: str, xml: str) -> dict[str, bytes]:
    document = _base(ctx, key)
    files = {document.file_name: xml.encode("utf-8")}
    files.update({name: text.encode("utf-8") for name, text in document.companions.items()})
    return files


def _record(ctx: EngineContext, kind: str, actor: str | None, data: dict) -> None:
    with ctx.db.transaction() as conn:
        history.record(conn, ctx.now(), kind, actor=actor, data=data)

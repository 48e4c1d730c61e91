"""Processes as administrators change them: versions, drafts, validation, deployment, moving cases."""

from __future__ import annotations

from engine.migration import MigrationCheck, MigrationResult, migrate_instances, preview_migration

from .service import (
    Deployed,
    Document,
    ProcessRow,
    VersionRow,
    catalog,
    check_upload,
    deploy_process,
    deploy_upload,
    discard_draft,
    list_process_versions,
    open_document,
    save_draft,
    validate,
)

__all__ = [
    "Deployed",
    "Document",
    "MigrationCheck",
    "MigrationResult",
    "ProcessRow",
    "VersionRow",
    "catalog",
    "check_upload",
    "deploy_process",
    "deploy_upload",
    "discard_draft",
    "list_process_versions",
    "migrate_instances",
    "open_document",
    "preview_migration",
    "save_draft",
    "validate",
]

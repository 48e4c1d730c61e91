"""One app per database for all the API tests (building one deploys the BPMN and loads the areas), a few
people with payouts to make, and a client that calls the API with a token."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import BACKENDS, fresh_database
from tests.web.demo_app import CITY, COMMUNE_A, build_app
from workflows import payouts
from workflows.apiaccess import SCOPES, create_token
from workflows.demo import bulk

ALL_SCOPES = sorted(SCOPES)


@pytest.fixture(scope="package", params=BACKENDS)
def app(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("api")) as url:
        app = build_app(url)
        app.months = iter(range(18))
        ctx = app.extensions["ansinh"]
        with ctx.db.transaction() as conn:
            bulk.add_beneficiaries(conn, [COMMUNE_A], 6, app.clock())
        yield app
        ctx.db.dispose()


class ApiClient:
    """The Flask test client with a bearer token and a language."""

    def __init__(self, app, token: str, language: str = "vi") -> None:
        self.client, self.token, self.language = app.test_client(), token, language

    def headers(self, extra: dict | None = None) -> dict:
        return {"Authorization": f"Bearer {self.token}", "Accept-Language": self.language, **(extra or {})}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json=None, key: str | None = None, **kwargs):
        extra = {"Idempotency-Key": key} if key else {}
        return self.client.post(
            path, json=json, headers=self.headers({**extra, **kwargs.pop("headers", {})}), **kwargs
        )


@pytest.fixture(scope="package")
def token_for(app):
    """A new token for ``username`` (all scopes unless given), or for a system acting for an agency."""
    ctx = app.extensions["ansinh"]

    def make(
        username: str | None = None, scopes=ALL_SCOPES, system: str | None = None, agency=None, days: int = 30
    ):
        expires = app.clock() + timedelta(days=days)
        return create_token(
            ctx,
            "test",
            list(scopes),
            expires,
            "admin",
            username=username,
            system_name=system,
            agency_code=agency,
        )

    return make


@pytest.fixture(scope="package")
def api(app, token_for):
    """An API client for ``username`` (a new token each time)."""
    return lambda username, language="vi", **kw: ApiClient(app, token_for(username, **kw).secret, language)


@pytest.fixture
def funded_cycle(app):
    """A new cycle of the city, funded by the treasury: the provider's results are due."""
    ctx = app.extensions["ansinh"]
    index = next(app.months)
    cycle_id = payouts.start_cycle(ctx, CITY, date(2024 + index // 12, index % 12 + 1, 1)).cycle_id
    payouts.do_step(ctx, cycle_id, "approve_list", {"decision": "approve"})
    total = payouts.get_cycle(ctx, cycle_id).total_amount
    payouts.do_step(
        ctx,
        cycle_id,
        "confirm_transfer",
        {"transfer_reference": "KB-1", "transfer_date": "2024-03-05", "transfer_amount": total},
    )
    return cycle_id

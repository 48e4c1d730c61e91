from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from engine import bootstrap, deploy_paths
from engine.services import ServiceCall, ServiceRegistry
from tests.conftest import FIXTURES


@dataclass
class EchoService:
    """The fixture's ``echo`` operator: returns its parameters, or fails while ``failures`` > 0."""

    failures: int = 0
    calls: list[ServiceCall] = field(default_factory=list)

    def __call__(self, call: ServiceCall) -> dict:
        self.calls.append(call)
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("the echo service is down")
        return {"echo": call.params["value"], "case": call.business_key}


@pytest.fixture
def echo() -> EchoService:
    return EchoService()


@pytest.fixture
def ctx(database_url, clock, echo):
    registry = ServiceRegistry()
    registry.handler("echo")(echo)
    context = bootstrap(database_url, registry, clock=clock, upgrade=True)
    yield context
    context.db.dispose()


@pytest.fixture
def fixture_ctx(ctx):
    """An engine context with the fixture processes deployed."""
    deploy_paths(
        ctx,
        [
            FIXTURES / "engine_fixture.bpmn",
            FIXTURES / "engine_subprocess.bpmn",
            FIXTURES / "classify_amount.dmn",
        ],
    )
    return ctx

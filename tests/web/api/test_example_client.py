"""The provider's example client (examples/provider_client.py) against the real app: its network is the
Flask test client, and the first answer to each POST is lost on the way back, as a timeout would lose it.
The retry carries the same Idempotency-Key, so every result is applied once."""

from __future__ import annotations

import importlib.util
import io
import json

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("provider_client", ROOT / "examples" / "provider_client.py")
provider_client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(provider_client)


class OverTestClient(provider_client.AnSinh):
    def __init__(self, app, token: str) -> None:
        super().__init__("", token)
        self.client, self.lost, self.posts = app.test_client(), set(), 0

    def send(self, method, path, data, headers):
        response = self.client.open(path, method=method, data=data, headers=headers)
        if method == "POST":
            self.posts += 1
            if path not in self.lost:  # the server applied it; the answer never reached us
                self.lost.add(path)
                return 503, {}, 0.001
        return response.status_code, response.get_json(), 0.0


def test_the_example_client_pays_a_month_once_despite_a_lost_answer(app, token_for, funded_cycle):
    client = OverTestClient(app, token_for("giang").secret)
    cycle = client.get(f"/api/v1/payout-cycles/{funded_cycle}")
    month = cycle["month"][:7]
    to_pay = provider_client.lines_to_pay(client, funded_cycle)
    out = io.StringIO()
    books = provider_client.run(client, month, None, out=out)
    (mine,) = [b for b in books if b["cycle"] == cycle["business_key"]]
    assert mine["paid_account_lines"] == len(to_pay) > 0 and client.posts == 2  # one lost, one replayed
    assert f"{len(to_pay)} results sent, {len(to_pay)} applied" in out.getvalue()

    again = provider_client.run(client, month, None, out=io.StringIO())  # nothing pending any more
    assert [b for b in again if b["cycle"] == cycle["business_key"]] == [mine]
    assert json.dumps(mine)  # plain JSON, as a provider's system would store it

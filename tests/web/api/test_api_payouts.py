"""Idempotent POSTs and the provider's side of a payout through the API: lines, results line by line or
as a file (twice changes nothing), the reconciliation; and the OpenAPI document with its docs page."""

from __future__ import annotations

import io

from tests.web.demo_app import open_case_at_registration
from tests.workflows.payouts.conftest import results_csv
from workflows import payouts


def test_same_key_same_body_replays_other_body_is_422(app, api):
    task = open_case_at_registration(app, "BN-IDEM-1")
    an = api("an")
    first = an.post(f"/api/v1/tasks/{task.id}/claim", key="claim-1")
    again = an.post(f"/api/v1/tasks/{task.id}/claim", key="claim-1")
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data() and again.headers["Idempotent-Replayed"] == "true"
    other = an.post(f"/api/v1/tasks/{task.id}/complete", json={"data": {}}, key="claim-1")
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"
    # the key is the token's own: another token may use the same words for its own request
    assert api("binh").post(f"/api/v1/tasks/{task.id}/claim", key="claim-1").status_code == 409


def test_a_failed_validation_is_replayed_too_and_json_key_order_does_not_matter(app, api):
    task = open_case_at_registration(app, "BN-IDEM-2")
    an = api("an")
    body = {"data": {"full_name": "Y Thị Hoa"}, "expected_version": None}
    first = an.post(f"/api/v1/tasks/{task.id}/complete", json=body, key="k2")
    reordered = an.post(
        f"/api/v1/tasks/{task.id}/complete",
        key="k2",
        data='{"expected_version": null, "data": {"full_name": "Y Thị Hoa"}}',
        content_type="application/json",
    )
    assert first.status_code == reordered.status_code == 422
    assert reordered.headers.get("Idempotent-Replayed") == "true"


def test_provider_posts_results_twice_and_nothing_changes(app, api, funded_cycle):
    ctx = app.extensions["ansinh"]
    provider = api("giang")
    page = provider.get(f"/api/v1/payout-cycles/{funded_cycle}/lines?method=account").get_json()
    assert page["cccd_masked"] is False and page["lines"]  # the provider sees the numbers it pays
    assert api("dung").get(f"/api/v1/payout-cycles/{funded_cycle}/lines").get_json()["account_masked"] is True
    accounts = page["lines"]
    rows = [
        {"line_id": line["id"], "result": "paid", "reference": f"GD{line['id']}"} for line in accounts[:2]
    ]
    first = provider.post(f"/api/v1/payout-cycles/{funded_cycle}/results", json={"lines": rows}, key="r-1")
    assert first.status_code == 200 and first.get_json()["applied"] == 2, first.get_json()
    books = provider.get(f"/api/v1/payout-cycles/{funded_cycle}/reconciliation").get_json()

    replayed = provider.post(f"/api/v1/payout-cycles/{funded_cycle}/results", json={"lines": rows}, key="r-1")
    assert replayed.get_data() == first.get_data()
    without_key = provider.post(f"/api/v1/payout-cycles/{funded_cycle}/results", json={"lines": rows})
    assert without_key.get_json()["already_imported"] is True
    new_key = provider.post(f"/api/v1/payout-cycles/{funded_cycle}/results", json={"lines": rows}, key="r-2")
    assert new_key.get_json()["already_imported"] is True
    assert provider.get(f"/api/v1/payout-cycles/{funded_cycle}/reconciliation").get_json() == books
    assert books["paid_account_lines"] == 2

    lines = [line for line in payouts.list_lines(ctx, funded_cycle, limit=100) if line.method == "account"]
    content = results_csv(lines[2:])
    for _ in range(2):
        sent = provider.client.post(
            f"/api/v1/payout-cycles/{funded_cycle}/results/file",
            headers=provider.headers(),
            data={"kind": "account", "file": (io.BytesIO(content), "ket-qua.csv")},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["already_imported"] is True
    report = provider.get(f"/api/v1/payout-cycles/{funded_cycle}/imports/{sent.get_json()['id']}").get_json()
    assert len(report["rows"]) == len(lines) - 2 and {r["outcome"] for r in report["rows"]} == {"applied"}
    final = provider.get(f"/api/v1/payout-cycles/{funded_cycle}/reconciliation").get_json()
    assert final["paid_account_lines"] == len(lines)


def test_payout_cycles_are_for_their_roles_only(app, api, funded_cycle):
    assert funded_cycle in {c["id"] for c in api("giang").get("/api/v1/payout-cycles").get_json()}
    assert api("long").get(f"/api/v1/payout-cycles/{funded_cycle}").status_code == 404  # another district
    treasury = api("khanh")
    assert treasury.get(f"/api/v1/payout-cycles/{funded_cycle}").get_json()["roles"] == ["treasury"]
    refused = treasury.post(
        f"/api/v1/payout-cycles/{funded_cycle}/results", json={"lines": [{"line_id": 1, "result": "paid"}]}
    )
    assert refused.status_code == 404  # results are the provider's
    lines_only = api("giang").post(
        f"/api/v1/payout-cycles/{funded_cycle}/results",
        json={"lines": [{"result": "paid"}]},
        headers={"Accept-Language": "en"},
    )
    assert lines_only.status_code == 422 and lines_only.get_json()["errors"][0]["field"] == "lines.0.line_id"


def test_the_openapi_document_and_its_docs_page(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert (
        spec["openapi"].startswith("3.")
        and spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    )
    assert {"/api/v1/tasks/{task_id}/complete", "/api/v1/payout-cycles/{cycle_id}/results"} <= set(
        spec["paths"]
    )
    assert spec["paths"]["/api/v1/tasks/{task_id}/claim"]["post"]["x-required-scope"] == "tasks:write"
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in html and "http" not in html.replace("http-equiv", "")
    bundle = client.get("/assets/swagger-ui-bundle.js")
    bundle.close()
    assert bundle.status_code == 200

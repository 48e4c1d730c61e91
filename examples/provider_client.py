#!/usr/bin/env python3
"""An example client for a payment provider (e.g. the post office), to adapt: it uses only Python's
standard library.

For this month's payout cycles of the provider's district it
  1. fetches the lines to pay (account transfers not yet paid),
  2. posts their results in batches, each with an Idempotency-Key derived from the batch's content, so a
     retry after a lost answer (a timeout, a crash, a 5xx) can never apply a batch twice,
  3. reads the reconciliation (paid + to return + returned = transferred).

    export ANSINH_URL=http://127.0.0.1:5000 ANSINH_TOKEN=ansinh_…   # a token with payouts:read,payouts:write
    python examples/provider_client.py --month 2024-03 --results bank-results.csv
    python examples/provider_client.py --month 2024-03 --all-paid     # a rehearsal: every transfer paid

``bank-results.csv`` is what the bank sent back: columns ``line_id,result,reason,reference`` with result
``paid`` or ``failed``. Lines it does not name are left pending.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from datetime import date

BATCH = 500
RETRIES = 5


class AnSinh:
    """A thin client: JSON in and out, a bearer token, retries that keep the same Idempotency-Key."""

    def __init__(self, base_url: str, token: str, language: str = "en") -> None:
        self.base_url, self.token, self.language = base_url.rstrip("/"), token, language

    def get(self, path: str) -> dict | list:
        return self.call("GET", path)

    def post(self, path: str, body: dict, key: str) -> dict:
        return self.call("POST", path, body, {"Idempotency-Key": key})

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept-Language": self.language,
            "Content-Type": "application/json",
            **(headers or {}),
        }
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(1, RETRIES + 1):
            status, answer, wait = self.send(method, path, data, headers)
            if status < 300:
                return answer
            if status in (429, 502, 503, 504) or (status >= 500 and method == "GET"):
                time.sleep(wait or min(2**attempt, 30))  # the same key on a retried POST: applied once
                continue
            raise ApiError(status, answer)
        raise ApiError(status, answer)

    def send(self, method: str, path: str, data: bytes | None, headers: dict) -> tuple[int, object, float]:
        """One HTTP exchange: (status, decoded JSON, seconds to wait before a retry)."""
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response), 0.0
        except urllib.error.HTTPError as error:
            body = error.read()
            wait = float(error.headers.get("Retry-After") or 0)
            return error.code, json.loads(body) if body else {}, wait
        except (urllib.error.URLError, TimeoutError):
            return 503, {}, 0.0  # not reached the server, or the answer was lost: retry with the same key


class ApiError(Exception):
    def __init__(self, status: int, answer) -> None:
        self.status, self.answer = status, answer
        details = "; ".join(f"{e['field']}: {e['message']}" for e in (answer or {}).get("errors", []))
        super().__init__(f"{status} {(answer or {}).get('message', '')} {details}".strip())


def lines_to_pay(api: AnSinh, cycle_id: int) -> list[dict]:
    """The cycle's account transfers still pending, every page."""
    found, page = [], 1
    while True:
        answer = api.get(
            f"/api/v1/payout-cycles/{cycle_id}/lines?method=account&status=pending&per_page=1000&page={page}"
        )
        found += answer["lines"]
        if not answer["has_next"]:
            return found
        page += 1


def post_results(api: AnSinh, cycle: dict, results: list[dict]) -> list[dict]:
    """Results in batches; each batch's key is its cycle and content, so sending it again is harmless."""
    reports = []
    for start in range(0, len(results), BATCH):
        batch = results[start : start + BATCH]
        digest = hashlib.sha256(json.dumps(batch, sort_keys=True).encode()).hexdigest()[:32]
        key = f"{cycle['business_key']}:{digest}"
        reports.append(
            api.post(f"/api/v1/payout-cycles/{cycle['id']}/results", {"kind": "account", "lines": batch}, key)
        )
    return reports


def read_bank_file(path: str) -> dict[int, dict]:
    with open(path, newline="", encoding="utf-8-sig") as file:
        return {int(row["line_id"]): row for row in csv.DictReader(file)}


def run(api: AnSinh, month: str, bank: dict[int, dict] | None, out=sys.stdout) -> list[dict]:
    """The month's work for every cycle the token's provider pays; returns each cycle's reconciliation."""
    books = []
    for cycle in api.get(f"/api/v1/payout-cycles?month={month}"):
        detail = api.get(f"/api/v1/payout-cycles/{cycle['id']}")
        if "provider" not in detail["roles"]:
            continue
        lines = lines_to_pay(api, cycle["id"])
        results = []
        for line in lines:
            row = (bank or {}).get(line["id"]) if bank is not None else {"result": "paid"}
            if not row:
                continue
            result = {"line_id": line["id"], "result": row["result"]}
            for name in ("reason", "reference"):
                if row.get(name):
                    result[name] = row[name]
            results.append(result)
        reports = post_results(api, cycle, results) if results else []
        balance = api.get(f"/api/v1/payout-cycles/{cycle['id']}/reconciliation")
        applied = sum(r["applied"] for r in reports)
        print(
            f"{cycle['business_key']}: {len(lines)} lines to pay, {len(results)} results sent, "
            f"{applied} applied; transferred {balance['transferred']:,} đ, paid {balance['paid']:,} đ, "
            f"unresolved {balance['unresolved_lines']} lines, balanced: {balance['balanced']}",
            file=out,
        )
        books.append({"cycle": cycle["business_key"], **balance})
    return books


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--month", default=date.today().strftime("%Y-%m"), help="YYYY-MM (default: this month)"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--results", help="the bank's results, CSV: line_id,result,reason,reference")
    source.add_argument("--all-paid", action="store_true", help="a rehearsal: mark every transfer paid")
    args = parser.parse_args()
    api = AnSinh(os.environ.get("ANSINH_URL", "http://127.0.0.1:5000"), os.environ["ANSINH_TOKEN"])
    try:
        run(api, args.month, None if args.all_paid else read_bank_file(args.results))
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

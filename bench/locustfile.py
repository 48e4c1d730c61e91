"""Simulated officers for bench/load_test.py (locust): each logs in as a demo user, reads its inbox,
opens a task and completes it with a valid form, looks at a case — and one provider uploads a results
file and follows its progress bar until done. A lost race on a task (409, someone else completed it) is
a correct answer, counted under its own name; anything else not 2xx/3xx is an error.

The setup file (``ANSINH_LOAD_SETUP``, JSON written by bench/load_test.py) names the users, the
password, the provider and its cycle and results file.
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from pathlib import Path

from locust import HttpUser, between, task

SETUP = json.loads(Path(os.environ["ANSINH_LOAD_SETUP"]).read_text(encoding="utf-8"))
TASK_LINK = re.compile(r'href="/tasks/([0-9a-f-]{36})"')
CASE_LINK = re.compile(r'href="(/cases/[^"/?#]+)"')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
TODAY = SETUP["today"]
USERS = list(SETUP["users"])  # officers with work last: taken first


def _digits(n: int) -> str:
    return f"{uuid.uuid4().int % 10**n:0{n}d}"


def form_for(page: str) -> dict | None:
    """A valid form for the step the page shows (recognised by its fields), or None to leave it."""
    cccd = f"062140{_digits(6)}"  # a woman born in 1940
    account = {"bank_code": "VCB", "account_number": f"1{_digits(9)}"}
    if 'name="consent"' in page:
        return {"full_name": "Y Thị Hoa", "date_of_birth": "1940-05-01", "gender": "female", "has_cccd": "on",
                "cccd": cccd, "phone": "0912345678", "village": "Thôn 1",
                "category_code": "elderly_80_plus_no_pension", "method": "new_account", "mobility": "mobile",
                "consent": "on"}  # fmt: skip
    if 'name="repair_outcome"' in page:
        return {"repair_outcome": "fixed", **account}
    if 'name="account_outcome"' in page:
        return {"account_outcome": "opened", **account}
    if 'name="card_issued_on"' in page:
        return {"card_issued_on": TODAY, "guidance_given": "on"}
    if 'name="issued_on"' in page:
        return {"cccd": cccd, "issued_on": TODAY}
    if 'name="decision"' in page and "approve" in page and 'name="transfer_amount"' not in page:
        return {"decision": "approve"} if 'value="approve"' in page else None
    if 'name="result"' in page and 'value="matched"' in page:
        return {"result": "matched"}
    if 'name="outcome"' in page and 'value="agrees"' in page:
        return {"contact_date": TODAY, "channel": "home_visit", "outcome": "agrees"}
    return None


def login(client, username: str) -> None:
    page = client.get("/login", name="GET /login").text
    data = {"username": username, "password": SETUP["password"], "csrf_token": TOKEN.search(page).group(1)}
    client.post("/login", name="POST /login", allow_redirects=False, data=data)


class Officer(HttpUser):
    weight = 100
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = USERS.pop() if USERS else random.choice(SETUP["users"])
        login(self.client, self.username)

    @task(3)
    def inbox(self) -> None:
        self.client.get("/", name="GET / (inbox)")

    @task(1)
    def case(self) -> None:
        links = CASE_LINK.findall(self.client.get("/", name="GET / (inbox)").text)
        if links:
            self.client.get(random.choice(links), name="GET /cases/[code]")

    @task(4)
    def work(self) -> None:
        tasks = TASK_LINK.findall(self.client.get("/", name="GET / (inbox)").text)
        if not tasks:
            return
        task_id = random.choice(tasks)
        page = self.client.get(f"/tasks/{task_id}", name="GET /tasks/[id]")
        form = form_for(page.text) if page.status_code == 200 else None
        token = TOKEN.search(page.text) if form else None
        if token is None:
            return
        data = {**form, "csrf_token": token.group(1)}
        with self.client.post(
            f"/tasks/{task_id}",
            data=data,
            name="POST /tasks/[id]",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302:
                answer.success()
            elif answer.status_code in (404, 409):  # someone else completed it first: a clear answer
                answer.success()
                self.environment.events.request.fire(
                    request_type="RACE", name="task already done by another", response_time=0,
                    response_length=0, exception=None, context={},
                )  # fmt: skip
            else:
                answer.failure(f"{answer.status_code}: {answer.text[:300]}")


class Provider(HttpUser):
    """Uploads the month's results file once, then follows the progress bar (any worker answers)."""

    weight = 1
    fixed_count = 1
    wait_time = between(1, 1)

    def on_start(self) -> None:
        login(self.client, SETUP["provider"])
        self.status_url = None

    @task
    def results(self) -> None:
        cycle = SETUP["cycle_id"]
        if self.status_url is None:
            page = self.client.get(f"/payouts/{cycle}/imports", name="GET /payouts/[id]/imports").text
            with open(SETUP["results_file"], "rb") as content:
                answer = self.client.post(
                    f"/payouts/{cycle}/imports", name="POST /payouts/[id]/imports (results file)",
                    data={"kind": "account", "csrf_token": TOKEN.search(page).group(1)},
                    files={"file": ("ket-qua.csv", content, "text/csv")}, allow_redirects=False,
                )  # fmt: skip
            self.status_url = answer.headers.get("Location", "") + "/status"
            return
        partial = self.client.get(self.status_url, name="GET /payouts/[id]/imports/[id]/status").text
        if "hx-trigger" not in partial:
            self.environment.events.request.fire(
                request_type="IMPORT", name="results import finished", response_time=0, response_length=0,
                exception=None, context={},
            )  # fmt: skip
            self.stop()

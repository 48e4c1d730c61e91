"""Simulated officers for bench/load_test.py (locust): each logs in as a demo user, reads its inbox,
opens a task and completes it with a valid form, looks at a case — and one provider uploads a results
file and follows its progress bar until done. A lost race on a task (409, someone else completed it) is
a correct answer, counted under its own name; anything else not 2xx/3xx is an error.

The setup file (``ANSINH_LOAD_SETUP``, JSON written by bench/load_test.py) names the users, the
password, the provider and its cycle and results file.

Pacing (``ANSINH_LOAD_PACING``):

- ``office`` (the default): people's pace, taken from the standard benchmarks of people at web and
  form screens, since an officer does not click every two seconds. Between two actions an officer reads
  the page and decides: TPC-W's think time, negative-exponential with a mean of 7 s, cut at 70 s. Before
  sending a form they type it: TPC-C's keying times, 18 s for its largest form (New-Order, about as many
  fields as our registration: name, birth date, gender, CCCD, phone, village, category, account), 3 s for
  its Payment form (here: a choice and a click, such as approve or matched), and 9 s, between the two,
  for a form of a date or an account and a choice or two.
  This gives about 20 requests a second from 100 officers.
- ``clicks``: the old pace, 1-3 s between actions and no typing time (about 45 requests a second from
  100 officers): a stress figure, not an office's day. Both are reported; say which one a figure is.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from pathlib import Path

from locust import FastHttpUser, HttpUser, between, task

SETUP = json.loads(Path(os.environ["ANSINH_LOAD_SETUP"]).read_text(encoding="utf-8"))
TASK_LINK = re.compile(r'href="/tasks/([0-9a-f-]{36})"')
CASE_LINK = re.compile(r'href="(/cases/(?!new")[^"/?#]+)"')  # a case of the inbox, not "open a new case"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
TODAY = SETUP["today"]
USERS = list(SETUP["users"])  # officers with work last: taken first
PACING = os.environ.get("ANSINH_LOAD_PACING", "office")
if PACING not in ("office", "clicks"):
    raise SystemExit(f"ANSINH_LOAD_PACING must be office or clicks, not {PACING!r}")
THINK_MEAN_S, THINK_MAX_S = 7.0, 70.0  # TPC-W's think time: negative exponential, mean 7 s, cut at 70 s
KEYING_S = {"long": 18.0, "medium": 9.0, "short": 3.0}  # TPC-C's keying times: New-Order 18 s, Payment 3 s


def _digits(n: int) -> str:
    return f"{uuid.uuid4().int % 10**n:0{n}d}"


def form_for(page: str) -> tuple[str, dict] | None:
    """A valid form for the step the page shows (recognised by its fields), with its size (how long
    typing it takes), or None to leave it."""
    cccd = f"062140{_digits(6)}"  # a woman born in 1940
    account = {"bank_code": "VCB", "account_number": f"1{_digits(9)}"}
    if 'name="consent"' in page:
        registration = {"full_name": "Y Thị Hoa", "date_of_birth": "1940-05-01", "gender": "female",
                        "has_cccd": "on", "cccd": cccd, "phone": "0912345678", "village": "Thôn 1",
                        "category_code": "elderly_80_plus_no_pension", "method": "new_account",
                        "mobility": "mobile", "consent": "on"}  # fmt: skip
        return "long", registration
    if 'name="repair_outcome"' in page:
        return "medium", {"repair_outcome": "fixed", **account}
    if 'name="account_outcome"' in page:
        return "medium", {"account_outcome": "opened", **account}
    if 'name="card_issued_on"' in page:
        return "medium", {"card_issued_on": TODAY, "guidance_given": "on"}
    if 'name="issued_on"' in page:
        return "medium", {"cccd": cccd, "issued_on": TODAY}
    if 'name="decision"' in page and "approve" in page and 'name="transfer_amount"' not in page:
        return ("short", {"decision": "approve"}) if 'value="approve"' in page else None
    if 'name="result"' in page and 'value="matched"' in page:
        return "short", {"result": "matched"}
    if 'name="outcome"' in page and 'value="agrees"' in page:
        return "medium", {"contact_date": TODAY, "channel": "home_visit", "outcome": "agrees"}
    return None


def login(client, username: str) -> None:
    page = client.get("/login", name="GET /login").text
    data = {"username": username, "password": SETUP["password"], "csrf_token": TOKEN.search(page).group(1)}
    client.post("/login", name="POST /login", allow_redirects=False, data=data)


def think_time(_user) -> float:
    return min(random.expovariate(1 / THINK_MEAN_S), THINK_MAX_S)


class Officer(FastHttpUser):
    """An officer at the office's pace (``office``) or clicking every 1-3 s (``clicks``). FastHttpUser
    (geventhttpclient) is locust's cheaper client; measured here, locust takes 1.2-1.4 ms of CPU a
    request, about 6 % of what a request costs in all, so the client is not what limits the run."""

    weight = 100
    wait_time = think_time if PACING == "office" else between(1, 3)

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
        found = form_for(page.text) if page.status_code == 200 else None
        token = TOKEN.search(page.text) if found else None
        if token is None:
            return
        size, form = found
        if PACING == "office":
            time.sleep(KEYING_S[size])  # gevent's sleep under locust: other officers go on meanwhile
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
    """Uploads the month's results file once, then follows the progress bar (any worker answers) and
    then rests. It never stops itself: locust would start a stopped fixed-count user again while the
    officers are still arriving, and upload the file again (31 times in one run)."""

    weight = 1
    fixed_count = 1
    wait_time = between(1, 1)
    status_url: str | None = None  # on the class: one upload per run, whichever instance did it
    finished = False

    def on_start(self) -> None:
        login(self.client, SETUP["provider"])

    @task
    def results(self) -> None:
        cycle = SETUP["cycle_id"]
        if Provider.finished:
            return
        if Provider.status_url is None:
            page = self.client.get(f"/payouts/{cycle}/imports", name="GET /payouts/[id]/imports").text
            with open(SETUP["results_file"], "rb") as content:
                answer = self.client.post(
                    f"/payouts/{cycle}/imports", name="POST /payouts/[id]/imports (results file)",
                    data={"kind": "account", "csrf_token": TOKEN.search(page).group(1)},
                    files={"file": ("ket-qua.csv", content, "text/csv")}, allow_redirects=False,
                )  # fmt: skip
            Provider.status_url = answer.headers.get("Location", "") + "/status"
            return
        partial = self.client.get(Provider.status_url, name="GET /payouts/[id]/imports/[id]/status").text
        if "hx-trigger" not in partial:
            Provider.finished = True
            self.environment.events.request.fire(
                request_type="IMPORT", name="results import finished", response_time=0, response_length=0,
                exception=None, context={},
            )  # fmt: skip

"""Signed-in members browsing the main pages and reading the API lists (run by bench/http_load.py).

`bench/http_load.py` writes the plan this file reads from `BENCH_PLAN` (JSON): the servers to
spread users over, one session key per member, and tomorrow's date for the rides search. Each
user keeps one member's session and one server for its whole life and sends requests back to
back (no think time), so the number of users is the number of requests in flight.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from http_load import API_LISTS, PAGES
from locust import HttpUser, constant, task

with open(os.environ["BENCH_PLAN"], encoding="utf-8") as plan_file:
    PLAN: dict[str, Any] = json.load(plan_file)

_next_user = itertools.count()


class Member(HttpUser):
    wait_time = constant(0)
    # Required by locust; every request below uses an absolute URL on the user's own server.
    host = PLAN["servers"][0]

    def on_start(self) -> None:
        n = next(_next_user)
        self.server = PLAN["servers"][n % len(PLAN["servers"])]
        member = PLAN["members"][n % len(PLAN["members"])]
        self.near = member["near"]
        # The session cookie is marked Secure (DEBUG is off) and we speak plain HTTP on
        # loopback, so it is sent by hand; the header wins over the client's cookie jar.
        self.client.headers["Cookie"] = f"sessionid={member['session']}"

    def _get(self, name: str, path: str) -> None:
        url = self.server + path.format(day=PLAN["day"], near=self.near)
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            # A redirect would mean the session was refused (to the login page): a failure.
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")

    @task(6)
    def page(self) -> None:
        self._get(*random.choice(list(PAGES.items())))

    @task(7)
    def api_list(self) -> None:
        self._get(*random.choice(list(API_LISTS.items())))

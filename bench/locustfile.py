"""The soak's simulated people, for locust: area staff and city officials at work.

Run by soak.py, which signs the sessions in, chooses the pages and passes both in the JSON file
named by SOAK_FIXTURES; every request is written to SOAK_SAMPLES when the run ends. Not meant to
be started by hand.

Staff open their start page, the pilot list filtered to their area, a pilot page, record a
measurement on the run's synthetic pilot (the htmx form post a browser sends, with its CSRF
token) and now and then write a journal entry. Officials open their start page (the city
dashboard), compare pilots, the library and the area pages, and now and then export a CSV.
Everyone thinks 1–5 s between two requests, as people do.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

FIXTURES: dict[str, Any] = json.loads(Path(os.environ["SOAK_FIXTURES"]).read_text())
USER_AGENT = FIXTURES["user_agent"]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Each indicator of a synthetic pilot takes one period per measurement, counted back from today:
# two people never record the same period, so every write is a new row.
_periods: dict[int, Iterator[int]] = defaultdict(lambda: itertools.count(1))
_sessions = {role: itertools.cycle(FIXTURES[role]) for role in ("staff", "officials")}
_samples: list[tuple[str, float, float, str]] = []  # name, started, milliseconds, failure
rng = random.Random()  # noqa: S311 - chooses pages and think time, never a secret


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None = None,
    **kwargs: object,
) -> None:
    started = time.time() - response_time / 1000
    _samples.append((name, started, response_time, "" if exception is None else str(exception)))


@events.quitting.add_listener
def _write_samples(**kwargs: object) -> None:
    Path(os.environ["SOAK_SAMPLES"]).write_text(json.dumps(_samples))


def _problem(response: Any) -> str:
    """What went wrong: the status and where it redirects, or why no answer came."""
    if response.status_code == 0:
        return f"no answer: {response.error!r}"
    return f"HTTP {response.status_code} {response.headers.get('Location', '')}".strip()


class Person(HttpUser):
    """Someone signed in (soak.py signed the session in), browsing with think time."""

    abstract = True
    wait_time = between(1, 5)
    role = ""

    def on_start(self) -> None:
        self.profile: dict[str, Any] = next(_sessions[self.role])
        self.client.headers["User-Agent"] = USER_AGENT
        # A new connection per request, as gunicorn sees it behind the reverse proxy that
        # production needs for HTTPS. Kept alive between think times, a connection meets
        # gunicorn's 2 s keep-alive limit and is sometimes reset as it is reused; browsers then
        # silently send again, which a load generator would count as a failure.
        self.client.headers["Connection"] = "close"
        self.client.cookies.set(FIXTURES["session_cookie"], self.profile["session"])

    def page(self, name: str, path: str, expect: str = "text/html") -> str:
        """GET a page as the signed-in person; anything but a 200 of that type is a failure."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            kind = response.headers.get("Content-Type", "")
            if response.status_code != 200:
                response.failure(_problem(response))
            elif not kind.startswith(expect):
                response.failure(f"answered {kind}, not {expect}")
            return response.text if expect == "text/html" else ""


class Staff(Person):
    """Area staff: their pilots, and a measurement or a journal entry on the synthetic pilot."""

    weight = 3
    role = "staff"

    @task
    def journey(self) -> None:
        area = self.profile["area"]
        self.page("staff: start page", "/")
        self.wait()
        query = rng.choice(FIXTURES["staff_list_queries"]).format(area=area)
        self.page("staff: pilot list, filtered", f"/pilots/?{query}")
        self.wait()
        self.page("staff: pilot page", f"/pilots/{rng.choice(self.profile['pilots'])}/")
        self.wait()
        self.record_measurement()
        if rng.random() < 0.5:
            self.wait()
            self.write_update()

    def record_measurement(self) -> None:
        pilot = self.profile["synthetic"]
        html = self.page("staff: pilot page", f"/pilots/{pilot['slug']}/")
        token = CSRF_FIELD.search(html)
        if token is None:
            return  # the failed page is already counted
        self.wait()
        indicator = rng.choice(pilot["indicators"])
        period_end = dt.date.today() - dt.timedelta(days=next(_periods[indicator]))
        prefix = f"m{indicator}"
        with self.client.post(
            f"/pilots/{pilot['slug']}/indicators/{indicator}/measurements/new/",
            data={
                "csrfmiddlewaretoken": token[1],
                f"{prefix}-period_end": period_end.isoformat(),
                f"{prefix}-value": str(rng.randint(0, 500)),
                f"{prefix}-note": "soak",
                f"{prefix}-version": "",
            },
            headers={
                "HX-Request": "true",
                "HX-Target": f"indicator-{indicator}",
                "HX-Current-URL": f"{self.host}/pilots/{pilot['slug']}/",
            },
            name="staff: record measurement (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "alert-success" not in response.text:
                response.failure(f"{_problem(response)}, not saved")

    def write_update(self) -> None:
        pilot = self.profile["synthetic"]
        path = f"/pilots/{pilot['slug']}/"
        html = self.page("staff: update form", f"{path}updates/new/")
        token = CSRF_FIELD.search(html)
        if token is None:
            return
        self.wait()
        with self.client.post(
            f"{path}updates/new/",
            data={
                "csrfmiddlewaretoken": token[1],
                "kind": rng.choice(["progress", "obstacle", "lesson"]),
                "body": "Soak run: a synthetic journal entry, deleted after the run.",
            },
            name="staff: write update (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or not response.headers.get("Location", "").endswith(
                path
            ):
                response.failure(f"{_problem(response)}, not saved")
        # The browser follows the redirect back to the pilot page.
        self.page("staff: pilot page", path)


class Official(Person):
    """A city official: the dashboard, comparisons, the library, the areas, an export."""

    weight = 2
    role = "officials"

    @task
    def journey(self) -> None:
        self.page("official: start page (city dashboard)", "/")
        self.wait()
        pair = rng.choice(FIXTURES["compare_pairs"])
        self.page("official: compare pilots", f"/compare/?pilots={pair[0]}&pilots={pair[1]}")
        self.wait()
        if rng.random() < 0.3:
            code = rng.choice(FIXTURES["indicator_codes"])
            self.page("official: compare areas on an indicator", f"/compare/?indicator={code}")
            self.wait()
        self.page("official: library", "/library/")
        self.wait()
        self.page("official: areas", "/areas/")
        self.wait()
        self.page("official: area page", f"/areas/{rng.choice(FIXTURES['areas'])}/")
        if rng.random() < 0.2:
            self.wait()
            if rng.random() < 0.75:
                area = rng.choice(FIXTURES["areas"])
                self.page(
                    "official: export CSV (one area)",
                    f"/pilots/export.csv?area={area}",
                    expect="text/csv",
                )
            else:
                self.page(
                    "official: export CSV (all pilots)", "/pilots/export.csv", expect="text/csv"
                )

"""The people of the load test, doing what the pages' scripts do, and what they saw.

A participant joins through the join pages (or comes seeded), opens their partnership and its
first stage, then autosaves one question as static/js/autosave.js does: JSON with the question,
the value, the version it started from, an idempotency key and the cycle, the page's CSRF token
in X-CSRFToken. A save that got no answer or an error stays queued with the same key and goes
again at the next tick (the browser retries every 10 s); a 409 is answered "keep mine"; a 400
fetches a fresh token once. A facilitator signs in and polls the dashboard as
static/js/dashboard.js does: ?since=<stamp> with If-None-Match: W/"d<stamp>".
"""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from load_http import Answer, Browser, Failed
from load_seed import PASSWORD, STAGE, Seat

TEXT = (
    "Разом робимо допомогу безпечнішою: навчання медсестер, спільні обходи, аудит. "
    "Together we make care safer: nurse training, joint rounds, an audit of hand hygiene."
)


def _field(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    if found is None:
        raise LookupError(pattern)
    return html.unescape(found.group(1))


def csrf_of(page: str) -> str:
    return _field(page, r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Record:
    """Latencies by phase and kind, errors, and every acknowledged save."""

    latencies: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[tuple[float, str, str, str]] = field(
        default_factory=list
    )  # when, phase, kind, why
    acked: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # table, question, side, value
    conflicts: int = 0
    saves: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def to_json(self) -> dict[str, Any]:
        return {
            "latencies": [[p, k, v] for (p, k), v in self.latencies.items()],
            "errors": self.errors,
            "acked": self.acked,
            "conflicts": self.conflicts,
            "saves": self.saves,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        record = cls()
        for phase, kind, values in data["latencies"]:
            record.latencies[(phase, kind)] = values
        record.errors = [tuple(e) for e in data["errors"]]  # type: ignore[misc]
        record.acked = [tuple(a) for a in data["acked"]]  # type: ignore[misc]
        record.conflicts = data["conflicts"]
        record.saves.update(data["saves"])
        return record

    def took(self, phase: str, kind: str, answer: Answer) -> None:
        self.latencies[(phase, kind)].append(answer.ms)

    def failed(self, phase: str, kind: str, why: str) -> None:
        self.errors.append((time.monotonic(), phase, kind, why))

    def of(self, phase: str, *kinds: str) -> list[float]:
        out: list[float] = []
        for (p, k), values in self.latencies.items():
            if p == phase and (not kinds or k in kinds):
                out.extend(values)
        return out


class Participant:
    """One person at one table: a browser, a seat, and at most one save in flight."""

    def __init__(self, name: str, seat: Seat, port: int, record: Record) -> None:
        self.name = name
        self.seat = seat
        self.port = port
        self.record = record
        self.browser = Browser(cookies=dict(seat.cookie))
        self.csrf = seat.csrf
        self.url = f"/partnerships/{seat.partnership_id}/answers"
        self.version = 0
        self.cycle = 1
        self.sequence = 0
        self.pending: dict[str, object] | None = None
        self.ready = bool(seat.cookie)
        # The stage page's other scripts (LOAD_PAGE_POLLS): js/live.js and js/presence.js.
        table = f"/partnerships/{seat.partnership_id}"
        self.live_url = f"/tables/{seat.partnership_id}/live"
        self.live_revision = "0"
        self.live_every = 5.0
        self.presence_url = f"{table}/stages/{STAGE}/presence"

    async def _step(
        self, phase: str, kind: str, sending: asyncio.Future[Answer], ok: int
    ) -> Answer:
        try:
            answer = await sending
        except Failed as failure:
            self.record.failed(phase, kind, str(failure))
            raise
        self.record.took(phase, kind, answer)
        if answer.status != ok:
            self.record.failed(phase, kind, f"status {answer.status}")
            raise Failed(f"{kind}: status {answer.status}")
        return answer

    async def join(self, code: str, think: float) -> None:
        """The join pages, then the partnership and its first stage; the whole flow or Failed."""
        b, port, phase = self.browser, self.port, "join"
        page = await self._step(phase, "join page", b.get(port, "/join"), 200)
        await asyncio.sleep(think)
        await self._step(
            phase,
            "join code",
            b.post_form(port, "/join", {"csrf_token": csrf_of(page.text), "code": code}),
            302,
        )
        page = await self._step(phase, "seat page", b.get(port, "/join/details"), 200)
        await asyncio.sleep(think)
        form = {
            "csrf_token": csrf_of(page.text),
            "partnership": self.seat.partnership_id,
            "side": self.seat.side,
            "display_name": self.name,
            "email": "",
        }
        await self._step(phase, "seat", b.post_form(port, "/join/details", form), 200)
        await asyncio.sleep(think)
        table = f"/partnerships/{self.seat.partnership_id}"
        await self._step(phase, "partnership page", b.get(port, table), 200)
        page = await self._step(phase, "stage page", b.get(port, f"{table}/stages/{STAGE}"), 200)
        self.csrf = csrf_of(page.text)
        self.url = _field(page.text, r'data-autosave="([^"]+)"')
        self.cycle = int(_field(page.text, r'data-cycle="(\d+)"'))
        self.version = int(_field(page.text, rf'name="v\.{self.seat.question}" value="(\d+)"'))
        live = re.search(r'<section id="live"[^>]*>', page.text)
        if live:
            self.live_url = _field(live.group(0), r'data-poll="([^"]+)"')
            self.live_revision = _field(live.group(0), r'data-revision="([^"]*)"')
            self.live_every = int(_field(live.group(0), r'data-every="(\d+)"')) / 1000
        self.presence_url = _field(page.text, r'id="presence"[^>]*data-url="([^"]+)"')
        self.ready = True

    def _new_save(self) -> dict[str, object]:
        self.sequence += 1
        value = f"[{self.name} #{self.sequence}] {TEXT}"
        return {"value": value, "base": self.version, "key": uuid.uuid4().hex}

    async def save(self, phase: str) -> bool:
        """Send the queued save, or a new one; True when the server acknowledged it."""
        if self.pending is None:
            self.pending = self._new_save()
        for _attempt in range(3):  # a 409 is answered "keep mine", a 400 with a fresh token
            item = self.pending
            body = json.dumps(
                {
                    "question": self.seat.question,
                    "value": item["value"],
                    "base_version": item["base"],
                    "key": item["key"],
                    "cycle": self.cycle,
                }
            ).encode()
            try:
                answer = await self.browser.post_json(self.port, self.url, body, self.csrf)
            except Failed as failure:
                self.record.failed(phase, "save", str(failure))
                return False  # kept queued, same key: it goes again at the next tick
            if answer.status == 200:
                self.record.took(phase, "save", answer)
                self.version = int(json.loads(answer.body)["version"])
                self.record.acked.append(
                    (
                        self.seat.partnership_id,
                        self.seat.question,
                        self.seat.answer_side,
                        str(item["value"]),
                    )
                )
                self.record.saves[phase] += 1
                self.pending = None
                return True
            if answer.status == 409:
                self.record.took(phase, "save", answer)
                self.record.conflicts += 1
                theirs = int(json.loads(answer.body)["version"])
                self.pending = {**item, "base": theirs, "key": uuid.uuid4().hex}
                continue
            if answer.status == 400 and await self._fresh_token(phase):
                continue
            self.record.failed(phase, "save", f"status {answer.status}: {answer.text[:120]}")
            return False
        return False

    async def _fresh_token(self, phase: str) -> bool:
        try:
            answer = await self.browser.get(
                self.port,
                f"/partnerships/{self.seat.partnership_id}/csrf-token",
                extra={"Accept": "application/json"},
            )
        except Failed as failure:
            self.record.failed(phase, "csrf", str(failure))
            return False
        if answer.status != 200:
            return False
        self.csrf = json.loads(answer.body)["token"]
        return True

    async def autosave_every(self, every: float, until: float, phase: str) -> None:
        """One save each ``every`` seconds, starting at a random point of the first period."""
        await asyncio.sleep(random.uniform(0, every))  # noqa: S311 - spreading load, not secrets
        tick = time.monotonic()
        while tick < until:
            await self.save(phase)
            tick += every
            await asyncio.sleep(max(0.0, tick - time.monotonic()))

    async def page_polls(self, until: float, phase: str) -> None:
        """What the open stage page sends besides saves: the room's strip polls every few
        seconds (js/live.js), presence every 30 s (js/presence.js)."""
        await asyncio.gather(self._live(until, phase), self._presence(until, phase))

    async def _live(self, until: float, phase: str) -> None:
        await asyncio.sleep(random.uniform(0, self.live_every))  # noqa: S311
        while time.monotonic() < until:
            started = time.monotonic()
            revision = self.live_revision
            url = f"{self.live_url}{'&' if '?' in self.live_url else '?'}since={quote(revision)}"
            headers = {"Accept": "application/json", "If-None-Match": f'W/"r{revision}"'}
            try:
                answer = await self.browser.get(self.port, url, extra=headers)
            except Failed as failure:
                self.record.failed(phase, "live poll", str(failure))
            else:
                self.record.took(phase, "live poll", answer)
                if answer.status == 200:
                    self.live_revision = str(json.loads(answer.body).get("revision", revision))
                elif answer.status not in (204, 304):
                    self.record.failed(phase, "live poll", f"status {answer.status}")
            await asyncio.sleep(max(0.0, started + self.live_every - time.monotonic()))

    async def _presence(self, until: float, phase: str) -> None:
        await asyncio.sleep(random.uniform(0, 30))  # noqa: S311
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                answer = await self.browser.post_token(self.port, self.presence_url, self.csrf)
            except Failed as failure:
                self.record.failed(phase, "presence", str(failure))
            else:
                self.record.took(phase, "presence", answer)
                if answer.status != 200:
                    self.record.failed(phase, "presence", f"status {answer.status}")
            await asyncio.sleep(max(0.0, started + 30 - time.monotonic()))


class Facilitator:
    """A facilitator's browser with the seminar dashboard open."""

    def __init__(self, email: str, port: int, record: Record) -> None:
        self.email = email
        self.port = port
        self.record = record
        self.browser = Browser(language="en")

    async def sign_in(self, phase: str) -> bool:
        """Sign in through the login page; False (and an error recorded) when that failed."""
        try:
            page = await self.browser.get(self.port, "/login")
            form = {"csrf_token": csrf_of(page.text), "email": self.email, "password": PASSWORD}
            answer = await self.browser.post_form(self.port, "/login", form, timeout=30)
        except (Failed, LookupError) as failure:
            self.record.failed(phase, "sign-in", str(failure))
            return False
        if answer.status != 302:
            self.record.failed(phase, "sign-in", f"status {answer.status}")
            return False
        return True

    async def watch(self, seminar_id: int, until: float, phase: str) -> None:
        """Sign in, open the dashboard, then poll its changes until ``until`` as its script
        does."""
        if not await self.sign_in(phase):
            return
        try:
            page = await self.browser.get(self.port, f"/seminars/{seminar_id}/dashboard")
        except Failed as failure:
            self.record.failed(phase, "dashboard", str(failure))
            return
        self.record.took(phase, "dashboard", page)
        if page.status != 200:
            self.record.failed(phase, "dashboard", f"status {page.status}")
            return
        stamp = _field(page.text, r'data-stamp="([^"]*)"')
        url = _field(page.text, r'data-changes="([^"]+)"')
        every = int(_field(page.text, r'data-every="(\d+)"')) / 1000
        await asyncio.sleep(random.uniform(0, every))  # noqa: S311
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                answer = await self.browser.get(
                    self.port,
                    f"{url}{'&' if '?' in url else '?'}since={quote(stamp, safe='')}",
                    extra={"Accept": "text/html", "If-None-Match": f'W/"d{stamp}"'},
                )
            except Failed as failure:
                self.record.failed(phase, "poll", str(failure))
            else:
                self.record.took(phase, "poll", answer)
                if answer.status == 200:
                    stamp = answer.headers.get("x-revision", stamp)
                elif answer.status not in (204, 304):
                    self.record.failed(phase, "poll", f"status {answer.status}")
            await asyncio.sleep(max(0.0, started + every - time.monotonic()))

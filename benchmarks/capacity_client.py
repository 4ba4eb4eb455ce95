"""The client side of the capacity benchmark (benchmarks/capacity.py): signed-in users simulated over
Streamlit's own websocket protocol, and live-push listeners on `/live/events`.

Each simulated user is what a browser tab is to the server: one websocket on `/_stcore/stream`
carrying the session cookie (the page reads it with `st.context.cookies`), a `rerun_script`
BackMsg naming the page (`page_name` = its URL path on the first visit, then the
`page_script_hash` the `navigation` ForwardMsg gave), and ForwardMsgs back until
`script_finished`. The latency of a run is the time from sending the request to receiving its
`script_finished`. No browser draws anything, and the client sends no widget states (every run
draws the page in its default state) and no cached message hashes (the server sends every
element in full).

Errors: an exception element in a run, an error alert, a run not finished within `timeout`, a
compile error, a page not found, a websocket that closed or would not open, a listener stream
that ended. Nothing here asserts or reads pipeline_core: it is a network client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

SESSION_COOKIE = "umrah_session"  # pipeline_core.app.sessions.SESSION_COOKIE (checked by the test)


@dataclass(frozen=True, slots=True)
class SimUser:
    """One signed-in tab: the app process it talks to, its session token, the pages it visits in
    turn (URL paths, as the browser's address bar has them: "" is the default page), and whether
    it also listens to the live push."""

    base: str
    token: str
    pages: tuple[str, ...]
    listens: bool = False


@dataclass(frozen=True, slots=True)
class Run:
    page: str
    base: str
    started: float  # time.monotonic() when asked
    finished: float  # time.monotonic() at its script_finished
    ms: float
    kb: float  # ForwardMsg bytes received (after the websocket's decompression)
    messages: int


@dataclass
class Tally:
    """Everything the users saw. `window` is (start, end) in time.monotonic(): the measured runs
    are those asked inside it; first runs (new sessions: imports, cold caches) are kept apart."""

    runs: list[Run] = field(default_factory=list)
    first_runs: list[Run] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    skipped: int = 0  # ticks when the user's previous run was still going
    fragment_runs: int = 0
    arrivals: dict[int, dict[int, float]] = field(default_factory=dict)  # task_id -> stream -> perf_counter
    listeners_ready: int = 0
    live_reconnects: int = 0  # streams the server ended at their maximum age, resumed
    window: tuple[float, float] = (0.0, 0.0)

    def error(self, kind: str, detail: str = "") -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{kind}: {detail[:200]}")

    def measured(self) -> list[Run]:
        start, end = self.window
        return [run for run in self.runs if start <= run.started < end]

    def finished(self, since: float, until: float) -> list[Run]:
        """The runs that finished in [since, until) (a progress line: served, not asked)."""
        return [run for run in self.runs if since <= run.finished < until]


def percentiles(samples: Iterable[float]) -> tuple[float, float, float]:
    """p50, p95, max (nan for no samples)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan"), float("nan"), float("nan")
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


class RunFailed(Exception):
    """The run ended without a successful `script_finished` (its kind is the message)."""


class StreamlitTab:
    """One websocket session of the app, as the browser holds it."""

    def __init__(self, user: SimUser, tally: Tally, timeout: float) -> None:
        self.user, self.tally, self.timeout = user, tally, timeout
        self.hashes: dict[str, str] = {}  # url path -> page_script_hash
        self.ws: ClientConnection | None = None

    async def open(self) -> None:
        ws_url = self.user.base.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await connect(
            ws_url,
            subprotocols=[Subprotocol("streamlit")],
            additional_headers={"Cookie": f"{SESSION_COOKIE}={self.user.token}", "Origin": self.user.base},
            max_size=None,
            open_timeout=self.timeout,
            ping_timeout=None,  # a busy server answers pings late; a run's timeout says it instead
        )

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(OSError, WebSocketException):
                await self.ws.close()

    async def run(self, page: str) -> Run:
        """Ask for a run of `page`; returns when its `script_finished` arrived."""
        assert self.ws is not None
        back = BackMsg()
        state = back.rerun_script
        state.query_string = ""
        state.page_name = page
        state.page_script_hash = self.hashes.get(page, "")
        asked, clock = time.monotonic(), time.perf_counter()
        await self.ws.send(back.SerializeToString())
        received, messages = 0, 0
        async with asyncio.timeout(self.timeout):
            while True:
                data = await self.ws.recv(decode=False)
                received += len(data)
                messages += 1
                if self._finished(ForwardMsg.FromString(data), page):
                    break
        ms = (time.perf_counter() - clock) * 1000
        return Run(page, self.user.base, asked, time.monotonic(), ms, received / 1024, messages)

    def _finished(self, msg: ForwardMsg, page: str) -> bool:
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                self.tally.error(
                    "exception", f"{page}: {element.exception.type}: {element.exception.message}"
                )
            elif element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
                self.tally.error("error alert", f"{page}: {element.alert.body}")
        elif kind == "navigation":
            for app_page in msg.navigation.app_pages:
                self.hashes[app_page.url_pathname] = app_page.page_script_hash
        elif kind == "page_not_found":
            self.tally.error("page not found", page)
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                return True
            if status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.tally.fragment_runs += 1
            elif status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise RunFailed("compile error")
        return False


async def visit(tab: StreamlitTab, page: str) -> Run | None:
    """A run of `page` in the tab (connecting first if it is not), or None with the error counted."""
    try:
        if tab.ws is None:
            await tab.open()
        return await tab.run(page)
    except TimeoutError:
        tab.tally.error("timeout", f"{page} on {tab.user.base}")
    except RunFailed as failed:
        tab.tally.error(str(failed), f"{page} on {tab.user.base}")
    except (OSError, WebSocketException) as lost:
        tab.tally.error("disconnect", f"{tab.user.base}: {type(lost).__name__}: {lost}")
    return None


#: A user whose run failed reloads the page (a new session) at most this many times.
RELOADS = 3


async def simulate_user(
    user: SimUser, index: int, tally: Tally, *, start_at: float, window: asyncio.Future[tuple[float, float]],
    interval: float, timeout: float, first_done: asyncio.Queue[None],
) -> None:  # fmt: skip
    """One user: connect at `start_at`, a first run, then a rerun of the next page every `interval`
    seconds (at a phase of its own) through the measured `window`, once it is known. After a
    failed run (counted) the user reloads: a new websocket session, whose first run is not
    measured, so the load offered stays what was asked."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    tab = StreamlitTab(user, tally, timeout)
    try:
        first = await visit(tab, user.pages[0])
        first_done.put_nowait(None)
        if first is None:
            return
        tally.first_runs.append(first)
        start, end_at = await window
        tick = start + (index * 0.618034 % 1.0) * interval  # golden-ratio phases: spread evenly
        visits, reloads = 1, 0
        while tick < end_at:
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
            page = user.pages[visits % len(user.pages)]
            visits += 1
            run = await visit(tab, page)
            if run is not None:
                tally.runs.append(run)
            else:
                await tab.close()
                reloads += 1
                tab = StreamlitTab(user, tally, timeout)
                if reloads > RELOADS or await visit(tab, page) is None:
                    return
            late = time.monotonic()
            tick += interval
            while tick < late and tick < end_at:  # the run outlasted the user's next clicks
                tally.skipped += 1
                tick += interval
    finally:
        await tab.close()


async def listen(user: SimUser, stream: int, tally: Tally, stop: asyncio.Event) -> None:
    """The live push as a tab receives it: `/live/events` with the session cookie; the arrival
    time of each change event, by task id. The server ends a stream after its maximum age (10
    minutes); like the browser's EventSource this reconnects at once with `Last-Event-ID`, and
    after a failure (counted) 2 s later."""
    timeout = httpx.Timeout(60.0, read=None)
    greeted, last_id = False, ""
    async with httpx.AsyncClient(
        base_url=user.base, timeout=timeout, cookies={SESSION_COOKIE: user.token}
    ) as client:
        while not stop.is_set():
            headers = {"Last-Event-ID": last_id} if last_id else {}
            try:
                async with client.stream("GET", "/live/events", headers=headers) as response:
                    response.raise_for_status()
                    event = ""
                    async for line in response.aiter_lines():
                        if line.startswith("id: "):
                            last_id = line[4:]
                        elif line.startswith("event: "):
                            event = line[7:]
                            if event == "hello" and not greeted:
                                greeted = True
                                tally.listeners_ready += 1
                        elif line.startswith("data: ") and event == "change":
                            task_id = json.loads(line[6:]).get("task_id")
                            if task_id is not None:
                                arrivals = tally.arrivals.setdefault(task_id, {})
                                arrivals.setdefault(stream, time.perf_counter())
                tally.live_reconnects += 1
            except httpx.HTTPError as failed:
                if not stop.is_set():
                    tally.error("live stream failed", f"{user.base}: {type(failed).__name__}")
                    await asyncio.sleep(2)


async def simulate(
    users: list[SimUser], tally: Tally, *, seconds: float, interval: float = 5.0, ramp: float = 10.0,
    timeout: float = 60.0,
) -> Tally:  # fmt: skip
    """Every user connects within `ramp` seconds and has a first run; once all have (or `timeout`
    after the ramp), the measured window of `seconds` starts: a rerun per user every `interval`.
    Returns when every run asked inside the window has finished (or timed out)."""
    window: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()
    first_done: asyncio.Queue[None] = asyncio.Queue()
    stop = asyncio.Event()
    listening = [user for user in users if user.listens]
    listeners = [asyncio.create_task(listen(user, n, tally, stop)) for n, user in enumerate(listening)]
    order = list(range(len(users)))
    random.Random(len(users)).shuffle(order)  # processes and roles interleaved in the ramp
    began = time.monotonic()
    tasks = [
        asyncio.create_task(
            simulate_user(
                users[index], index, tally, start_at=began + ramp * position / max(1, len(users)),
                window=window, interval=interval, timeout=timeout, first_done=first_done,
            )
        )
        for position, index in enumerate(order)
    ]  # fmt: skip
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(ramp + timeout):
            for _ in users:
                await first_done.get()
    start = time.monotonic() + 0.5
    tally.window = (start, start + seconds)
    window.set_result(tally.window)
    await asyncio.gather(*tasks)
    stop.set()
    for listener in listeners:
        listener.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    return tally

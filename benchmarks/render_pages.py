"""How fast each page renders in a real browser, beside an empty Streamlit page (the framework floor).

For each page (overview, task queue, departures, bottlenecks, jamaah detail) and each dataset, after
one untimed warm-up visit (server caches and imports):

- **first visit**: a fresh browser context (no HTTP cache, no cookies, a new Streamlit session),
  from the start of the navigation until the page has finished rendering; p50 and max of 5;
- **repeat visit**: the same page navigated to again in one context (HTTP cache warm); p50, max;
- **in the app**: the page reached as staff move between pages, without loading a document: from
  the overview (the task queue for the overview itself) by its link in the sidebar, the jamaah
  detail from the task queue by a card's *Buka jamaah*; from the click until the page has finished
  rendering; p50, max (not a target of the issue: how the app feels once it is open);
- **where a first visit's time goes**: when the websocket connected, the first script run started
  and ended (as the browser saw them), and what came after the run (lazily loaded elements such as
  Plotly, drawing charts);
- **script run**: the server-side duration of one script run (ui.py with the page) around
  `AppTest.run()` in this process: once right after the dataset's cache entries were dropped
  ("cold": what the first viewer pays after a cache key rolls over, every minute), then the p50 and
  max of repeat runs; and where a repeat run's time goes: each `section(...)` of the page (drawing
  included) and each call into `pipeline_core.app.dashboard` / `pipeline_core.app.actions` (data only);
- **JS heap**: `Runtime.getHeapUsage` (Chrome DevTools Protocol) once a first visit has rendered,
  used size as is and after a forced garbage collection;
- **cache misses**: Redis read-through misses (pipeline_core.store.cache counters) during the samples;
- **first visit on a phone's connection** (`--networks`, default Fast 3G and Fast 4G): the overview's
  first visit under Chrome DevTools' network presets, through the production proxy (nginx with
  ops/nginx/umrah.conf: TLS and HTTP/2, as a phone reaches a deployment), time until the KPIs show
  and until finished, requests and bytes on the wire (benchmarks/first_visit_network.py, which
  also runs alone, with or without the proxy).

"Finished rendering", as Streamlit 1.67 marks it in the DOM: the `stApp` root has
`data-test-script-state="notRunning"` after at least one run and `data-test-connection-state=
"CONNECTED"`; no `stStatusWidget`, no element with `data-stale="true"`, no `stSkeleton` (a lazily
loaded element still loading: it outlives the end of the run by 100-350 ms on a first visit), no
`stSpinner`; every Plotly chart has drawn its `.main-svg`; and the page's own main content is there
(its selectors in PAGES). The moment is read in the page (`performance.now()`, whose zero is the
start of the navigation) at the first animation frame where all of this holds, and counts only if
it still holds 500 ms later (a second run, e.g. a callback's `st.rerun()`, would reset it).

The floor: an empty page (one `st.write`) served by `streamlit run` from a temporary folder on
another port, measured the same way just before each dataset's pages (the machine's load drifts).
Beside it, **the floor with a chart**: the same empty page plus the overview's Plotly figure (of the
last dataset measured), drawn by `ui_kit/plotly_figure.py` with the bundle served by
`api/assets.py` (an `st.App` with only that route): what a page with one chart costs before any
of the app (sidebar, sign-in, sections) is there.
Both servers run with `--server.fileWatcherType none`, as in production: the watcher scanning a busy
work tree costs CPU and floods the log.

Signed in: every browser context first posts the sign-in form (`POST /auth/login`) as the dataset's
demo manager, `manager@<dataset>` with the public demo password (the accounts are made idempotently
after loading), untimed; the AppTest runs (benchmarks/script_runs.py) use a session of the same
account, through the UI's one seam for "who is signed in" (`ui_kit.session.session_token`).

The sidebar's dataset switch must offer each dataset measured (it lists the scale datasets once
loaded); a table's title says so if a page showed another dataset than the one asked for.

Prints figures; never asserts on time.

    .venv/bin/python benchmarks/render_pages.py                              # demo-2000, scale-100k
    .venv/bin/python benchmarks/render_pages.py --datasets demo-2000 --samples 3
    .venv/bin/python benchmarks/render_pages.py --datasets demo-2000 --pages overview jamaah
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/umrah REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/render_pages.py

Missing datasets are loaded first (`load_dataset`; scale-100k takes about a minute) and stay loaded.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from benchmarks.render_browser import (  # noqa: E402
    WATCH,
    ensure_manager,
    heap,
    manager,
    move,
    new_context,
    served,
    visit,
)
from benchmarks.render_model import Page, Visits  # noqa: E402
from benchmarks.render_report import print_breakdown, print_phases, print_table  # noqa: E402
from benchmarks.script_runs import ScriptRuns, Spent, instrument, measure_script_runs  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402  (Debian's chromium, as the tests)
from tests.nginx import nginx  # noqa: E402  (production's proxy, for the phone visits)

EMPTY_PAGE = 'import streamlit as st\n\nst.write("Empty page")\n'
#: The empty page plus one chart (the figure's JSON beside it), and the `st.App` serving it with
#: the app's /assets route; `{root}` is this repository.
CHART_PAGE = """import sys
from pathlib import Path

sys.path.insert(0, {root!r})
import plotly.io
import streamlit as st

from ui_kit.plotly_figure import plotly_figure

st.write("Empty page")
figure = plotly.io.from_json(Path(__file__).with_name("figure.json").read_text())
plotly_figure(figure, key="chart", alt="chart")
"""
CHART_APP = """import sys
from pathlib import Path

sys.path.insert(0, {root!r})
import streamlit as st

from api import assets

app = st.App(str(Path(__file__).with_name("chart.py")), routes=assets.routes)
"""
#: AppTest evaluates the pages' `format_func`s (they read the language from session state) outside a
#: script run, and caches run without a server: harmless warnings, by the dozen.
QUIET_IN_APPTEST = (
    "streamlit.runtime.scriptrunner_utils.script_run_context",
    "streamlit.runtime.state.session_state_proxy",
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.caching.cache_resource_api",
)


CHART = ".umrah-figure .main-svg"  # ui_kit/plotly_figure.py
PAGES: tuple[Page, ...] = (
    Page("overview", "overview", ("[data-testid=stMetric]", CHART)),
    Page("task queue", "task_queue", ("[data-task]",)),  # ui_kit/tasks/board.py
    Page(
        "departures", "departures", ("[class*='st-key-group-'], [data-testid=stMain] [data-testid=stAlert]",)
    ),
    Page(
        "bottlenecks",
        "bottlenecks",
        ("[class*='st-key-alert-'], [data-testid=stMain] [data-testid=stAlert]",),
    ),
    Page("jamaah detail", "jamaah", ("[data-testid=stTable]", CHART)),
)
ALL_PAGES = PAGES  # --pages narrows PAGES; a move may start on a page not measured
FLOOR = Page("empty page (floor)", "", ("[data-testid=stMain] [data-testid=stMarkdownContainer]",))
FLOOR_CHART = Page("floor + one chart", "", (*FLOOR.ready, CHART))

#: The page each page is reached from inside the app (the others: from the overview).
IN_APP_FROM = {"overview": "task_queue", "jamaah": "task_queue"}


def measure_in_browser(
    browser: Any,
    base: str,
    target: Page,
    path: str,
    samples: int,
    user: str | None,
    origin: tuple[Page, str] | None = None,
) -> Visits:
    """First and repeat visits of `path`; with an `origin` (a page and its path), also the moves
    from there."""
    found = Visits()
    watch = WATCH % json.dumps(list(target.ready))
    context = new_context(browser, base, watch, user)
    page = context.new_page()
    visit(page, base + path)  # warm-up: server caches and imports, then the repeat visits
    found.shows = page.locator("[data-testid=stSidebar]").inner_text() if target.script else ""
    misses_before = cache_misses()
    for _ in range(samples):
        found.repeat_ms.append(visit(page, base + path))
    if origin is not None:
        start, start_path = origin
        for _ in range(samples):
            visit(page, base + start_path, start.ready)  # untimed: the page the move starts from
            found.in_app_ms.append(move(page, target, base))
    context.close()
    for _ in range(samples):
        context = new_context(browser, base, watch, user)
        page = context.new_page()
        found.first_ms.append(visit(page, base + path))
        found.phases.append(page.evaluate("window.phases"))
        found.heap_mb.append(heap(page, collect=False))
        found.heap_gc_mb.append(heap(page, collect=True))
        context.close()
    found.cache_misses = cache_misses() - misses_before
    return found


def cache_misses() -> int:
    from pipeline_core.store import cache

    return sum(misses for _, misses in cache.hit_rates().values())


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    global PAGES
    from pipeline_core.app import dashboard
    from pipeline_core.app.viewer import system_viewer
    from pipeline_core.seed import bootstrap, datasets
    from pipeline_core.store.config import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=list(datasets.DATASETS),
        default=["demo-2000", "scale-100k"],
        metavar="NAME",
        help="datasets to measure (default: demo-2000 scale-100k)",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=[page.script for page in PAGES],
        metavar="PAGE",
        help="only these pages (default: all)",
    )
    parser.add_argument("--samples", type=int, default=5, help="browser visits of each kind per page")
    parser.add_argument("--runs", type=int, default=5, help="repeat script runs per page (AppTest)")
    parser.add_argument(
        "--networks",
        nargs="*",
        default=["Fast 3G", "Fast 4G"],
        metavar="PROFILE",
        help="overview first visits on these DevTools network profiles (first_visit_network.py)",
    )
    args = parser.parse_args()
    PAGES = tuple(page for page in PAGES if not args.pages or page.script in args.pages)

    os.environ["PIPELINE_SEED_DEMO"] = "false"
    get_settings.cache_clear()
    settings = get_settings()
    bootstrap.prepare(seed_demo=False)
    print(
        f"PostgreSQL {'embedded' if settings.embedded_database else 'external'}, Redis "
        f"{'embedded' if settings.embedded_redis else 'external'}; {os.cpu_count()} CPU cores; "
        f"{args.samples} visits of each kind, {args.runs} script runs per page"
    )
    try:
        for name in args.datasets:
            if not datasets.dataset_exists(name):
                print(f"loading {name} …", flush=True)
                report = datasets.load_dataset(name)
                print(f"  {report.jamaah:,} jamaah in {report.seconds:.1f} s")
            ensure_manager(name)
        sizes = {choice.slug: choice.jamaah for choice in dashboard.workspace_choices()}
        first_in_queue = {
            name: dashboard.task_queue_page(system_viewer(dashboard.workspace(name)), limit=1)
            for name in args.datasets
        }
        jamaah = {name: queue.items[0].jamaah_id for name, queue in first_in_queue.items()}
        with tempfile.TemporaryDirectory(prefix="render-pages-") as folder:
            floor_dir = Path(folder)
            (floor_dir / "empty.py").write_text(EMPTY_PAGE)
            (floor_dir / "chart.py").write_text(CHART_PAGE.format(root=str(ROOT)))
            (floor_dir / "chart_app.py").write_text(CHART_APP.format(root=str(ROOT)))
            (floor_dir / "figure.json").write_text(overview_figure(args.datasets[-1]))
            runs = server_side(floor_dir, args.datasets, jamaah, args.runs)
            visits = in_the_browser(floor_dir, args.datasets, jamaah, args.samples, args.networks)
    finally:
        bootstrap.shutdown()
    report_all(args.datasets, sizes, visits, runs)
    return 0


def quiet_outside_a_run() -> None:
    for noisy in QUIET_IN_APPTEST:
        logging.getLogger(noisy).disabled = True


def overview_figure(dataset: str) -> str:
    """The overview's chart of `dataset` as JSON, for the floor with a chart."""
    from pipeline_core.app import actions, dashboard
    from pipeline_core.app.viewer import system_viewer
    from ui_kit import charts

    quiet_outside_a_run()
    viewer = system_viewer(dashboard.workspace(dataset))
    figure = charts.pipeline_by_stage(dashboard.stage_stats(viewer), actions.stage_breakdown(viewer))
    return str(figure.to_json())


#: (dataset, page script); the floors: ("", "") and ("chart", "") server side, ("", dataset) and
#: ("chart", dataset) in chromium.
Key = tuple[str, str]


def server_side(
    floor_dir: Path, names: list[str], jamaah: dict[str, int], runs: int
) -> dict[Key, ScriptRuns]:
    """One script run of each page in AppTest, instrumented (the same process as the servers)."""
    quiet_outside_a_run()
    spent = Spent()
    instrument(spent)
    print("server side: AppTest runs …", flush=True)
    found = {
        ("", ""): measure_script_runs(floor_dir / "empty.py", None, {}, runs, spent, None),
        ("chart", ""): measure_script_runs(floor_dir / "chart.py", None, {}, runs, spent, None),
    }
    for name in names:
        for page in PAGES:
            params = {"dataset": name, **({"jamaah": str(jamaah[name])} if page.script == "jamaah" else {})}
            found[name, page.script] = measure_script_runs(
                ROOT / "ui.py", page.script, params, runs, spent, manager(name)
            )
    return found


def in_the_browser(
    floor_dir: Path, names: list[str], jamaah: dict[str, int], samples: int, networks: list[str]
) -> dict[Key, Visits]:
    """Every page in chromium: the empty page on its own server, then the app's pages, then the
    overview's first visit on a phone's connection (printed as it is measured)."""
    from playwright import sync_api as playwright

    from benchmarks import first_visit_network as phone

    # The proxy's X-Forwarded-Proto is believed (the session cookie then is Secure, as deployed).
    env = {**os.environ, "PIPELINE_SEED_DEMO": "false", "PIPELINE_TRUSTED_PROXIES": "127.0.0.1"}
    python = sys.executable
    found: dict[Key, Visits] = {}
    with (
        playwright.sync_playwright() as driver,
        served(
            [python, "-m", "streamlit", "run", "empty.py"], floor_dir, floor_dir / "floor.log", env
        ) as floor,
        served(
            [python, "-m", "streamlit", "run", "chart_app.py"], floor_dir, floor_dir / "chart.log", env
        ) as floor_chart,
        served([python, "-m", "streamlit", "run", "app.py"], ROOT, floor_dir / "app.log", env) as app,
    ):
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        # Runs on different days differ by the machine more than by the code: say what ran.
        print(f"Chromium {browser.version}; load average {os.getloadavg()[0]:.2f}", flush=True)
        for name in names:
            print(f"browser: the floor, then {name} …", flush=True)  # the floor beside each dataset
            found["", name] = measure_in_browser(browser, floor, FLOOR, "/", samples, None)
            found["chart", name] = measure_in_browser(browser, floor_chart, FLOOR_CHART, "/", samples, None)
            for page in PAGES:
                print(f"browser: {name} · {page.title} …", flush=True)
                origin = next(p for p in ALL_PAGES if p.script == IN_APP_FROM.get(page.script, "overview"))
                found[name, page.script] = measure_in_browser(
                    browser,
                    app,
                    page,
                    page.path(name, jamaah[name]),
                    samples,
                    manager(name),
                    (origin, origin.path(name, jamaah[name])),
                )
            overview = next(p for p in ALL_PAGES if p.script == "overview")
            (floor_dir / "proxy").mkdir(exist_ok=True)
            with nginx(floor_dir / "proxy", [app.rsplit(":", 1)[1]]) as proxy:
                for network in (phone.PROFILES[profile] for profile in networks):
                    print(f"browser: {name} · overview, first visit on {network.name} (h2) …", flush=True)
                    path = overview.path(name, jamaah[name])
                    visits = phone.first_visits(browser, proxy.base, path, manager(name), network, samples)
                    if visits:
                        phone.report(network, visits, largest=0)
        browser.close()
    return found


def report_all(
    names: list[str], sizes: dict[str, int], visits: dict[Key, Visits], runs: dict[Key, ScriptRuns]
) -> None:
    from pipeline_core.domain import formatting

    for name in names:
        floors = [
            (FLOOR.title, visits["", name], runs["", ""]),
            (FLOOR_CHART.title, visits["chart", name], runs["chart", ""]),
        ]
        badge = f"{formatting.number(sizes[name])} jamaah"
        wrong = [page.title for page in PAGES if badge not in visits[name, page.script].shows]
        title = f"{name} ({badge})" + (f" — WRONG DATASET SHOWN on {', '.join(wrong)}" if wrong else "")
        rows = [(page.title, visits[name, page.script], runs[name, page.script]) for page in PAGES]
        print_table(title, rows, floors, scale=name.startswith("scale"))
    print("\n'!' = over the scale-100k target.")
    for name in names:
        print_phases(
            name,
            [
                (FLOOR.title, visits["", name]),
                (FLOOR_CHART.title, visits["chart", name]),
                *((p.title, visits[name, p.script]) for p in PAGES),
            ],
        )
    print("\nWhere one script run's time goes (p50 ms per run):")
    for name in names:
        for page in PAGES:
            print_breakdown(name, page, runs[name, page.script])


if __name__ == "__main__":
    sys.exit(main())

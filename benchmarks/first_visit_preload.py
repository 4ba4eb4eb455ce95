"""Would `<link rel="modulepreload">` for Streamlit's lazily imported chunks speed up a phone's
first visit of the overview? An A/B experiment in one server (issue 21; the answer, measured:
no — docs/benchmarks.md, "First visit on a phone's connection", and docs/decisions.md).

Streamlit's index.html names its entry script and the ~60 chunks it imports statically; the chunks
its elements import lazily (Metric, markdown, layout, the component runtime: 19 on the overview)
and the Material Symbols font are discovered only after the websocket has delivered the elements.
The idea was to name those in the page too, so the browser fetches them from the page's first bytes
instead of at the end of the chain.

How: one `streamlit run app.py`; one unthrottled visit with Streamlit's own page records the
`/static/` files the page does not name (the lazily loaded ones, in request order). Then, for each
profile of benchmarks/first_visit_network.py, rounds of fresh signed-in contexts, each round one
visit per variant, in turn (so load on the machine hits every variant alike):

- **streamlit**: the page as Streamlit has it;
- **preload**: with a `modulepreload` for every lazily loaded chunk and `preload as=font` for the
  fonts, after Streamlit's own links;
- **chunks only**: the same without the fonts (Material Symbols is 376 KB).

Every variant's page is put in by Playwright (`route.fulfill` over the server's own answer, cookies
included), so all three are delivered alike; Chromium's local-network-access checks are switched off
for that (a fulfilled page counts as a public one, and its websocket to 127.0.0.1 would be blocked).
Reports per variant the p50 (max) of KPIs shown and finished, and when the websocket connected.

    .venv/bin/python benchmarks/first_visit_preload.py --rounds 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from benchmarks.first_visit_network import KPI_WATCH, OVERVIEW, PROFILES, Network  # noqa: E402
from benchmarks.render_browser import WATCH, ensure_manager, manager, new_context, served, visit  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

NAMED = re.compile(r"""(?:src|href)="\./(static/[^"]+)\"""")


def link(name: str) -> str:
    if name.endswith(".woff2"):
        return f'    <link rel="preload" href="./{name}" as="font" type="font/woff2" crossorigin>\n'
    return f'    <link rel="modulepreload" crossorigin href="./{name}">\n'


def with_links(page: str, names: list[str]) -> str:
    head, end, rest = page.rpartition("</head>")
    return head + "".join(link(name) for name in names) + "  " + end + rest


def fulfil_with(body: str) -> Any:
    """A route handler: the server's answer (its cookies and headers) with `body` as the page."""

    def fulfil(route: Any) -> None:
        answer = route.fetch()
        dropped = ("content-encoding", "content-length", "etag")
        headers = {name: value for name, value in answer.headers.items() if name not in dropped}
        route.fulfill(response=answer, headers=headers, body=body)

    return fulfil


def first_visit(
    browser: Any, base: str, path: str, user: str, page_body: str, network: Network
) -> dict[str, Any]:
    context = new_context(browser, base, WATCH % '["[data-testid=stMetric]"]', user)
    context.add_init_script(KPI_WATCH)
    page = context.new_page()
    page.route(lambda url: url == base + path, fulfil_with(page_body))
    cdp = context.new_cdp_session(page)
    static: list[str] = []

    def sent(event: dict[str, Any]) -> None:
        route = event["request"]["url"].split("://", 1)[-1].partition("/")[2].split("?")[0]
        if route.startswith("static/"):
            static.append(route)

    cdp.on("Network.requestWillBeSent", sent)
    cdp.send("Network.enable")
    conditions = {"latency": network.latency, "downloadThroughput": network.download}
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "uploadThroughput": network.upload, **conditions},
    )
    finished = visit(page, base + path, OVERVIEW.ready)
    result = {
        "kpis": float(page.evaluate("window.kpisAt")),
        "finished": finished,
        "connected": float(page.evaluate("window.phases.connected")),
        "static": static,
    }
    context.close()
    return result


def main() -> int:
    from playwright import sync_api as playwright
    from streamlit import file_util

    from pipeline_core.seed import bootstrap, datasets
    from pipeline_core.store.config import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="demo-2000", choices=list(datasets.DATASETS))
    parser.add_argument("--rounds", type=int, default=3, help="visits per variant and profile")
    parser.add_argument("--profiles", nargs="+", default=list(PROFILES), choices=list(PROFILES))
    args = parser.parse_args()

    os.environ["PIPELINE_SEED_DEMO"] = "false"
    get_settings.cache_clear()
    bootstrap.prepare(seed_demo=False)
    streamlit_page = (Path(file_util.get_static_dir()) / "index.html").read_text()
    named = set(NAMED.findall(streamlit_page))
    env = {**os.environ, "PIPELINE_SEED_DEMO": "false"}
    try:
        if not datasets.dataset_exists(args.dataset):
            datasets.load_dataset(args.dataset)
        ensure_manager(args.dataset)
        user, path = manager(args.dataset), OVERVIEW.path(args.dataset, 0)
        with (
            tempfile.TemporaryDirectory(prefix="first-visit-preload-") as folder,
            playwright.sync_playwright() as driver,
            served(
                [sys.executable, "-m", "streamlit", "run", "app.py"], ROOT, Path(folder) / "log", env
            ) as app,
        ):
            flags = [*CHROMIUM_FLAGS, "--disable-features=LocalNetworkAccessChecks"]
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=flags)
            plain = PROFILES["unthrottled"]
            first_visit(browser, app, path, user, streamlit_page, plain)  # warm-up
            found = first_visit(browser, app, path, user, streamlit_page, plain)["static"]
            lazy = [name for name in dict.fromkeys(found) if name not in named]
            chunks = [name for name in lazy if name.endswith(".js")]
            variants = {
                "streamlit": streamlit_page,
                "preload": with_links(streamlit_page, [n for n in lazy if n.endswith((".js", ".woff2"))]),
                "chunks only": with_links(streamlit_page, chunks),
            }
            print(
                f"Chromium {browser.version}; {args.dataset}; the page names {len(named)} files, a "
                f"first visit loads {len(lazy)} more ({len(chunks)} chunks); {args.rounds} rounds; "
                f"load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            for profile in args.profiles:
                seen: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
                for _ in range(args.rounds):
                    for name, body in variants.items():
                        seen[name].append(first_visit(browser, app, path, user, body, PROFILES[profile]))
                for name, visits in seen.items():
                    print(
                        f"{profile:12} {name:12} "
                        + "; ".join(_p50(visits, key) for key in ("kpis", "finished", "connected"))
                    )
                print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)
            browser.close()
    finally:
        bootstrap.shutdown()
    return 0


def _p50(visits: list[dict[str, Any]], key: str) -> str:
    values = [visit[key] / 1000 for visit in visits]
    return f"{key} {statistics.median(values):.2f} s (max {max(values):.2f})"


if __name__ == "__main__":
    sys.exit(main())

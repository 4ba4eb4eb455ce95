"""Debian's chromium for the browser tests and benchmarks (no imports: benchmarks load it first)."""

#: Debian's chromium (the README's test command installs it); Playwright cannot download here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

"""Benchmark the local web app: a real ``levelhead serve`` on a fresh home with a store.

Measures
- cold start: process start to the URL line, and to the first page loaded (HTML, CSS and JS fetched);
- page weight of the first page (HTML + CSS + JS, uncompressed: there is no compression on loopback);
- ``POST /api/v1/check`` with a 60-word draft at 32 concurrent connections: requests/s and latency
  percentiles, with wrk (Debian's ``wrk``, a Lua script makes the POST) or, where wrk is missing, an
  asyncio + httpx load generator (slower itself: it shares the 2 cores with the server);
- server RSS after the load (and its peak);
- with ``--browser``: in Debian's chromium (Playwright), the time from the last keystroke of a 300-word
  draft to its findings on the Compose page (the page waits 40 ms for a pause, then asks the server).

Targets (issue 6): >= 1,500 req/s, p99 < 25 ms, RSS < 250 MB, first page < 300 ms, < 300 kB.

    .venv/bin/python scripts/bench_web.py [--duration 10] [--connections 32] [--tool wrk|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DRAFT = (
    "Hi, I wanted to ask about picking up the kids on Saturday. You always forget to pack their jackets and it "
    "drives me crazy. Could you please make sure they have warm clothes this time? I can come at 10 if that works "
    "for you. Let me know by Thursday so I can plan the rest of my weekend. Thanks."
)
LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def start(home: Path) -> tuple[subprocess.Popen[str], str, float, float]:
    env = {**os.environ, "LEVELHEAD_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.pop("LEVELHEAD_DB", None)
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "levelhead", "serve", "--no-browser", "--port", "0"],
        cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    printed = time.perf_counter()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit(f"levelhead serve did not start: {url!r}")
    return proc, url, began, printed


def first_page(url: str) -> tuple[float, int]:
    """Follow the launch link as a browser does; returns (seconds, bytes of HTML + CSS + JS)."""
    base = url.split("/?token=")[0]
    with httpx.Client(base_url=base) as client:  # made first: the client's own set-up is not the server's time
        began = time.perf_counter()
        page = client.get(url, follow_redirects=True)
        page.raise_for_status()
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        sizes = [len(page.content)] + [len(client.get(a).content) for a in assets]
    return time.perf_counter() - began, sum(sizes)


def rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def run_wrk(url: str, token: str, duration: int, connections: int) -> dict[str, float]:
    body = json.dumps({"text": DRAFT, "goal": "logistics", "mood": "calm"})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA.format(body=json.dumps(body), token=token))
        script = fh.name
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    Path(script).unlink()

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms(pct["50"]), "p90_ms": ms(pct["90"]), "p99_ms": ms(pct["99"]),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }  # fmt: skip


def run_httpx(url: str, token: str, duration: int, connections: int) -> dict[str, float]:
    body = {"text": DRAFT, "goal": "logistics", "mood": "calm"}
    latencies: list[float] = []
    failures = 0

    async def worker(client: httpx.AsyncClient, stop: float) -> None:
        nonlocal failures
        while time.perf_counter() < stop:
            began = time.perf_counter()
            response = await client.post(url, json=body)
            latencies.append(time.perf_counter() - began)
            failures += response.status_code != 200

    async def main() -> float:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, limits=limits) as client:
            began = time.perf_counter()
            await asyncio.gather(*(worker(client, began + duration) for _ in range(connections)))
            return time.perf_counter() - began

    elapsed = asyncio.run(main())
    ordered = sorted(latencies)
    return {
        "req_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p90_ms": ordered[int(len(ordered) * 0.90)] * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000,
        "non_2xx": float(failures),
    }


WORDS = (
    "I wanted to write about the weekend plans for the kids and the books you still have at your place "
    "because it has been on my mind and I would rather sort it out calmly than let it drag on any longer "
).split()


def draft_of(words: int, seed: int) -> str:
    """A distinct draft of ``words`` words, in sentences, so nothing is cached between rounds."""
    out = [WORDS[(i * 7 + seed) % len(WORDS)] for i in range(words)]
    for i in range(11, words, 12):
        out[i] += "."
    return " ".join(out) + f" Thanks {seed}."


def browser_findings(url: str, rounds: int = 8) -> list[float]:
    """Milliseconds from the last input event of a 300-word draft to the findings being replaced."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]  # fmt: skip
    timings: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page()
        page.goto(url)
        page.select_option("#goal", "logistics")
        page.select_option("#mood", "calm")
        page.click("#start")
        for n in range(rounds + 1):
            elapsed = page.evaluate(
                """(text) => new Promise((done) => {
                    const findings = document.querySelector('#findings');
                    const draft = document.querySelector('#draft');
                    const watch = new MutationObserver(() => { watch.disconnect(); done(performance.now() - t0); });
                    watch.observe(findings, {childList: true});
                    draft.value = text;
                    const t0 = performance.now();
                    draft.dispatchEvent(new Event('input'));
                })""",
                draft_of(300, n),
            )
            if n:  # the first round loads the rules and the model
                timings.append(float(elapsed))
        browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--tool", choices=("wrk", "httpx"), default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--browser", action="store_true", help="Also time findings in chromium (300-word draft).")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="levelhead-bench-web-") as folder:
        home = Path(folder)
        (home / "config").mkdir()
        sys.path.insert(0, str(ROOT / "src"))
        from levelhead.storage import Store

        with Store.open(f"sqlite:///{home / 'data' / 'levelhead.db'}") as store:
            store.init()
        proc, url, began, printed = start(home)
        try:
            page_s, weight = first_page(url)
            token = url.split("token=")[1]
            check_url = url.split("/?token=")[0] + "/api/v1/check"
            with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
                for _ in range(50):  # warm: rules, tone model, caches
                    client.post(check_url, json={"text": DRAFT, "goal": "logistics", "mood": "calm"}).raise_for_status()
            typed = browser_findings(url) if args.browser else []
            load = (run_wrk if args.tool == "wrk" else run_httpx)(check_url, token, args.duration, args.connections)
            rss, peak = rss_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    print(f"start to URL line          {(printed - began) * 1000:8.0f} ms")
    print(f"first page (after URL)     {page_s * 1000:8.0f} ms")
    print(f"start to first page        {(printed - began + page_s) * 1000:8.0f} ms")
    print(f"page weight (HTML+CSS+JS)  {weight / 1024:8.1f} kB")
    print(f"POST /api/v1/check, 60-word draft, {args.connections} connections, {args.duration} s, {args.tool}:")
    print(f"  requests/s               {load['req_per_s']:8.0f}")
    print(f"  p50 / p90 / p99          {load['p50_ms']:.1f} / {load['p90_ms']:.1f} / {load['p99_ms']:.1f} ms")
    print(f"  non-2xx responses        {load['non_2xx']:8.0f}")
    print(f"server RSS after / peak    {rss:8.0f} / {peak:.0f} MB")
    if typed:
        print(
            f"findings after a keystroke, 300-word draft, chromium: median {statistics.median(typed):.0f} ms, "
            f"max {max(typed):.0f} ms ({len(typed)} drafts; includes the page's 40 ms pause)"
        )


if __name__ == "__main__":
    main()

"""Benchmark: dashboard latency under concurrent load, against the app served on loopback.

Run: ``.venv/bin/python bench/bench_web.py [--store demo/store] [--requests 400] [--concurrency 8]``

Starts gunicorn on 127.0.0.1 (a random free port), signs in as a demo performance analyst, warms up,
then sends a bounded number of requests from a thread pool and reports requests/s, p50, p95 and max
latency for the dashboard, and the same for the measures list (a simple page served by the same
process: the baseline). Target (issue #5): dashboard p95 < 300 ms for the demo council.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """A tiny cookie-keeping HTTP client (one connection per thread, loopback only)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, data

    def sign_in(self, username: str, password: str) -> None:
        _, page = self.request("GET", "/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = f"username={username}&password={password}&csrfmiddlewaretoken={token}"
        status, _ = self.request("POST", "/sign-in/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/sign-in/"})
        if status != 302:
            raise SystemExit(f"sign-in failed ({status})")


def load(session: Session, path: str, n: int, concurrency: int) -> dict[str, float]:
    def one(_: int) -> float:
        t0 = time.perf_counter()
        status, _ = session.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} returned {status}")
        return time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    return {"requests": n, "rps": n / wall, "p50_ms": statistics.median(times) * 1000,
            "p95_ms": times[int(0.95 * (n - 1))] * 1000, "max_ms": times[-1] * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "demo" / "store")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not (args.store / "store.json").exists():
        raise SystemExit(f"{args.store} is not a store: run `make demo` (or asc-assure demo) first")
    data_dir = Path(tempfile.mkdtemp(prefix="asc-web-bench-"))
    env = {**os.environ, "ASC_ASSURE_DEBUG": "1", "ASC_ASSURE_STORE": str(args.store.resolve()),
           "ASC_ASSURE_DATA_DIR": str(data_dir), "ASC_ASSURE_LOG_LEVEL": "WARNING"}
    cli = str(BIN / "asc-assure")
    subprocess.run([cli, "web", "migrate"], env=env, check=True, capture_output=True)
    users = json.loads(subprocess.run([cli, "web", "create-demo-users", "--json"], env=env, check=True,
                                      capture_output=True, text=True).stdout)
    analyst = next(u for u in users if u["role"] == "performance_analyst")
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "asc_assure.web.wsgi", "-b", f"127.0.0.1:{port}",
                               "-w", str(args.workers), "--threads", "4", "--log-level", "warning"], env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        session = Session(port)
        session.sign_in(analyst["username"], analyst["password"])
        t0 = time.perf_counter()
        load(session, "/", 4 * args.workers, args.workers)  # warm every worker's measure cache
        print(f"store {args.store}: warm-up (first computation in each worker) {time.perf_counter() - t0:.1f}s")
        base = load(session, "/measures/", args.requests, args.concurrency)
        dash = load(session, "/", args.requests, args.concurrency)
        tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
        rss = sum(p.memory_info().rss for p in tree)
        for name, r in (("measures list (baseline)", base), ("dashboard", dash)):
            print(f"{name:<24} {r['requests']} requests, concurrency {args.concurrency}: {r['rps']:7.1f} req/s, "
                  f"p50 {r['p50_ms']:6.1f} ms, p95 {r['p95_ms']:6.1f} ms, max {r['max_ms']:6.1f} ms")
        print(f"ratio dashboard p95 / baseline p95: {dash['p95_ms'] / base['p95_ms']:.1f}x; "
              f"server RSS (all workers) {rss / 2**20:,.0f} MiB; target dashboard p95 < 300 ms: "
              f"{'met' if dash['p95_ms'] < 300 else 'NOT met'}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

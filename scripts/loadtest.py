"""Measure a page's latency under concurrent logged-in readers, with optional writers.

Each client logs in through the real form with its own session, then requests the page in a
loop for the given time; writers post replies to a thread meanwhile. Prints requests per
second, p50/p95/p99 latency and every non-2xx/3xx status, so a run before and after a change
can be compared on the same machine.

    python scripts/loadtest.py --base-url http://127.0.0.1:5099 --clients 8 --writers 2 \
        --email member1@example.org --password demo-password --path / --thread 1
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One browser-like session: its own cookies, logged in through the form."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        """GET a path; return the status and the body."""
        try:
            with self.opener.open(self.base_url + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def post(self, path: str, form_page: str, data: dict[str, str]) -> int:
        """POST a form with the CSRF token of `form_page`; return the status."""
        _, page = self.get(form_page)
        match = TOKEN_RE.search(page)
        if match is None:
            raise SystemExit(f"no form token on {form_page}")
        body = urllib.parse.urlencode({**data, "csrf_token": match.group(1)}).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def login(self, email: str, password: str) -> None:
        """Log in. Raises SystemExit when the login is refused."""
        status = self.post("/login", "/login", {"email": email, "password": password})
        if status >= 400 or self.get("/")[0] != 200:
            raise SystemExit(f"login as {email} failed ({status})")


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the sorted values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Run the readers and writers and print what they measured."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5099")
    parser.add_argument("--email", default="member1@example.org")
    parser.add_argument("--password", default="demo-password")
    parser.add_argument("--path", default="/")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--writers", type=int, default=0)
    parser.add_argument("--thread", type=int, default=1, help="thread the writers reply to")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    latencies: list[float] = []
    write_latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(args.clients + args.writers)

    def read_loop(client: Client, deadline_box: list[float]) -> None:
        start.wait()
        while time.monotonic() < deadline_box[0]:
            began = time.perf_counter()
            status, _ = client.get(args.path)
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                statuses[f"GET {status}"] += 1

    def write_loop(client: Client, deadline_box: list[float]) -> None:
        start.wait()
        thread_page = f"/traad/{args.thread}"
        n = 0
        while time.monotonic() < deadline_box[0]:
            n += 1
            began = time.perf_counter()
            status = client.post(
                f"{thread_page}/svar", thread_page, {"body": f"Belastningstest, svar {n}."}
            )
            elapsed = time.perf_counter() - began
            with lock:
                write_latencies.append(elapsed)
                statuses[f"POST {status}"] += 1

    clients = []
    for _ in range(args.clients + args.writers):
        client = Client(args.base_url)
        client.login(args.email, args.password)
        clients.append(client)
    deadline = [float("inf")]
    workers = [
        threading.Thread(target=read_loop, args=(c, deadline)) for c in clients[: args.clients]
    ] + [threading.Thread(target=write_loop, args=(c, deadline)) for c in clients[args.clients :]]
    for worker in workers:
        worker.start()
    deadline[0] = time.monotonic() + args.seconds
    for worker in workers:
        worker.join()

    def line(name: str, values: list[float]) -> str:
        if not values:
            return f"{name}: none"
        return (
            f"{name}: {len(values)} requests, {len(values) / args.seconds:.1f}/s, "
            f"p50 {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.0f} ms, "
            f"p99 {percentile(values, 0.99) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms"
        )

    print(line(f"GET {args.path}", latencies))
    if args.writers:
        print(line("POST reply", write_latencies))
    print("statuses:", dict(sorted(statuses.items())))


if __name__ == "__main__":
    main()

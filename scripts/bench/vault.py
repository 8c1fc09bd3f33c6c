#!/usr/bin/env python3
"""Vault benchmark for `make bench` (standard library + wrk).

Usage: vault.py KEYHAVEN_PORT NGINX_PORT NGINX_WWW_DIR

1. GET /passwords/{id} and GET /passwords?limit=50 (authenticated, 50 realistic items, decrypted)
   against nginx serving static files with the same bytes, interleaved wrk runs, medians.
2. List latency with 100,000 items in a vault against 1,000 (keyset pagination, not offset):
   median of sequential requests for the first page and for a page deep in the list.
"""
import http.client
import json
import os
import random
import statistics
import string
import subprocess
import sys
import threading
import time

port, nginx_port, www = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
seconds = os.environ.get("BENCH_SECONDS", "10")
rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
big = int(os.environ.get("BENCH_VAULT_ITEMS", "100000"))
password = "correct horse battery staple"


class Client:
    def __init__(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.token = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closes keep-alive connections idle for 30 s: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                if attempt == 2:
                    raise

    def sign_in(self, email):
        self.call("POST", "/auth/signup", {"email": email, "password": password})
        status, data = self.call("POST", "/auth/login", {"email": email, "password": password})
        assert status == 200, (status, data)
        self.token = json.loads(data)["access_token"]


def words(n):
    return " ".join("".join(random.choice(string.ascii_lowercase) for _ in range(random.randint(3, 9))) for _ in range(n))


def realistic_item(index):
    return {
        "title": "%s %d" % (words(2).title(), index),
        "website": "https://%s.example.com/login" % words(1),
        "username": "user.%s@example.com" % words(1),
        "password": "".join(random.choice(string.ascii_letters + string.digits + "!@#$%") for _ in range(20)),
        "notes": words(12),
    }


def wrk(url, token=None):
    command = ["wrk", "-t1", "-c32", "-d%ss" % seconds, url]
    if token:
        command[1:1] = ["-H", "Authorization: Bearer " + token]
    output = subprocess.run(command, capture_output=True, text=True).stdout
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise SystemExit("wrk failed: " + output)


# 1. Throughput against nginx.
client = Client()
client.sign_in("bench-vault@example.com")
ids = []
for index in range(50):
    status, data = client.call("POST", "/passwords", realistic_item(index))
    assert status == 201, (status, data)
    ids.append(json.loads(data)["id"])
status, item_body = client.call("GET", "/passwords/" + ids[0])
status, page_body = client.call("GET", "/passwords?limit=50")
assert len(json.loads(page_body)["items"]) == 50
with open(os.path.join(www, "item.json"), "wb") as f:
    f.write(item_body)
with open(os.path.join(www, "page.json"), "wb") as f:
    f.write(page_body)
os.chmod(os.path.join(www, "item.json"), 0o644)
os.chmod(os.path.join(www, "page.json"), 0o644)

targets = {
    "item": ("http://127.0.0.1:%d/passwords/%s" % (port, ids[0]), "http://127.0.0.1:%d/item.json" % nginx_port, len(item_body), 0.5),
    "page": ("http://127.0.0.1:%d/passwords?limit=50" % port, "http://127.0.0.1:%d/page.json" % nginx_port, len(page_body), 0.25),
}
results = {name: ([], []) for name in targets}
for _ in range(rounds):
    for name, (ours, theirs, _, _) in targets.items():
        results[name][0].append(wrk(ours, client.token))
        results[name][1].append(wrk(theirs))
for name, (ours, theirs, size, target) in targets.items():
    kh, ng = statistics.median(results[name][0]), statistics.median(results[name][1])
    label = "GET /passwords/{id}      " if name == "item" else "GET /passwords?limit=50  "
    print(f"{label} keyhaven {kh:8.0f} req/s   nginx {ng:8.0f} req/s ({size} bytes)   ratio {kh / ng:.2f}  (target >= {target})")

# 2. Keyset pagination: latency at 1,000 and at `big` items.
def fill(client, count):
    def worker(offset, stride):
        local = Client()
        local.token = client.token
        for index in range(offset, count, stride):
            status, data = local.call("POST", "/passwords", realistic_item(index))
            assert status == 201, (status, data)
    threads = [threading.Thread(target=worker, args=(offset, 8)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def page_latency(client, total):
    # Walk the whole list, then time the first page and a page ~90% of the way in.
    cursor, seen, cursors = None, 0, []
    while True:
        status, data = client.call("GET", "/passwords?limit=200" + ("&cursor=" + cursor if cursor else ""))
        page = json.loads(data)
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
        cursors.append(cursor)
    assert seen == total, (seen, total)
    deep = cursors[int(len(cursors) * 0.9)]

    def timed(path):
        samples = []
        for _ in range(60):
            start = time.perf_counter()
            status, _ = client.call("GET", path)
            assert status == 200
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)
    return timed("/passwords?limit=50"), timed("/passwords?limit=50&cursor=" + deep)


small, large = Client(), Client()
small.sign_in("bench-small@example.com")
large.sign_in("bench-large@example.com")
fill(small, 1000)
start = time.perf_counter()
fill(large, big)
fill_seconds = time.perf_counter() - start
small_first, small_deep = page_latency(small, 1000)
large_first, large_deep = page_latency(large, big)
print(f"list latency (limit=50): 1,000 items first {small_first * 1000:.2f} ms, deep {small_deep * 1000:.2f} ms; "
      f"{big:,} items first {large_first * 1000:.2f} ms, deep {large_deep * 1000:.2f} ms   "
      f"ratio {max(large_first / small_first, large_deep / small_deep):.2f}  (target <= 1.5; {big:,} items written in {fill_seconds:.0f} s)")

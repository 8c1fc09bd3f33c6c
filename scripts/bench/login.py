#!/usr/bin/env python3
"""Login benchmark for `make bench` (standard library only).

1. The limit: cores / (time of one bcrypt at the server's cost), the bcrypt timed here through
   ctypes on the very library the server uses (libxcrypt's crypt_rn).
2. Logins per second at that cost, with enough concurrent clients to keep every core busy,
   against the limit. Requests spread over many accounts and (through a trusted proxy header)
   many client addresses, so the real rate limiter is exercised but is not what is measured.
3. The p99 latency of GET /auth/me, sequential probes, idle and while logins saturate the CPU.
"""
import ctypes
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time

port, cost = int(sys.argv[1]), int(sys.argv[2])
load_only = len(sys.argv) > 3 and sys.argv[3] == "--load"
seconds = float(os.environ.get("BENCH_SECONDS", "10"))
accounts = 60
password = "correct horse battery staple"


def one_bcrypt_seconds(rounds=5):
    libcrypt = ctypes.CDLL("libcrypt.so.1")
    libcrypt.crypt_gensalt_rn.restype = ctypes.c_char_p
    libcrypt.crypt_rn.restype = ctypes.c_char_p
    setting = ctypes.create_string_buffer(64)
    libcrypt.crypt_gensalt_rn(b"$2b$", ctypes.c_ulong(cost), None, 0, setting, 64)
    data = ctypes.create_string_buffer(32768 + 1024)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        libcrypt.crypt_rn(b"x" * 44, setting.value, data, len(data))
        best = min(best, time.perf_counter() - start)
    return best


def request(method, path, body=None, token=None, address=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    headers["X-Forwarded-For"] = address or "10.%d.%d.%d" % (random.randrange(256), random.randrange(256), random.randrange(1, 255))
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


emails = ["bench%d@example.com" % i for i in range(accounts)]


def login_loop(worker, stop, done, lock):
    index = worker
    while not stop.is_set():
        status, _ = request("POST", "/auth/login", {"email": emails[index % accounts], "password": password})
        if status == 200:
            with lock:
                done.append(time.perf_counter())
        index += 7


if load_only:
    # The load generator runs in its own process, so the latency probe below does not share a
    # Python interpreter (and its lock) with it. It prints logins per second over its window.
    duration = float(sys.argv[4])
    stop, done, lock = threading.Event(), [], threading.Lock()
    threads = [threading.Thread(target=login_loop, args=(i, stop, done, lock)) for i in range((os.cpu_count() or 2) * 4)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # warm up: the pool is saturated
    with lock:
        before = len(done)
    start = time.perf_counter()
    time.sleep(duration)
    with lock:
        logins = len(done) - before
    window = time.perf_counter() - start
    stop.set()
    for thread in threads:
        thread.join()
    print(logins / window, window)
    sys.exit(0)

for email in emails:
    status, _ = request("POST", "/auth/signup", {"email": email, "password": password})
    assert status in (201, 409), status
status, data = request("POST", "/auth/login", {"email": emails[0], "password": password})
assert status == 200, (status, data)
token = json.loads(data)["access_token"]


def probe(duration):
    latencies = []
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        start = time.perf_counter()
        status, _ = request("GET", "/auth/me", token=token, address="10.255.0.1")
        assert status == 200, status
        latencies.append(time.perf_counter() - start)
        time.sleep(0.005)
    latencies.sort()
    return latencies[int(len(latencies) * 0.99) - 1], len(latencies)


idle_p99, idle_count = probe(min(seconds, 5))
load = subprocess.Popen([sys.executable, __file__, str(port), str(cost), "--load", str(seconds)], stdout=subprocess.PIPE, text=True)
time.sleep(2)
busy_p99, busy_count = probe(seconds)
rate, window = map(float, load.communicate()[0].split())

cores = os.cpu_count()
bcrypt = one_bcrypt_seconds()
limit = cores / bcrypt
print(f"bcrypt cost {cost}: one hash {bcrypt * 1000:.0f} ms, limit {cores} cores / that = {limit:.2f} logins/s")
print(f"logins     {rate:8.2f} /s over {window:.0f} s   ratio to limit {rate / limit:.2f}  (target >= 0.85)")
print(f"GET /auth/me p99: idle {idle_p99 * 1000:.2f} ms ({idle_count} probes), during logins {busy_p99 * 1000:.2f} ms ({busy_count} probes)"
      f"   ratio {busy_p99 / idle_p99:.1f}x  (target <= 5x)")

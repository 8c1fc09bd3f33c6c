"""make soak: mixed traffic against a release server for a fixed time at a steady rate.

usage: soak.py KEYHAVEN_BINARY [SECONDS]

Starts a local GitHub imitation (just what a scan needs: OAuth, repositories, commits, trees,
blobs) and `keyhaven serve` (SQLite, plain HTTP on loopback), signs up users, links GitHub, and
then, every second: logins, item writes and reads, list pages, health checks, and a GitHub scan
every 10 s. It fails on any 5xx, on RSS growth over 10% between the end of the warm-up and the
end, or on more open file descriptors at the end than after the warm-up (connections included).
Results are written to docs/RESULTS.md (the "Soak" section).
"""
import base64
import hashlib
import http.server
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FILES = {f"src/module{i}.py": f"def f{i}():\n    return {i}\n" for i in range(40)}
FILES["config/prod.env"] = "DB_PASSWORD=Xk9!mP2vL8qR4twZ\n"


def blob_sha(text):
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FakeGitHub(http.server.BaseHTTPRequestHandler):
    codes = {}
    tokens = set()
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/login/oauth/authorize":
            code = os.urandom(8).hex()
            with self.lock:
                self.codes[code] = query["code_challenge"]
            target = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
            return self.reply(302, b"", [("Location", target)])
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token not in self.tokens:
            return self.reply(401, {"message": "Bad credentials"})
        if url.path == "/user":
            return self.reply(200, {"id": 4242, "login": "soak"})
        if url.path == "/user/emails":
            return self.reply(200, [{"email": "soak-gh@example.com", "primary": True, "verified": True}])
        m = re.fullmatch(r"/repos/soak/app(/.*)?", url.path)
        if not m:
            return self.reply(404, {"message": "Not Found"})
        rest = m.group(1) or ""
        if rest == "":
            return self.reply(200, {"full_name": "soak/app", "private": True, "default_branch": "main", "html_url": "https://github.com/soak/app"})
        if rest == "/commits/main":
            return self.reply(200, {"sha": "c" * 40, "commit": {"tree": {"sha": "a" * 40}}})
        if rest.startswith("/git/trees/"):
            entries = [{"path": p, "type": "blob", "sha": blob_sha(t), "size": len(t)} for p, t in FILES.items()]
            return self.reply(200, {"sha": "a" * 40, "tree": entries, "truncated": False})
        if rest.startswith("/git/blobs/"):
            sha = rest.rsplit("/", 1)[1]
            for text in FILES.values():
                if blob_sha(text) == sha:
                    return self.reply(200, text.encode())
        return self.reply(404, {"message": "Not Found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        with self.lock:
            challenge = self.codes.pop(form.get("code"), None)
        verifier = form.get("code_verifier", "")
        expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != expected:
            return self.reply(200, {"error": "bad_verification_code"})
        token = "gho_" + os.urandom(16).hex()
        self.tokens.add(token)
        return self.reply(200, {"access_token": token, "token_type": "bearer"})


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Client:
    def __init__(self, base):
        self.base = base
        self.statuses = {}
        self.lock = threading.Lock()

    def call(self, method, path, body=None, token=None, count=True, client_ip=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if client_ip:
            request.add_header("X-Forwarded-For", client_ip)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            status, payload = 599, str(error).encode()
        if count:
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, None


def fd_targets(pid):
    targets = []
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            targets.append(os.readlink(f"/proc/{pid}/fd/{name}"))
        except OSError:
            pass
    return sorted(re.sub(r"\[\d+\]", "[…]", t) for t in targets)


def process_stats(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, fds


def main():
    binary = os.path.abspath(sys.argv[1])
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    warmup = min(60, seconds // 5)
    github_port = free_port()
    github = http.server.ThreadingHTTPServer(("127.0.0.1", github_port), FakeGitHub)
    threading.Thread(target=github.serve_forever, daemon=True).start()
    data = tempfile.mkdtemp(prefix="keyhaven-soak.")
    port = free_port()
    env = dict(os.environ, KEYHAVEN_ENV="test", KEYHAVEN_DATA_DIR=data, KEYHAVEN_TLS="off", KEYHAVEN_BCRYPT_COST="10",
               KEYHAVEN_LISTEN=f"127.0.0.1:{port}", KEYHAVEN_GITHUB_CLIENT_ID="soak", KEYHAVEN_GITHUB_CLIENT_SECRET="soak-secret",
               KEYHAVEN_GITHUB_API_URL=f"http://127.0.0.1:{github_port}", KEYHAVEN_GITHUB_WEB_URL=f"http://127.0.0.1:{github_port}",
               KEYHAVEN_PUBLIC_URL=f"http://127.0.0.1:{port}", KEYHAVEN_TRUSTED_PROXIES="127.0.0.1/32")
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    client = Client(f"http://127.0.0.1:{port}")
    try:
        for _ in range(100):
            if client.call("GET", "/healthz", count=False)[0] == 200:
                break
            time.sleep(0.1)
        users = []
        for index in range(12):
            email = f"soak{index}@example.com"
            client.call("POST", "/auth/signup", {"email": email, "password": "correct horse battery staple"}, count=False)
            status, tokens = client.call("POST", "/auth/login", {"email": email, "password": "correct horse battery staple"}, count=False)
            users.append({"email": email, "token": tokens["access_token"], "refresh": tokens["refresh_token"], "items": []})
        # Link GitHub for the first user (the browser's part done by hand).
        owner = users[0]
        _, start = client.call("GET", "/auth/github/login", token=owner["token"], count=False)
        opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a: None}))
        try:
            opener.open(start["authorize_url"])
        except urllib.error.HTTPError as redirect:
            callback = urllib.parse.urlparse(redirect.headers["Location"])
            client.call("GET", callback.path + "?" + callback.query, count=False)

        stop = time.monotonic() + seconds
        marks = {}
        rng = random.Random(7)

        def steady(work, per_second):
            interval = 1.0 / per_second
            next_at = time.monotonic()
            while time.monotonic() < stop:
                work()
                next_at += interval
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)

        def login():
            # A login, a request with it, and a logout (so sessions do not pile up); the item
            # traffic keeps using each user's first session.
            user = rng.choice(users)
            # From many addresses (as behind a proxy), so the per-address login limit is not what is measured.
            address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            status, tokens = client.call("POST", "/auth/login", {"email": user["email"], "password": "correct horse battery staple"}, client_ip=address)
            if status == 200:
                client.call("GET", "/auth/me", token=tokens["access_token"])
                client.call("POST", "/auth/logout", {"refresh_token": tokens["refresh_token"]}, token=tokens["access_token"])

        def write():
            user = rng.choice(users)
            status, item = client.call("POST", "/passwords", {"title": f"site {rng.randrange(10**6)}", "password": os.urandom(9).hex(), "website": "https://example.com"}, token=user["token"])
            if status == 201:
                user["items"].append(item["id"])
                if len(user["items"]) > 200:
                    client.call("DELETE", "/passwords/" + user["items"].pop(0), token=user["token"])

        def read():
            user = rng.choice(users)
            if user["items"]:
                client.call("GET", "/passwords/" + rng.choice(user["items"]), token=user["token"])
            client.call("GET", "/passwords?limit=50", token=user["token"])

        def scan():
            status, body = client.call("POST", "/github/scan", {"repositories": ["soak/app"]}, token=owner["token"])
            if status == 202:
                for _ in range(100):
                    status, job = client.call("GET", f"/github/scans/{body['scan_id']}", token=owner["token"])
                    if status != 200 or job["status"] in ("completed", "failed"):
                        break
                    time.sleep(0.2)

        def burst():
            # Fill the bounded pools (database readers, server threads) before the baseline, so
            # that their growth is not mistaken for a leak.
            workers = [threading.Thread(target=lambda: [read() for _ in range(20)]) for _ in range(16)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()

        series = []

        def sample():
            time.sleep(max(0, warmup - 10))
            burst()
            time.sleep(10)
            marks["start"] = process_stats(server.pid)
            marks["start_fds"] = fd_targets(server.pid)
            while time.monotonic() < stop - 32:
                time.sleep(30)
                series.append(process_stats(server.pid))
            time.sleep(max(0, stop - time.monotonic() - 2))
            marks["end"] = process_stats(server.pid)

        threads = [threading.Thread(target=steady, args=(work, rate)) for work, rate in
                   [(login, 1), (write, 5), (read, 10), (scan, 0.1), (lambda: client.call("GET", "/healthz"), 2)]]
        threads.append(threading.Thread(target=sample))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(3)  # let keep-alive connections close
        after_idle = process_stats(server.pid)
        idle_fds = fd_targets(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
        github.shutdown()
    total = sum(client.statuses.values())
    server_errors = sum(count for status, count in client.statuses.items() if status >= 500)
    rss_start, fds_start = marks["start"]
    rss_end, fds_end = marks["end"]
    growth = (rss_end - rss_start) / rss_start
    ok = server_errors == 0 and growth <= 0.10 and after_idle[1] <= fds_start
    if after_idle[1] > fds_start:
        extra = list(idle_fds)
        for target in marks["start_fds"]:
            if target in extra:
                extra.remove(target)
        print("descriptors open at the end that were not after the warm-up:", extra)
    report = (f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {seconds} s at about 18 requests/s (1 login + me + logout, "
              f"5 item writes, 10 reads, 2 health checks per second, a GitHub scan every 10 s), {total} requests, "
              f"statuses {dict(sorted(client.statuses.items()))}, 5xx: {server_errors}. RSS {rss_start // 1024} MB after the "
              f"{warmup} s warm-up, {rss_end // 1024} MB at the end ({growth:+.1%}, limit +10%). Open file descriptors: "
              f"{fds_start} after the warm-up, {fds_end} under load at the end, {after_idle[1]} when idle after. "
              f"RSS every 30 s (MB): {[r // 1024 for r, _ in series]}. "
              f"Result: {'PASS' if ok else 'FAIL'}.")
    print(report)
    write_results("Soak", "`make soak` (scripts/soak.py)", report)
    sys.exit(0 if ok else 1)


def write_results(section, command, line):
    path = os.path.join(ROOT, "docs/RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "# Results\n\nWritten by the commands named in each section; the newest run first.\n"
    header = f"## {section}\n\nBy {command}.\n\n"
    if f"## {section}\n" in text:
        start = text.index(f"## {section}\n")
        body_start = text.index("\n\n", text.index("\n\n", start) + 2) + 2
        text = text[:body_start] + line + "\n" + text[body_start:]
    else:
        text = text.rstrip("\n") + "\n\n" + header + line + "\n"
    open(path, "w").write(text)


if __name__ == "__main__":
    main()

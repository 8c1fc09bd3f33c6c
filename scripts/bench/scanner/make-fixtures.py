"""Writes Tests/KeyhavenScannerTests/Fixtures/rule-cases.json: for every built-in rule, true
positives (text + the secret it holds) and near misses, from secretgen's random generators with
a fixed seed so the file is reproducible."""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import secretgen  # noqa: E402

root = os.path.join(os.path.dirname(__file__), "../../..")
rules = json.load(open(os.path.join(root, "Sources/KeyhavenScanner/rules.json")))["rules"]
rng = random.Random(20261204)
cases = []
missing = []
for rule in rules:
    gen = secretgen.G.get(rule["id"])
    if gen is None:
        missing.append(rule["id"])
        continue
    for _ in range(3):
        text, secret, near = gen(rng)
        assert text.count(secret) == 1, (rule["id"], text, secret)
        cases.append({"rule": rule["id"], "text": text, "secret": secret, "near_miss": near})
if missing:
    sys.exit("no generator for: " + ", ".join(missing))
out = os.path.join(root, "Tests/KeyhavenScannerTests/Fixtures/rule-cases.json")
with open(out, "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")
print(f"{len(cases)} cases for {len(rules)} rules -> {os.path.relpath(out, root)}")

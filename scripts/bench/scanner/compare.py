"""Runs Keyhaven's scanner and the installed peers over a labelled corpus and prints, from the
same run, recall, precision, F1, MB/s and peak RSS for each.

usage: compare.py CORPUS_DIR KEYHAVEN_BINARY PEERS_BIN_DIR [--rounds N] [--tools a,b]

Every tool runs with all cores and its default rules; secret validation against providers is
off (no network here). Each tool runs --rounds times, interleaved with the others; the fastest
run counts (the machine is shared and noisy). MB/s is the corpus size (all files, binary ones
included) over wall-clock seconds, start-up included.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CORES = os.cpu_count() or 1


def tools(keyhaven, peers, tree, out):
    return {
        "keyhaven": ([keyhaven, "scan", tree, "--format", "json", "--output", out], parse_keyhaven),
        "kingfisher": ([f"{peers}/kingfisher", "scan", tree, "--format", "json", "--output", out, "--no-validate",
                        "--no-dedup", "--jobs", str(CORES), "--quiet", "--no-update-check"], parse_kingfisher),
        "betterleaks": ([f"{peers}/betterleaks", "fs", tree, "--output", out, "--no-banner", "--silent",
                         "--exit-code", "0", "--log-level", "error"], parse_betterleaks),
        # detect-secrets walks "." from inside the tree (given an outside path from within a git
        # checkout it reports nothing).
        "detect-secrets": ([f"{peers}/detect-secrets", "scan", "--all-files", "."], None),
    }


def relative(path):
    marker = "tree/"
    index = path.find(marker)
    return path[index + len(marker):] if index >= 0 else path


def parse_keyhaven(data):
    return [(relative(f["path"]), f["line"]) for f in json.loads(data)["findings"]]


def parse_kingfisher(data):
    return [(relative(f["finding"]["path"]), f["finding"]["line"]) for f in json.loads(data)["findings"]]


def parse_betterleaks(data):
    return [(relative(f["location"]["path"]), f["location"]["start_line"]) for f in json.loads(data)["findings"]]


def parse_detect_secrets(data):
    results = json.loads(data)["results"]
    return [(relative(path), item["line_number"]) for path, items in results.items() for item in items]


def run(command, cwd=None):
    """Runs `command` in a child that reports its own peak RSS; returns (seconds, stdout, rss_kb)."""
    wrapper = ("import resource, subprocess, sys\n"
               "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
               "sys.stdout.buffer.write(p.stdout)\n"
               "sys.stderr.write('RSS %d RC %d\\n' % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode))\n")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", wrapper] + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    seconds = time.monotonic() - start
    status = proc.stderr.decode().strip().split("\n")[-1].split()
    if len(status) != 4 or status[0] != "RSS":
        raise SystemExit(f"could not run {command[0]}: {proc.stderr.decode().strip()[-300:]}")
    return seconds, proc.stdout, int(status[1]), int(status[3])


def score(found, labels):
    spans = {}
    for label in labels:
        spans.setdefault(label["path"], []).append(label)
    locations = set(found)
    true_locations = 0
    hit = set()
    for path, line in locations:
        matched = False
        for index, label in enumerate(spans.get(path, [])):
            if label["start_line"] <= line <= label["end_line"]:
                hit.add((path, index))
                matched = True
        true_locations += matched
    recall = len(hit) / len(labels) if labels else 0.0
    precision = true_locations / len(locations) if locations else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return recall, precision, f1, len(locations)


def per_rule_misses(found, labels):
    located = set(found)
    misses = {}
    for label in labels:
        if not any((label["path"], line) in located for line in range(label["start_line"], label["end_line"] + 1)):
            misses[label["rule"]] = misses.get(label["rule"], 0) + 1
    return misses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("keyhaven")
    parser.add_argument("peers")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tools", default="keyhaven,kingfisher,betterleaks,detect-secrets")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    args.keyhaven, args.peers = os.path.abspath(args.keyhaven), os.path.abspath(args.peers)
    meta = json.load(open(os.path.join(args.corpus, "labels.json")))
    tree = os.path.join(os.path.abspath(args.corpus), "tree")
    megabytes = meta["bytes"] / 1e6
    wanted = args.tools.split(",")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for round_number in range(args.rounds):
            for name in wanted:
                out = os.path.join(scratch, f"{name}.json")
                command, parser_fn = tools(args.keyhaven, args.peers, tree, out)[name]
                if name != "keyhaven" and not os.path.exists(command[0]):
                    continue
                if os.path.exists(out):
                    os.remove(out)
                seconds, stdout, rss, status = run(command, cwd=tree if name == "detect-secrets" else None)
                data = stdout if parser_fn is None else open(out, "rb").read()
                found = (parse_detect_secrets if parser_fn is None else parser_fn)(data)
                best = results.get(name)
                if best is None or seconds < best["seconds"]:
                    results[name] = {"seconds": seconds, "rss_mb": rss / 1024, "found": found, "status": status}
    print(f"corpus: {meta['files']} files, {megabytes:.1f} MB, {len(meta['labels'])} planted secrets; "
          f"{CORES} cores; best of {args.rounds} interleaved runs")
    print(f"{'tool':15} {'recall':>7} {'precision':>9} {'F1':>6} {'findings':>9} {'MB/s':>8} {'seconds':>8} {'peak RSS':>9}")
    summary = {}
    for name in wanted:
        if name not in results:
            print(f"{name:15} (not installed)")
            continue
        r = results[name]
        recall, precision, f1, count = score(r["found"], meta["labels"])
        speed = megabytes / r["seconds"]
        summary[name] = {"recall": recall, "precision": precision, "f1": f1, "mb_per_s": speed, "rss_mb": r["rss_mb"]}
        print(f"{name:15} {recall:7.3f} {precision:9.3f} {f1:6.3f} {count:9d} {speed:8.1f} {r['seconds']:8.2f} {r['rss_mb']:7.0f} MB")
    if "keyhaven" in results:
        misses = per_rule_misses(results["keyhaven"]["found"], meta["labels"])
        if misses:
            print("keyhaven misses by rule:", ", ".join(f"{k} {v}" for k, v in sorted(misses.items())))
        peers = [summary[n]["mb_per_s"] for n in ("kingfisher", "betterleaks") if n in summary]
        if peers:
            print(f"keyhaven speed / faster of kingfisher and betterleaks: {summary['keyhaven']['mb_per_s'] / max(peers):.2f}  (target >= 1.0)")
    if args.json:
        json.dump(summary, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Merge the JUnit files of a sharded e2e run into one report.

Usage: merge-junit.py [-o OUT] FILE...
       merge-junit.py --times FILE...

Each FILE is what tests/e2e/run.sh --junit wrote (one <testsuite>, or a
<testsuites> holding several). The merged report is one <testsuite
name="hvpci-e2e"> whose totals (tests, failures, errors, skipped) are
counted from its testcases, whose time is the sum of the parts' times, and
whose testcases are sorted by kernel (classname) and name, so that any
split merges to the same order. It is written to OUT (default: stdout).

A part written with --shard K/N says so (properties "shard" and "runs"):
then every part 1..N must be there exactly once and the testcases must add
up to the runs of the whole selection. A testcase (kernel and name) found
twice is an error whether or not the parts say they are shards. On any
error nothing is written and the exit status is 1; wrong arguments exit 64.

--times prints, instead of a report, the median time of every scenario
name over the given files' runs that passed, as "NAME<TAB>SECONDS"
lines: the format of tests/e2e/run-times.tsv, which run.sh --shard balances
by.
"""
import statistics
import sys
import xml.etree.ElementTree as ET


def usage_error(msg):
    print(f"merge-junit.py: {msg} (try --help)", file=sys.stderr)
    sys.exit(64)


def fail(msg):
    print(f"merge-junit.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def suites_of(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        fail(f"cannot read {path}: {e}")
    if root.tag == "testsuite":
        return [root]
    if root.tag == "testsuites":
        return root.findall("testsuite")
    fail(f"{path} is no JUnit file (root element <{root.tag}>)")
    return []


def props(suite):
    return {p.get("name"): p.get("value") for p in suite.findall("properties/property")}


def times(files):
    seen = {}
    for f in files:
        for s in suites_of(f):
            for tc in s.findall("testcase"):
                # a failed run's time may be a time limit's, not its own
                if tc.get("time") is None or any(
                        tc.find(t) is not None for t in ("skipped", "failure", "error")):
                    continue
                seen.setdefault(tc.get("name"), []).append(float(tc.get("time")))
    print("# NAME<TAB>SECONDS: median time of the passing runs, for tests/e2e/run.sh --shard;")
    print(f"# made by tests/e2e/merge-junit.py --times from {len(files)} JUnit file(s)")
    for name in sorted(seen):
        print(f"{name}\t{statistics.median(seen[name]):.1f}")


def merge(files, out):
    cases, where = [], {}
    total_time = 0.0
    shards, runs, n_of = {}, set(), set()
    for f in files:
        for s in suites_of(f):
            total_time += float(s.get("time") or 0)
            p = props(s)
            if "shard" in p:
                try:
                    k, n = (int(x) for x in p["shard"].split("/"))
                except ValueError:
                    fail(f"{f}: bad shard property '{p['shard']}'")
                if k in shards:
                    fail(f"shard {k}/{n} is given twice: {shards[k]} and {f}")
                shards[k] = f
                n_of.add(n)
                if "runs" in p:
                    runs.add(p["runs"])
            for tc in s.findall("testcase"):
                key = (tc.get("classname") or "", tc.get("name") or "")
                if key in where:
                    fail(f"{key[1]} [{key[0]}] is in {where[key]} and in {f}: the parts overlap")
                where[key] = f
                cases.append((key, tc))
    if shards:
        if len(n_of) != 1:
            fail(f"the parts come from different splits (N = {sorted(n_of)})")
        n = n_of.pop()
        missing = [k for k in range(1, n + 1) if k not in shards]
        if missing:
            fail(f"shard(s) {', '.join(f'{k}/{n}' for k in missing)} missing")
        if len(runs) > 1:
            fail(f"the parts come from different selections (runs = {sorted(runs)})")
        want = runs.pop() if runs else None
        if want is not None and int(want) != len(cases):
            fail(f"the parts hold {len(cases)} runs, their selection has {want}")
    cases.sort(key=lambda c: c[0])
    failures = sum(tc.find("failure") is not None for _, tc in cases)
    errors = sum(tc.find("error") is not None for _, tc in cases)
    skipped = sum(tc.find("skipped") is not None for _, tc in cases)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuite name="hvpci-e2e" tests="{len(cases)}" failures="{failures}" '
             f'errors="{errors}" skipped="{skipped}" time="{total_time:.1f}">']
    for _, tc in cases:
        tc.tail = None
        lines.append("  " + ET.tostring(tc, encoding="unicode"))
    lines.append("</testsuite>")
    text = "\n".join(lines) + "\n"
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    print(f"merge-junit.py: {len(files)} file(s), {len(cases)} tests, {failures} failed, "
          f"{errors} errors, {skipped} skipped", file=sys.stderr)


def main(argv):
    out, mode, files = None, "merge", []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("-o", "--out"):
            if i + 1 >= len(argv):
                usage_error(f"{a} needs a value")
            out = argv[i + 1]
            i += 2
            continue
        if a == "--times":
            mode = "times"
        elif a.startswith("-") and a != "-":
            usage_error(f"unknown option: {a}")
        else:
            files.append(a)
        i += 1
    if not files:
        usage_error("no JUnit files given")
    if mode == "times":
        times(files)
    else:
        merge(files, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""JSON encode/decode workload for Crowdspeed (written for this project).

Builds one deterministic payload, then times `dumps` and `loads` of it with many iterations inside
this process.  Payloads come from a 64-bit linear congruential generator, not the `random`
module, so every interpreter and version builds byte-identical data.  Floats are multiples of
1/1024, whose shortest repr is identical everywhere.

Usage: jsonbench.py PAYLOAD LIBRARY
  PAYLOAD: records | nested | text | numbers
  LIBRARY: json | simplejson
Prints exactly one line: CROWDSPEED {json}.  Exit status 3 when LIBRARY cannot be imported.
Runs on Python 3.6+ (PyPy 3.9 included).
"""
import json
import sys
import time

VERSION = "1"

# Iterations per payload, fixed (they are part of VERSION): about 0.2-0.5 s per phase on PyPy.
ITERATIONS = {"records": 60, "nested": 20, "text": 60, "numbers": 30}

WORDS = ["alpha", "beta", "gamma", "delta", "nursery", "cache", "pypy", "sweep", "round", "sample",
         "caf\u00e9", "na\u00efve", "\u00fcber", "\u65e5\u672c", "\u0436\u0443\u043a", "quote\"d", "back\\slash",
         "tab\tbed", "new\nline", "\U0001f40d"]


class LCG(object):
    """Knuth's MMIX 64-bit LCG; the high bits are used since the low ones are weak."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        return self.state >> 33

    def below(self, n):
        return self.next() % n

    def number(self):
        return (self.next() % 2000000 - 1000000) / 1024.0

    def word(self):
        return WORDS[self.below(len(WORDS))]


def make_records(rng):
    records = []
    for i in range(2000):
        records.append({
            "id": i,
            "name": rng.word() + "-" + str(rng.below(100000)),
            "score": rng.number(),
            "active": rng.below(2) == 1,
            "parent": None if rng.below(4) == 0 else rng.below(2000),
            "tags": [rng.word() for _ in range(rng.below(5))],
        })
    return records


def make_nested(rng, depth=7):
    if depth == 0:
        choice = rng.below(4)
        return [rng.number(), rng.word(), rng.below(1000), None][choice]
    if rng.below(2):
        return dict(("k%d_%s" % (i, rng.word()), make_nested(rng, depth - 1)) for i in range(4))
    return [make_nested(rng, depth - 1) for _ in range(4)]


def make_text(rng):
    return [" ".join(rng.word() for _ in range(1 + rng.below(30))) for _ in range(3000)]


def make_numbers(rng):
    return [rng.number() if i % 2 else rng.below(1 << 40) - (1 << 39) for i in range(40000)]


PAYLOADS = {"records": make_records, "nested": make_nested, "text": make_text, "numbers": make_numbers}


def timed(function, iterations):
    wall0 = time.perf_counter()
    cpu0 = time.process_time()
    for _ in range(iterations):
        result = function()
    return result, (time.perf_counter() - wall0) * 1000.0, (time.process_time() - cpu0) * 1000.0


def main(argv):
    if len(argv) != 3 or argv[1] not in PAYLOADS or argv[2] not in ("json", "simplejson"):
        sys.stderr.write("usage: jsonbench.py records|nested|text|numbers json|simplejson\n")
        return 2
    payload_name, library = argv[1], argv[2]
    try:
        module = __import__(library)
    except ImportError:
        sys.stderr.write("%s is not importable\n" % library)
        return 3
    data = PAYLOADS[payload_name](LCG(20240601))
    iterations = ITERATIONS[payload_name]
    text, dumps_wall, dumps_cpu = timed(lambda: module.dumps(data), iterations)
    decoded, loads_wall, loads_cpu = timed(lambda: module.loads(text), iterations)
    if decoded != data:
        sys.stderr.write("round trip changed the payload\n")
        return 4
    record = {
        "benchmark": "json",
        "version": VERSION,
        "payload": payload_name,
        "library": library,
        "iterations": iterations,
        "bytes": len(text),
        "dumps_wall_ms": round(dumps_wall, 3),
        "dumps_cpu_ms": round(dumps_cpu, 3),
        "loads_wall_ms": round(loads_wall, 3),
        "loads_cpu_ms": round(loads_cpu, 3),
    }
    sys.stdout.write("CROWDSPEED " + json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

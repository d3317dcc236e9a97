"""GCBench-style allocation workload for Crowdspeed (written for this project).

After Ellis, Kovac and Boehm's GCBench: a long-lived binary tree and a long-lived float array stay
alive for the whole run, while short-lived trees of several depths are built top-down (populate an
empty node) and bottom-up (build children first).  Almost every allocation dies young, so the run
time is dominated by minor collections and is sensitive to the GC nursery size.

Usage: gcbench.py [DEPTH]   (DEPTH = stretch-tree depth, default 18; the rest scale from it)
Prints exactly one line: CROWDSPEED {json}.  Runs on Python 3.6+ (PyPy 3.9 included).
"""
import json
import sys
import time

VERSION = "1"
DEFAULT_DEPTH = 18


class Node(object):
    __slots__ = ("left", "right", "i", "j")

    def __init__(self, left=None, right=None):
        self.left = left
        self.right = right
        self.i = 0
        self.j = 0


def tree_size(depth):
    """Nodes in a complete binary tree of this depth."""
    return (1 << (depth + 1)) - 1


def populate(depth, node):
    """Top-down: the parent exists before its children."""
    while depth > 0:
        depth -= 1
        node.left = Node()
        node.right = Node()
        populate(depth, node.left)
        node = node.right


def make_tree(depth):
    """Bottom-up: children are built before the parent that holds them."""
    if depth <= 0:
        return Node()
    return Node(make_tree(depth - 1), make_tree(depth - 1))


def check(node):
    """Counts nodes, so the trees cannot be optimised away and a broken build is noticed."""
    count = 0
    stack = [node]
    while stack:
        node = stack.pop()
        count += 1
        if node.left is not None:
            stack.append(node.left)
            stack.append(node.right)
    return count


def time_construction(depth, stretch_depth):
    iterations = 2 * tree_size(stretch_depth) // tree_size(depth)
    total = 0
    for _ in range(iterations):
        root = Node()
        populate(depth, root)
        total += root.left is not None
    for _ in range(iterations):
        root = make_tree(depth)
        total += root.right is not None
    return total


def run(stretch_depth):
    long_lived_depth = stretch_depth - 2
    array_size = 1 << (stretch_depth + 1)
    min_depth = 4
    max_depth = long_lived_depth

    # A stretch tree, to make the heap grow to its working size before the long-lived data.
    checksum = check(make_tree(stretch_depth))

    long_lived = Node()
    populate(long_lived_depth, long_lived)
    array = [0.0] * array_size
    for i in range(array_size // 2):
        array[i] = 1.0 / (i + 1)

    for depth in range(min_depth, max_depth + 1, 2):
        checksum += time_construction(depth, stretch_depth)

    # Touch the long-lived data at the end so it really is live for the whole run.
    checksum += check(long_lived)
    if array[1000] != 1.0 / 1001:
        raise AssertionError("long-lived array was corrupted")
    return checksum


def main(argv):
    depth = int(argv[1]) if len(argv) > 1 else DEFAULT_DEPTH
    if not 6 <= depth <= 24:
        sys.stderr.write("depth must be within 6..24\n")
        return 2
    wall0 = time.perf_counter()
    cpu0 = time.process_time()
    checksum = run(depth)
    cpu_ms = (time.process_time() - cpu0) * 1000.0
    wall_ms = (time.perf_counter() - wall0) * 1000.0
    record = {
        "benchmark": "gcbench",
        "version": VERSION,
        "size": depth,
        "checksum": checksum,
        "wall_ms": round(wall_ms, 3),
        "cpu_ms": round(cpu_ms, 3),
    }
    sys.stdout.write("CROWDSPEED " + json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Run a command and print one JSON line: wall seconds, peak RSS of the command (kB), exit code.

  measure.py [--stdout FILE] -- COMMAND ARGS...

Peak memory comes from getrusage(RUSAGE_CHILDREN).ru_maxrss, the kernel's high-water mark of the
child, so it is exact and costs nothing while the command runs.
"""
import json
import resource
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    out = None
    if args[:1] == ["--stdout"]:
        out, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    sink = open(out, "wb") if out else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.run(args, stdout=sink, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": round(seconds, 3), "peak_kb": peak, "code": proc.returncode,
                      "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}))


if __name__ == "__main__":
    main()

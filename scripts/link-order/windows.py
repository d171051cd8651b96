#!/usr/bin/env python3
"""Which 64 KiB windows of .text a traced command reached, and with what.

    windows.py BINARY MAPFILE TRACE [--all]

TRACE is fntrace's list of the functions the command reached. The kernel maps the whole
64 KiB window around each fault in the executable (or each large folio in it), so every
window listed costs up to 64 KiB of the command's peak RSS. Each line gives the window, how
many functions the command reached in it, and the first; windows where it reached three or
fewer are marked "lone": calls worth keeping off the hot path (bench/README.md, "Where a
Locker process's memory goes").
--all lists every function of each window.
"""
import bisect
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import order  # noqa: E402

WINDOW = 64 * 1024


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: windows.py BINARY MAPFILE TRACE [--all]")
    binary, mapfile, trace = sys.argv[1:4]
    every = "--all" in sys.argv[4:]
    names, _ = order.symbols(binary)
    secs = order.input_sections(mapfile)
    starts = [s[0] for s in secs]
    windows = {}
    for line in open(trace):
        a = int(line, 16)
        i = bisect.bisect_right(starts, a) - 1
        obj = secs[i][3].split("/")[-1] if i >= 0 else "?"
        windows.setdefault(a // WINDOW, []).append((obj, names.get(a, [f"{a:#x}"])[0]))
    mangled = sorted({n for fs in windows.values() for _, n in fs if n.startswith("$s")})
    out = subprocess.run(["swift-demangle", "--compact", "--simplified"], input="\n".join(mangled),
                         capture_output=True, text=True).stdout.splitlines() if mangled else []
    readable = dict(zip(mangled, out))
    print(f"{len(windows)} windows of 64 KiB ({len(windows) * 64} KiB at most)")
    for w in sorted(windows):
        fs = windows[w]
        mark = "lone" if len(fs) <= 3 else "    "
        obj, name = fs[0]
        print(f"{w * WINDOW:#010x} {len(fs):4d} {mark} {obj[:32]:32s} {readable.get(name, name)[:100]}")
        if every or len(fs) <= 3:
            for obj, name in fs[1:]:
                print(f"{'':21s}{obj[:32]:32s} {readable.get(name, name)[:100]}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turns fntrace's lists of reached functions into lld's --symbol-ordering-file.

    order.py BINARY MAPFILE SCRIPT TRACE... [--data LACKEY...] > symbols.txt

BINARY is the executable the traces ran (its symbol table gives each entry address a name),
MAPFILE the linker map of that link (lld -Map). The traces come in order of importance:
the functions of the first, in the order it first reached them, then those the second adds,
and so on. Each command then touches one stretch at the front of .text: the first trace's
block, or the blocks up to its own. A function whose input section is large and holds other
code (the standard library's one big .text, for instance) is left out: naming it would move
the whole section into the hot region and spread it again.

Functions the compiler left unnamed (LLVM's private `.L__unnamed_N`, `.Lobjectdestroy`: thunks
and helpers) have their own section but no symbol to order by; so do, in effect, local names
that a function in a large shared section repeats. SCRIPT gets a linker script
that gathers those sections, qualified by object file, into .text.hot just before .text,
next to the ordered block. (fntrace is given every section start as well as every symbol,
so it sees them.)

Data goes the same way: each LACKEY file is valgrind's `--tool=lackey --trace-mem=yes` log of
a command, and every data section it read or wrote, in the order first touched, is named by
one of its symbols after the functions. (Sections without a symbol, such as the merged
string pool, stay where they are.)
"""
import bisect
import re
import subprocess
import sys

LARGEST_SHARED_SECTION = 64 * 1024


def symbols(binary):
    """entry address -> names, and name -> every address it names (a local name such as a
    merged function's can repeat across objects, and lld orders every section that has it)."""
    out = subprocess.run(["nm", "--defined-only", binary], check=True, capture_output=True, text=True).stdout
    names, places = {}, {}
    for line in out.splitlines():
        p = line.split(maxsplit=2)
        if len(p) == 3 and p[1] in "tTwW":
            a = int(p[0], 16)
            names.setdefault(a, []).append(p[2])
            places.setdefault(p[2], []).append(a)
    return names, places


def map_rows(mapfile):
    """The rows of lld's map as (vma, size, kind, output section, text). The map has the
    columns VMA LMA Size Align Out In Symbol: an output section follows the alignment after
    one space ("out"), an input section after a few ("in", text FILE:(SECTION)), a symbol
    after more ("sym")."""
    pat = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+( +)(\S.*)$")
    out = None
    for line in open(mapfile, errors="replace"):
        m = pat.match(line.rstrip("\n"))
        if not m:
            continue
        vma, size, gap, rest = int(m.group(1), 16), int(m.group(2), 16), len(m.group(3)), m.group(4)
        if gap == 1:
            out = rest
            yield vma, size, "out", out, rest
        elif gap <= 12 and ":(" in rest:
            yield vma, size, "in", out, rest
        else:
            yield vma, size, "sym", out, rest


def input_sections(mapfile):
    """(start, size, section name, file) of every input section of the output section .text."""
    secs = [(vma, size, rest[rest.rindex(":(") + 2:-1], rest[:rest.rindex(":(")])
            for vma, size, kind, out, rest in map_rows(mapfile)
            if kind == "in" and out == ".text" and rest.endswith(")") and size > 0]
    secs.sort()
    return secs


def data_sections(mapfile):
    """(start, size, output section, input section, first symbol or None) of every input
    section outside the executable code."""
    secs, last = [], None
    for vma, size, kind, out, rest in map_rows(mapfile):
        if kind == "in":
            last = [vma, size, out, rest, None] if size > 0 and out not in (".text", ".text.hot") and vma > 0 else None
            if last:
                secs.append(last)
        elif kind == "sym" and last is not None and last[4] is None:
            last[4] = rest
    secs.sort()
    return secs


def data_order(mapfile, logs):
    secs = data_sections(mapfile)
    starts = [s[0] for s in secs]
    names, seen = [], set()
    for log in logs:
        with open(log) as f:
            for line in f:
                if line[:2] not in (" L", " S", " M"):
                    continue
                a = int(line[3:line.index(",")], 16)
                i = bisect.bisect_right(starts, a) - 1
                if i < 0 or not (secs[i][0] <= a < secs[i][0] + secs[i][1]) or i in seen:
                    continue
                seen.add(i)
                if secs[i][4]:
                    names.append(secs[i][4])
    return names, len(seen)


def containing(secs, starts, addr):
    i = bisect.bisect_right(starts, addr) - 1
    if i >= 0 and secs[i][0] <= addr < secs[i][0] + secs[i][1]:
        return secs[i]
    return None


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: order.py BINARY MAPFILE SCRIPT TRACE...")
    binary, mapfile, script, rest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    traces, logs = (rest[:rest.index("--data")], rest[rest.index("--data") + 1:]) if "--data" in rest else (rest, [])
    names, places = symbols(binary)
    secs = input_sections(mapfile)
    starts = [s[0] for s in secs]
    reached = {}   # entry address -> None, in the order first reached (a dict keeps that order)
    for t in traces:
        for line in open(t):
            reached.setdefault(int(line, 16))

    def shared(a):
        sec = containing(secs, starts, a)
        if sec is not None and sec[1] > LARGEST_SHARED_SECTION and not sec[2].startswith(".text."):
            return sec
        return None

    skipped = {}
    out, unnamed = [], []
    for a in reached:
        sec = shared(a)
        if sec is not None:
            skipped[sec] = skipped.get(sec, 0) + 1
            continue
        # A local name that a function in a large shared section also has (the compiler's
        # merged `objectdestroyTm`, say) cannot be ordered by name without moving that
        # section; such a function is placed by its own section, like an unnamed one.
        named = [n for n in names.get(a, []) if not any(shared(b) for b in places[n])]
        if named:
            out.extend(named)
            continue
        sec = containing(secs, starts, a)
        # An unnamed (or ambiguously named) function in one of this package's objects (not
        # an archive member).
        if sec is not None and sec[0] == a and sec[2].startswith(".text.") and "(" not in sec[3]:
            parts = sec[3].split("/")
            unnamed.append(f"*/{'/'.join(parts[-2:])}({sec[2]})")
    data, touched = data_order(mapfile, logs)
    sys.stdout.write("".join(n + "\n" for n in out + data))
    with open(script, "w") as f:
        f.write("/* Generated by scripts/link-order/generate.sh: hot functions without a symbol. */\n")
        f.write("SECTIONS {\n  .text.hot : {\n")
        f.writelines(f"    {u}\n" for u in unnamed)
        f.write("  }\n}\nINSERT BEFORE .text;\n")
    moved = len(reached) - sum(skipped.values())
    if logs:
        sys.stderr.write(f"order.py: {touched} data sections touched, {len(data)} named\n")
    sys.stderr.write(f"order.py: {len(reached)} functions reached, {moved} placed ({len(unnamed)} unnamed), "
                     f"{sum(skipped.values())} left in {len(skipped)} large shared sections\n")
    for (start, size, name, _), k in sorted(skipped.items(), key=lambda kv: -kv[1]):
        sys.stderr.write(f"  {k:5d} in {name} ({size // 1024} KiB at {start:#x})\n")


if __name__ == "__main__":
    main()

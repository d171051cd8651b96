#!/usr/bin/env bash
# Shows which 64 KiB windows of the executable's code a command reaches, and with what:
#   scripts/link-order/windows.sh [--all] LOCKER-ARGS...
# e.g. `scripts/link-order/windows.sh --root /tmp/r state ID`. Links the current build once
# more with a linker map (the same binary), runs the command under fntrace, and prints
# windows.py's report: a "lone" window is one where the command calls at most three
# functions, often a single standard-library routine that a byte-wise helper can replace.
# Needs root (ptrace of a runtime that clones) and cc.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/link-order
. "$here/lib.sh"
all=()
[ "${1:-}" = --all ] && { all=(--all); shift; }
tmp=$(mktemp -d /tmp/locker-windows.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
build() { scripts/build.sh "$@" >/dev/null 2>"$tmp/build.log" || { cat "$tmp/build.log" >&2; exit 1; }; }
build -Xlinker "-Map=$tmp/locker.map"
cp .build/release/locker "$tmp/locker"
build   # back to the usual link flags
fntrace_build "$tmp"
entries "$tmp/locker" "$tmp/locker.map" > "$tmp/entries"
"$tmp/fntrace" "$tmp/entries" "$tmp/trace" -- "$tmp/locker" "$@" >/dev/null
python3 "$here/windows.py" "$tmp/locker" "$tmp/locker.map" "$tmp/trace" ${all[@]+"${all[@]}"}

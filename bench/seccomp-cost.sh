#!/usr/bin/env bash
# The cost of the default seccomp profile in `locker run`: N runs with it and N without,
# alternated by hyperfine in one invocation; prints medians of wall and CPU (user+sys).
# Usage: bench/seccomp-cost.sh [N]   (LOCKER=path to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
LOCKER=${LOCKER:-$PWD/.build/release/locker}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
work=$(mktemp -d /tmp/seccomp-cost.XXXXXX); chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
export LOCKER_DATA=$work/data
scripts/busybox-rootfs.sh "$work/rootfs" >/dev/null
"$LOCKER" import "$work/rootfs" busybox >/dev/null
R="$LOCKER --root $work/run run --rm busybox true"
hyperfine -N -w 5 -r "$n" --export-json "$work/h.json" "$R" "${R/run --rm/run --rm --security-opt seccomp=unconfined}" >/dev/null
python3 - "$work/h.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
# hyperfine keeps every run's wall time but only the mean of user and system time.
print(f"{'':28} {'wall median ms':>15} {'CPU mean ms':>12}")
for name, x in zip(["default seccomp profile", "seccomp=unconfined"], r):
    print(f"{name:28} {statistics.median(x['times']) * 1e3:15.2f} {(x['user'] + x['system']) * 1e3:12.2f}")
a, b = r
print(f"profile cost: {(statistics.median(a['times']) - statistics.median(b['times'])) * 1e3:+.2f} ms wall, "
      f"{((a['user'] + a['system']) - (b['user'] + b['system'])) * 1e3:+.2f} ms CPU")
PY

#!/usr/bin/env bash
# The cost of the cgroup step: N create+delete pairs of one busybox bundle, with no limits and
# with memory+pids+cpu limits, for Locker and runc in the same run (interleaved per round).
# Usage: bench/cgroup-cost.sh [N]   (LOCKER=path to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
LOCKER=${LOCKER:-$PWD/.build/release/locker}
[ -x "$LOCKER" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v runc >/dev/null || { apt-get update -qq && apt-get install -y -qq runc >/dev/null; }
work=$(mktemp -d /tmp/cgroup-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT
scripts/busybox-rootfs.sh "$work/rootfs" >/dev/null
mk() { # mk DIR LIMITS(0|1)
  mkdir -p "$1"; cp -a "$work/rootfs" "$1/rootfs"
  (cd "$1" && "$LOCKER" spec)
  python3 - "$1/config.json" "$2" <<'PY'
import json, sys
p, lim = sys.argv[1], sys.argv[2] == "1"
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sleep", "100"]
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
if lim:
    c["linux"]["resources"]["memory"] = {"limit": 268435456}
    c["linux"]["resources"]["pids"] = {"limit": 100}
    c["linux"]["resources"]["cpu"] = {"quota": 50000, "period": 100000, "shares": 512}
json.dump(c, open(p, "w"))
PY
}
mk "$work/plain" 0; mk "$work/limits" 1
declare -A total
for rt in locker runc; do for k in plain limits; do total[$rt-$k]=0; done; done
now() { date +%s%N; }
for i in $(seq "$n"); do
  for rt in $(printf 'locker\nrunc\n' | shuf); do
    for k in plain limits; do
      bin=$LOCKER; [ $rt = runc ] && bin=runc
      id=cgcost-$rt-$k-$i
      t0=$(now)
      "$bin" --root "/run/cgcost-$rt" create -b "$work/$k" "$id" >/dev/null
      "$bin" --root "/run/cgcost-$rt" delete -f "$id" >/dev/null
      t1=$(now)
      total[$rt-$k]=$(( ${total[$rt-$k]} + t1 - t0 ))
    done
  done
done
printf '%-8s %-28s %-28s\n' runtime "no limits (ms per pair)" "memory+pids+cpu (ms per pair)"
for rt in locker runc; do
  printf '%-8s %-28s %-28s\n' $rt "$(echo "scale=2; ${total[$rt-plain]} / $n / 1000000" | bc)" "$(echo "scale=2; ${total[$rt-limits]} / $n / 1000000" | bc)"
done
rmdir /sys/fs/cgroup/*/cgcost-* 2>/dev/null || true

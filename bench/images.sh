#!/usr/bin/env bash
# Image benchmark: `locker pull` of a multi-layer image from a registry on loopback, next to
# `podman pull` and `skopeo copy` + `umoci unpack` of the same image in the same run, and the
# unpack of one large gzip layer by Locker (as `locker pull` reports it) against `tar -xzf`
# of the same file, both with the file in the page cache.
#
#   bench/images.sh [-n ROUNDS]      (default 5 rounds; root; about a minute)
#
# Each round uses fresh, empty stores for every tool, and the order of the tools is shuffled
# each round. Medians (min-max) of wall time; a benchmark, not a test.
set -euo pipefail
rounds=5
while getopts n: o; do case $o in n) rounds=$OPTARG ;; *) echo "usage: bench/images.sh [-n ROUNDS]" >&2; exit 2 ;; esac; done
[ "$(id -u)" = 0 ] || { echo "bench/images.sh: run as root" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)
locker=${LOCKER:-$repo/.build/release/locker}
[ -x "$locker" ] || { echo "bench/images.sh: no locker at $locker; build it with scripts/build.sh" >&2; exit 1; }
need=()
for p in docker-registry skopeo umoci podman busybox-static python3; do dpkg -s $p >/dev/null 2>&1 || need+=($p); done
if ((${#need[@]})); then apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi

tmp=$(mktemp -d /tmp/locker-images-bench.XXXXXX)
cleanup() { "$repo/tests/registry/serve.sh" stop "$tmp/reg" >/dev/null 2>&1 || true; rm -rf "$tmp" /tmp/pr.$$.*; }
trap cleanup EXIT
"$repo/scripts/busybox-rootfs.sh" "$tmp/rootfs" >/dev/null
addr=$("$repo/tests/registry/serve.sh" start "$tmp/reg" anonymous)
echo "pushing the test images (multi: 3 layers; big: one layer of about 200 MB, 20,000 files) to $addr ..." >&2
python3 "$repo/tests/registry/make-images.py" "$tmp/rootfs" "$addr" --big --only multi,big > "$tmp/images.json" 2>"$tmp/make.log" ||
  { tail "$tmp/make.log" >&2; exit 1; }
bigblob=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([i for i in d["images"] if i["name"]=="big"][0]["layers"][-1])' "$tmp/images.json")
curl -s -o "$tmp/big.tar.gz" "http://$addr/v2/big/blobs/$bigblob"

now() { date +%s.%N; }
declare -A times
measure() { # NAME COMMAND...: appends the wall seconds of COMMAND to times[NAME]
  local name=$1; shift
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  local t0 t1; t0=$(now)
  "$@" >/dev/null 2>"$tmp/err" || { echo "$name failed: $(tail -n 3 "$tmp/err")" >&2; times[$name]+=" fail"; return 0; }
  t1=$(now)
  times[$name]+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
}

# measure_hot NAME COMMAND...: as measure, without dropping caches first.
measure_hot() {
  local name=$1; shift
  local t0 t1; t0=$(now)
  "$@" >/dev/null 2>"$tmp/err" || { echo "$name failed: $(tail -n 3 "$tmp/err")" >&2; times[$name]+=" fail"; return 0; }
  t1=$(now)
  times[$name]+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
}

for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds" >&2
  w="$tmp/r$r"; mkdir -p "$w"
  for tool in $(printf '%s\n' locker podman skopeo-umoci tar locker-unpack | shuf); do
    for img in multi big; do
      case $tool in
        locker) measure "pull $img: locker pull" env LOCKER_DATA="$w/locker-$img" "$locker" pull -q "$addr/$img" ;;
        podman) measure "pull $img: podman pull" podman --root "$w/podman-$img" --runroot "/tmp/pr.$$.$r.$img" --storage-driver overlay \
                  pull -q --tls-verify=false "$addr/$img" ;;
        skopeo-umoci) measure "pull $img: skopeo copy + umoci unpack" sh -c \
                  "skopeo copy -q --src-tls-verify=false docker://$addr/$img oci:$w/oci-$img:latest && umoci unpack --image $w/oci-$img:latest $w/bundle-$img" ;;
      esac
    done
    case $tool in
      tar) mkdir -p "$w/tar"; cat "$tmp/big.tar.gz" > /dev/null
           measure_hot "unpack big layer (blob in the page cache): tar -xzf" tar --numeric-owner -xzf "$tmp/big.tar.gz" -C "$w/tar" ;;
      locker-unpack)
           # The unpack as `locker pull` times it (its "unpacked ... in T s" line): the blob
           # was just downloaded, so it is in the page cache, as tar's is above.
           sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
           t=$(LOCKER_DATA="$w/locker-unpack" "$locker" pull "$addr/big" 2>&1 >/dev/null | sed -n "s/^${bigblob:7:12}: unpacked .* in \([0-9.]*\) s.*/\1/p")
           times["unpack big layer (blob in the page cache): locker pull's unpack"]+=" ${t:-fail}" ;;
    esac
  done
done
# Removal waits for the end: ext4 skips inodes freed in the last seconds when it allocates
# new ones, so deleting 20,000 files between rounds slows whichever tool runs next.
for ((r = 1; r <= rounds; r++)); do
  for img in multi big; do
    podman --root "$tmp/r$r/podman-$img" --runroot "/tmp/pr.$$.$r.$img" --storage-driver overlay system reset -f >/dev/null 2>&1 || true
    rm -rf "/tmp/pr.$$.$r.$img"
  done
done

echo
echo "Locker image benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r); $rounds rounds, caches dropped before each"
echo "registry: Debian's docker-registry on $addr; podman $(podman --version | awk '{print $3}'), skopeo $(skopeo --version | awk '{print $3}'), umoci $(umoci --version | awk '{print $3}')"
printf '%-62s %24s\n' "what" "wall s median (min-max)"
for k in "${!times[@]}"; do echo "$k|${times[$k]}"; done | sort | while IFS='|' read -r name vals; do
  python3 - "$name" $vals <<'PY'
import sys, statistics
name, vals = sys.argv[1], sys.argv[2:]
ok = [float(v) for v in vals if v != "fail"]
fails = len(vals) - len(ok)
cell = f"{statistics.median(ok):.3f} ({min(ok):.3f}-{max(ok):.3f})" if ok else "all failed"
print(f"{name:<62} {cell:>24}" + (f"  ({fails} failed)" if fails else ""))
PY
done

#!/usr/bin/env bash
# Benchmarks Locker, runc and crun side by side in one run, on a busybox bundle running
# /bin/true (see bench/README.md): `run` with and without a network namespace, warm and cold,
# next to the floors (`unshare` and `bwrap` with the same namespaces); the phases create,
# start, kill, delete; state and exec of a running container; 50 containers 2 and 8 at a time;
# syscall counts (strace -f -c) and binary sizes. Prints medians (min-max), ratios to Locker
# and a targets block. Not a test. Runtimes are interleaved in a freshly shuffled order.
#
#   bench/run.sh [-n ROUNDS] [-q] [-s SECTIONS]
#     -n ROUNDS    warm rounds, phase rounds, state/exec rounds (default 100); cold rounds are
#                  ROUNDS/4 (at least 3); batches per runtime ROUNDS/20 (at least 2)
#     -q           quick: 10 rounds, 3 cold, 1 batch each, 1 strace pass (about 20 s)
#     -s SECTIONS  comma-separated subset of: run,cold,phases,exec,batch,strace (default: all)
#     -u           no seccomp profile in config.json (default: `locker spec`'s default profile)
#   LOCKER=/path/to/locker bench/run.sh
#
# Builds nothing: expects .build/release/locker (scripts/build.sh). Exits 1 if a runtime failed.
set -euo pipefail

usage() {
  echo "usage: bench/run.sh [-n ROUNDS] [-q] [-s run,cold,phases,exec,batch,strace] [-u]   (LOCKER=/path overrides .build/release/locker)" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Inner part: runs inside a private mount namespace (see the outer part at the bottom).
# ---------------------------------------------------------------------------------------------
inner() {
  local work=$BENCH_TMP/w bundle=$BENCH_TMP/w/bundle
  # Everything the runtimes touch (bundle, state roots) on a tmpfs, private to this namespace.
  mount -t tmpfs -o mode=0755 locker-bench "$work"
  # crun 1.8.1 refuses hybrid hosts whose cgroup2 lists controllers (here: hugetlb only).
  # Hide that file from all three runtimes alike. runc does not read it; Locker does, finds no
  # controllers and skips one read of cgroup.subtree_control, and otherwise does the same.
  local ctl=/sys/fs/cgroup/unified/cgroup.controllers masked=no
  if [ -e "$ctl" ] && [ -n "$(cat "$ctl" 2>/dev/null)" ]; then
    mount --bind "$BENCH_TMP/empty" "$ctl"
    masked="yes ($ctl hidden by an empty file; it listed: $(cat "$BENCH_TMP/controllers"))"
  fi
  echo "cgroup2 mask: $masked"

  "$BENCH_REPO/scripts/busybox-rootfs.sh" "$bundle/rootfs"
  if ! (cd "$bundle" && "$BENCH_LOCKER" spec) 2>"$BENCH_TMP/spec.err" || [ ! -s "$bundle/config.json" ]; then
    echo "locker spec failed ($(head -c 200 "$BENCH_TMP/spec.err")): config.json from \`runc spec\` instead (no seccomp profile)"
    rm -f "$bundle/config.json"
    (cd "$bundle" && "$BENCH_RUNC" spec)
  fi
  "$BENCH_PY" - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
# crun 1.8.1 accepts only ociVersion 1.0.x ("unknown version specified" otherwise).
c["ociVersion"] = "1.0.2"
p = c["process"]
p["terminal"] = False
p["args"] = ["/bin/true"]
c["root"]["readonly"] = True
lx = c.setdefault("linux", {})
lx["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]
lx.pop("cgroupsPath", None)          # the driver sets it per container
json.dump(c, open(path, "w"), indent=2)
PY
  mkdir -p "$work/state/locker" "$work/state/runc" "$work/state/crun"
  exec "$BENCH_PY" "$BENCH_REPO/bench/driver.py" "$bundle" "$work/state"
}

if [ "${BENCH_INNER:-}" = 1 ]; then inner; exit; fi

# ---------------------------------------------------------------------------------------------
# Outer part.
# ---------------------------------------------------------------------------------------------
rounds=100 quick=0 sections=run,cold,phases,exec,batch,strace rounds_set=0 noseccomp=
while getopts n:qs:uh o; do
  case $o in
    n) rounds=$OPTARG rounds_set=1 ;;
    q) quick=1 ;;
    s) sections=$OPTARG ;;
    u) noseccomp=1 ;;
    *) usage ;;
  esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage
for s in ${sections//,/ }; do
  case $s in run|cold|phases|exec|batch|strace) ;; *) echo "bench/run.sh: unknown section '$s'" >&2; usage ;; esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root: runtimes make namespaces, mounts and cgroups" >&2; exit 1; }

self=$(readlink -f "$0")
repo=$(cd "$(dirname "$self")/.." && pwd)
locker=${LOCKER:-$repo/.build/release/locker}
for try in $(seq 30); do [ -x "$locker" ] && break; echo "bench/run.sh: no locker at $locker yet; waiting" >&2; sleep 2; done
[ -x "$locker" ] || { echo "bench/run.sh: no locker at $locker; build it with: scripts/build.sh (or set LOCKER=/path)" >&2; exit 1; }
locker=$(realpath -s "$locker")

missing=()
command -v runc >/dev/null || missing+=(runc)
command -v crun >/dev/null || missing+=(crun)
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v strace >/dev/null || missing+=(strace)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
command -v python3 >/dev/null || [ -x /usr/bin/python3 ] || missing+=(python3)
if ((${#missing[@]})); then
  echo "bench/run.sh: installing ${missing[*]}" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    echo "bench/run.sh: could not install ${missing[*]}; going on without" >&2
fi
py=/usr/bin/python3; [ -x "$py" ] || py=$(command -v python3)

if ((quick)); then
  ((rounds_set)) || rounds=10
  cold=3 batches=1 straces=1
else
  cold=$((rounds / 4)); ((cold >= 3)) || cold=3
  batches=$((rounds / 20)); ((batches >= 2)) || batches=2
  straces=3
fi
tmp=$(mktemp -d /tmp/locker-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/w"
: > "$tmp/empty"

# Measure a copy of the locker binary, taken once: a rebuild during the run (scripts/build.sh
# rewrites the file) must neither change the binary under measurement halfway nor make an exec
# fail with ETXTBSY. The copy counts if the file did not change while it was taken (size and
# mtime the same before and half a second after); otherwise (or while the file is missing,
# mid-build) it waits and tries again, for up to a minute.
locker_src=$locker
for try in $(seq 30); do
  before=$(stat -L -c '%s %.9Y' "$locker_src" 2>/dev/null || true)
  if [ -n "$before" ] && cp "$locker_src" "$tmp/locker" 2>/dev/null && sleep 0.5 &&
     [ "$(stat -L -c '%s %.9Y' "$locker_src" 2>/dev/null || true)" = "$before" ] &&
     [ "$(stat -c %s "$tmp/locker")" = "${before%% *}" ]; then
    break
  fi
  rm -f "$tmp/locker"
  echo "bench/run.sh: $locker_src is missing or changing (being rebuilt?); trying again in 2 s" >&2
  sleep 2
done
if [ -x "$tmp/locker" ]; then
  locker=$tmp/locker
else
  echo "bench/run.sh: could not take a steady copy of $locker_src; measuring it in place" >&2
fi
cat /sys/fs/cgroup/unified/cgroup.controllers > "$tmp/controllers" 2>/dev/null || true

# The spawner (bench/spawn.c): vforks, execs and wait4s one measured command, so that max RSS
# is the command's own, not the Python driver's (see the file). Without a C compiler the
# driver spawns commands itself and max RSS reads n/a.
spawn=
cc=$(command -v cc || command -v gcc || command -v clang || true)
if [ -n "$cc" ] && { "$cc" -O2 -static -o "$tmp/spawn" "$repo/bench/spawn.c" || "$cc" -O2 -o "$tmp/spawn" "$repo/bench/spawn.c"; } 2>"$tmp/cc.log"; then
  spawn=$tmp/spawn
else
  echo "bench/run.sh: no working C compiler (${cc:-none}): the Python driver spawns runs itself; max RSS reads n/a" >&2
fi

runc=$(command -v runc || true); crun=$(command -v crun || true); unshare=$(command -v unshare || true)
bwrap=$(command -v bwrap || true); strace=$(command -v strace || true)
ver() { [ -n "$1" ] && { "$1" --version 2>&1 | head -1; } || echo "not installed"; }
echo "Locker benchmark: RUNTIME --root STATE run -b BUNDLE ID, process /bin/true, busybox rootfs (read-only);"
echo "locker, runc, crun and the floors interleaved in a freshly shuffled order each round"
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:     $(uname -r) kernel, $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; anything else running skews wall time)"
echo "locker:   $("$locker" --version 2>&1 | head -3 | paste -sd ' ' - || true) ($locker_src$([ "$locker" = "$locker_src" ] || echo ", measured as a copy taken at the start"))"
echo "runc:     $(ver "$runc")"
echo "crun:     $(ver "$crun")"
echo "unshare:  $unshare --pid --fork [--net] --ipc --uts --mount /bin/true"
echo "bwrap:    $(ver "$bwrap"): bwrap --ro-bind ROOTFS / --unshare-pid [--unshare-net] --unshare-ipc --unshare-uts /bin/true"
echo "strace:   $(ver "$strace")"
echo "settings: rounds $rounds, cold rounds $cold, batches per runtime and width $batches, strace passes $straces; sections: $sections"

export BENCH_INNER=1 BENCH_TMP=$tmp BENCH_REPO=$repo BENCH_LOCKER=$locker BENCH_LOCKER_SRC=$locker_src BENCH_RUNC=$runc \
  BENCH_CRUN=$crun BENCH_SPAWN=$spawn BENCH_UNSHARE=$unshare BENCH_BWRAP=$bwrap BENCH_STRACE=$strace \
  BENCH_PY=$py BENCH_ROUNDS=$rounds BENCH_COLD=$cold BENCH_BATCH_REPS=$batches \
  BENCH_STRACE_REPS=$straces BENCH_SECTIONS=$sections BENCH_NO_SECCOMP=$noseccomp
rc=0
unshare --mount --propagation private -- bash "$self" || rc=$?
exit $rc

#!/usr/bin/env bash
# Regenerates scripts/link-order/symbols.txt (and unnamed.ld), the order in which
# scripts/build.sh has lld place functions and data: what Locker's hot commands use, first,
# so that their pages are few and together (the kernel maps 64 KiB, or a whole large folio,
# around each page fault in the executable, and every page mapped counts in peak RSS).
#
# Builds locker without an order, then runs each hot command once under fntrace (a ptrace
# tool here that records the functions a process and its children reach), on a busybox
# bundle: --version, run (OCI), create, start, state, exec, kill, delete, and the
# docker-style `run --rm IMAGE`. order.py lays out state's functions first, then what kill,
# start, exec, delete, run and create add, and so on, and writes the symbol names. Run it after changes to the hot path, then
# scripts/build.sh; bench/run.sh shows the effect (peak RSS, page faults). Needs root and cc;
# valgrind for the data order.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/link-order
. "$here/lib.sh"
tmp=$(mktemp -d /tmp/locker-link-order.XXXXXX)
bin=$tmp/locker
cleanup() {
  "$bin" --root "$tmp/state" delete -f lo-c >/dev/null 2>&1 || true
  LOCKER_DATA=$tmp/data "$bin" rmi -f lo-image >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

LOCKER_LINK_ORDER=none scripts/build.sh -Xlinker "-Map=$tmp/locker.map" >/dev/null
cp .build/release/locker "$bin"
fntrace_build "$tmp"
entries "$bin" "$tmp/locker.map" > "$tmp/entries"

scripts/busybox-rootfs.sh "$tmp/rootfs"
mkdir -p "$tmp/true" "$tmp/nap" "$tmp/sleep" "$tmp/state"
(cd "$tmp/true" && "$bin" spec)
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
c = json.load(open(f"{tmp}/true/config.json"))
c["root"] = {"path": f"{tmp}/rootfs", "readonly": True}
c["process"]["terminal"] = False
c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]
c["process"].pop("rlimits", None)   # valgrind keeps descriptors for itself: no RLIMIT_NOFILE
for name, args in (("true", ["/bin/true"]), ("nap", ["/bin/sleep", "0.3"]), ("sleep", ["/bin/sleep", "600"])):
    c["process"]["args"] = args
    c["linux"]["cgroupsPath"] = f"/locker-link-order-{name}"   # as engines and bench/run.sh do
    json.dump(c, open(f"{tmp}/{name}/config.json", "w"), indent=2)
PY

trace() {   # trace NAME ARGS...: locker ARGS under fntrace, functions reached into $tmp/fn.NAME
  local name=$1; shift
  "$tmp/fntrace" "$tmp/entries" "$tmp/fn.$name" -- "$bin" "$@" >/dev/null
}
S=(--root "$tmp/state")
trace version --version
trace state-missing "${S[@]}" state lo-none 2>/dev/null || true
trace run "${S[@]}" run -b "$tmp/true" lo-r
# Under fntrace a short-lived process may be gone before its parent polls: a longer one too.
trace run-nap "${S[@]}" run -b "$tmp/nap" lo-n
# create leaves its setup process waiting for start; fntrace follows it to its exec.
"$tmp/fntrace" "$tmp/entries" "$tmp/fn.create" -- "$bin" "${S[@]}" create -b "$tmp/sleep" lo-c 2>"$tmp/create.err" &
creator=$!
for _ in $(seq 100); do [ -e "$tmp/fn.create" ] && break; sleep 0.1; done
trace start "${S[@]}" start lo-c
wait "$creator"
trace state "${S[@]}" state lo-c
trace exec "${S[@]}" exec lo-c /bin/true
trace exec-nap "${S[@]}" exec lo-c /bin/sleep 0.3
# Data: valgrind's lackey logs every load and store. Debian's valgrind has no openat2 and
# refuses seccomp, so only exec (whose child then fails at its seccomp step, after the parent
# has done its part) and state; their data is most of what run and create read.
data=()
if command -v valgrind >/dev/null; then
  cp "$bin" "$tmp/locker-nodebug" && strip --strip-debug "$tmp/locker-nodebug"   # valgrind cannot read Swift's DWARF
  for c in "exec lo-c /bin/true" "state lo-c"; do
    log=$tmp/lackey.${c%% *}
    valgrind --tool=lackey --trace-mem=yes --log-file="$log" "$tmp/locker-nodebug" "${S[@]}" $c >/dev/null 2>&1 || true
    data+=("$log")
  done
else
  echo "generate.sh: no valgrind: data sections stay in link order" >&2
fi
trace kill "${S[@]}" kill lo-c KILL
for _ in $(seq 50); do "$bin" "${S[@]}" state lo-c | grep -q '"stopped"' && break; sleep 0.1; done
trace delete "${S[@]}" delete lo-c
LOCKER_DATA=$tmp/data "$bin" import "$tmp/rootfs" lo-image >/dev/null
LOCKER_DATA=$tmp/data trace docker-run run --rm --network none lo-image /bin/true

# The small commands first: what they run is what every command runs, so each touches one
# stretch at the front. Then exec (a health check runs it often), delete, run and create.
python3 "$here/order.py" "$bin" "$tmp/locker.map" "$here/unnamed.ld" \
  "$tmp"/fn.{state,kill,start,exec,exec-nap,delete,run,run-nap,create,state-missing,docker-run,version} \
  ${data[@]+--data "${data[@]}"} > "$here/symbols.txt"
if [ -n "${LINK_ORDER_KEEP:-}" ]; then   # keep the traces, map and binary for a closer look
  mkdir -p "$LINK_ORDER_KEEP" && cp "$bin" "$tmp/locker.map" "$tmp"/fn.* "$LINK_ORDER_KEEP/"
fi
echo "wrote $here/symbols.txt ($(wc -l < "$here/symbols.txt") symbols) and $here/unnamed.ld; now scripts/build.sh" >&2

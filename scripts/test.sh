#!/usr/bin/env bash
# Runs every test: Swift unit tests, the integration tests as root against the built locker on
# a busybox rootfs made here (this host: cgroup v1 or hybrid), then the cgroup-facing suites
# again inside a pure cgroup v2 VM (tests/vm/run.sh). Installs the Debian packages it needs.
# Ends with one line: "N passed, N failed, N skipped" over the integration suites.
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (the integration tests make namespaces, mounts and cgroups)" >&2; exit 1; }
scripts/install-deps.sh || exit 1

echo "== build (the static release binary that ships)"
scripts/build.sh 2>&1 | tail -n 2
[ "${PIPESTATUS[0]}" = 0 ] || { echo "build failed"; exit 1; }
echo "== unit tests"
swift test 2>&1 | tail -n 15
unit=${PIPESTATUS[0]}

echo "== integration tests (this host)"
work=$(mktemp -d /tmp/locker-tests.XXXXXX)
# Containers with a user namespace reach their rootfs as an unprivileged host id.
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
scripts/busybox-rootfs.sh "$work/busybox"
export LOCKER="$PWD/.build/release/locker" BBROOT="$work/busybox" LOCKER_DATA="$work/data" LOCKER_TEST_ROOT="$work/run"
"$LOCKER" import "$BBROOT" busybox >/dev/null
tests/run.sh "$@" | tee "$work/host.out"
host=${PIPESTATUS[0]}

vm=0
if [ $# -eq 0 ] && [ "${LOCKER_SKIP_VM:-}" != 1 ]; then
  echo "== integration tests (pure cgroup v2, in a qemu VM)"
  LOCKER=.build/release/locker tests/vm/run.sh tests/integration/limits.sh tests/integration/lifecycle.sh \
    tests/integration/isolation.sh tests/integration/people.sh tests/integration/exec.sh tests/integration/security.sh \
    | tee "$work/vm.out"
  vm=${PIPESTATUS[0]}
fi

# One closing line over both runs.
sum() { for f in "$work"/*.out; do grep -E '^[0-9]+ passed, [0-9]+ failed' "$f" | tail -n1; done | awk -v f=$1 '{s += $f} END {print s+0}'; }
echo "unit tests: $([ $unit = 0 ] && echo passed || echo FAILED)"
echo "$(sum 1) passed, $(sum 3) failed, $(sum 5) skipped"
[ $unit = 0 ] && [ $host = 0 ] && [ $vm = 0 ]

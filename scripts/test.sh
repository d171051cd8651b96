#!/usr/bin/env bash
# Runs every test: Swift unit tests, then the integration tests as root against the built
# locker on a busybox rootfs made here. Installs the Debian packages the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (the integration tests make namespaces, mounts and cgroups)" >&2; exit 1; }
scripts/install-deps.sh

echo "== build"
swift build 2>&1 | tail -n 3
echo "== unit tests"
swift test 2>&1 | tail -n 15

echo "== integration tests"
work=$(mktemp -d /tmp/locker-tests.XXXXXX)
# Containers with a user namespace reach their rootfs as an unprivileged host id.
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
scripts/busybox-rootfs.sh "$work/busybox"
export LOCKER="$PWD/.build/debug/locker" BBROOT="$work/busybox" LOCKER_DATA="$work/data" LOCKER_TEST_ROOT="$work/run"
"$LOCKER" import "$BBROOT" busybox >/dev/null
tests/run.sh "$@"

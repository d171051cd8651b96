#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine and runs a container on the default image:
# Debian packages, a release build installed as /usr/local/bin/locker, the busybox image.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/setup.sh: run as root" >&2; exit 1; }
scripts/install-deps.sh
scripts/build.sh 2>&1 | tail -n 2
install -m 0755 .build/release/locker /usr/local/bin/locker
if ! locker images | grep -q '^busybox '; then
  tmp=$(mktemp -d)
  scripts/busybox-rootfs.sh "$tmp/rootfs"
  locker import "$tmp/rootfs" busybox
  rm -rf "$tmp"
fi
locker run --rm busybox sh -c 'echo hello from $(hostname); ps'

#!/usr/bin/env bash
# Builds the locker binary that ships: release, one static executable (no dynamic loader,
# no relocation of the Swift runtime and libseccomp at each start; locker starts once per
# container operation). Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib -Xswiftc -static-executable "$@" >&2
echo "$PWD/.build/release/locker"

#!/usr/bin/env bash
# Builds the locker binary that ships: release, one static executable (no dynamic loader,
# no relocation of the Swift runtime and libseccomp at each start; locker starts once per
# container operation). Prints the binary's path.
#
# Memory: a process's peak RSS counts every page of the executable it touched, and the
# kernel maps 64 KiB around each page fault in a file. So the hot commands' code is linked
# together at the front of .text (lld, one section per function, and the symbol order in
# scripts/link-order/symbols.txt, which scripts/link-order/generate.sh measures), and
# concrete generic types are reached through direct metadata accessors rather than by
# mangled name (a lookup by name checks protocol conformances by scanning every
# conformance record in the executable: about a megabyte of pages on first use).
# Segments are placed at the same offset modulo 64 KiB in the file and in memory: an
# installed copy's page cache holds it in large folios (64 KiB and up, aligned in the file),
# and the kernel maps each folio that a fault's 64 KiB window touches whole. At lld's
# default 4 KiB congruence every window straddled two folios; aligned, it covers one. And
# .rodata stays read-only (scripts/link-order/writable-rodata.ld says why).
#
#   LOCKER_LINK_ORDER=none scripts/build.sh   links without the symbol order
#   scripts/build.sh ARGS...                  passes ARGS on to swift build (link flags:
#                                             a new set relinks, nothing is recompiled)
set -euo pipefail
cd "$(dirname "$0")/.."
compile=(-c release --static-swift-stdlib -Xswiftc -static-executable -Xswiftc -use-ld=lld
         -Xswiftc -Xfrontend -Xswiftc -function-sections
         -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors)
link=(-Xlinker -z -Xlinker max-page-size=65536 -Xlinker -T -Xlinker "$PWD/scripts/link-order/writable-rodata.ld" "$@")
order=scripts/link-order/symbols.txt unnamed=scripts/link-order/unnamed.ld
if [ "${LOCKER_LINK_ORDER:-}" != none ] && [ -s "$order" ]; then
  link+=(-Xlinker "--symbol-ordering-file=$PWD/$order" -Xlinker --no-warn-symbol-ordering)
  [ -s "$unnamed" ] && link+=(-Xlinker -T -Xlinker "$PWD/$unnamed")
fi

# swift build rebuilds nothing when only flags change. New compile flags: drop the objects
# (dependencies' too, they get the same flags); a new link order: drop the binary.
mkdir -p .build
compile_key="${compile[*]}"
link_key="${link[*]:-}"
link_key+=" $(cksum < scripts/link-order/writable-rodata.ld)"
[ -s "$order" ] && link_key+=" $( { cat "$order"; cat "$unnamed" 2>/dev/null || true; } | cksum)"
if [ -d .build/release ]; then
  rel=$(cd .build/release && pwd -P)
  if [ "$(cat .build/locker-build.compile 2>/dev/null)" != "$compile_key" ]; then
    rm -rf "$rel"/*.build "$rel/locker"
    touch Package.swift
  elif [ "$(cat .build/locker-build.link 2>/dev/null)" != "$link_key" ]; then
    rm -f "$rel/locker"
  fi
fi
swift build "${compile[@]}" ${link[@]+"${link[@]}"} >&2
echo "$compile_key" > .build/locker-build.compile
echo "$link_key" > .build/locker-build.link
echo "$PWD/.build/release/locker"

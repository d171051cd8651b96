# Helpers for the integration tests. Each test is a function named test_*; it passes when it
# returns 0. Tests run as root with the freshly built locker, on a busybox image of their own.
set -u
: "${LOCKER:?LOCKER must name the locker binary}"
: "${BBROOT:?BBROOT must name a busybox rootfs}"
export LOCKER_DATA=${LOCKER_DATA:-/tmp/locker-test-data}
ROOT=${LOCKER_TEST_ROOT:-/run/locker-test}
# tests/, for the helpers beside this file (pty_session.py).
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
L() { "$LOCKER" --root "$ROOT" "$@"; }

# fail MESSAGE: print why and fail the test.
fail() { echo "    FAIL: $*" >&2; return 1; }
# expect_eq WANT GOT [WHAT]
expect_eq() { [ "$1" = "$2" ] || fail "${3:-value}: want [$1], got [$2]"; }
# expect_contains HAYSTACK NEEDLE [WHAT]
expect_contains() { case "$1" in *"$2"*) return 0;; esac; fail "${3:-output} does not contain [$2]: [$1]"; }
expect_not_contains() { case "$1" in *"$2"*) fail "${3:-output} contains [$2]: [$1]";; esac; return 0; }

# new_bundle DIR [ARGS...]: an OCI bundle with a copy of the busybox rootfs and locker's default spec
# (terminal off), running ARGS.
new_bundle() {
  local dir=$1; shift
  rm -rf "$dir"; mkdir -p "$dir"
  cp -a "$BBROOT" "$dir/rootfs"
  (cd "$dir" && L spec) || return 1
  local args_json
  args_json=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")
  python3 - "$dir/config.json" "$args_json" <<'PY'
import json, sys
p, args = sys.argv[1], json.loads(sys.argv[2])
c = json.load(open(p))
c["process"]["terminal"] = False
c["root"]["readonly"] = False
if args: c["process"]["args"] = args
json.dump(c, open(p, "w"), indent=1)
PY
}
# edit_config DIR PYTHON: change config.json with a python statement on `c`.
edit_config() {
  python3 - "$1/config.json" "$2" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
exec(sys.argv[2])
json.dump(c, open(p, "w"), indent=1)
PY
}

# What a container may leave behind: state, cgroups, mounts.
leftovers() {
  local id=$1
  [ -e "$ROOT/$id" ] && echo "state dir $ROOT/$id"
  find /sys/fs/cgroup -maxdepth 6 -type d -name "$id" -path '*locker*' 2>/dev/null
  grep -F "/$id/" /proc/self/mountinfo | awk '{print "mount " $5}'
  return 0
}
expect_clean() { local l; l=$(leftovers "$1"); [ -z "$l" ] || fail "left behind for $1: $l"; }

#!/usr/bin/env bash
# Benchmarks `RUNTIME run` of /bin/true in a busybox bundle for Locker, runc and crun side by
# side in one run, plus the floor (`unshare` with the same namespaces), warm and cold.
# Prints medians (min, max) and ratios to Locker. Not a test. See bench/README.md.
#
#   bench/run.sh [-n ROUNDS]        (default 100 warm rounds, ROUNDS/4 cold rounds)
#   sudo LOCKER=/path/to/locker bench/run.sh
#
# Builds nothing: expects .build/release/locker (scripts/build.sh).
set -euo pipefail

usage() { echo "usage: bench/run.sh [-n ROUNDS]   (LOCKER=/path overrides .build/release/locker)" >&2; exit 2; }

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
  (cd "$bundle" && "$BENCH_LOCKER" spec)
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
lx.pop("cgroupsPath", None)          # the driver sets it per run
json.dump(c, open(path, "w"), indent=2)
PY
  mkdir -p "$work/state/locker" "$work/state/runc" "$work/state/crun"
  exec "$BENCH_PY" "$BENCH_TMP/driver.py" "$bundle" "$work/state" "$BENCH_ROUNDS" "$BENCH_COLD" \
    "locker=$BENCH_LOCKER" "runc=$BENCH_RUNC" "crun=$BENCH_CRUN" "floor=$BENCH_UNSHARE"
}

if [ "${BENCH_INNER:-}" = 1 ]; then inner; exit; fi

# ---------------------------------------------------------------------------------------------
# Outer part.
# ---------------------------------------------------------------------------------------------
rounds=100
while getopts n:h o; do
  case $o in n) rounds=$OPTARG ;; *) usage ;; esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (bench/run.sh): runtimes make namespaces, mounts and cgroups" >&2; exit 1; }

self=$(readlink -f "$0")
repo=$(cd "$(dirname "$self")/.." && pwd)
locker=${LOCKER:-$repo/.build/release/locker}
[ -x "$locker" ] || { echo "bench/run.sh: no locker at $locker; build it with: scripts/build.sh (or set LOCKER=/path)" >&2; exit 1; }
locker=$(realpath -s "$locker")

missing=()
command -v runc >/dev/null || missing+=(runc)
command -v crun >/dev/null || missing+=(crun)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
command -v python3 >/dev/null || [ -x /usr/bin/python3 ] || missing+=(python3)
if ((${#missing[@]})); then
  echo "bench/run.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
py=/usr/bin/python3; [ -x "$py" ] || py=$(command -v python3)

cold=$((rounds / 4)); ((cold >= 3)) || cold=3
tmp=$(mktemp -d /tmp/locker-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/w"
: > "$tmp/empty"
cat /sys/fs/cgroup/unified/cgroup.controllers > "$tmp/controllers" 2>/dev/null || true

# The spawner: a tiny (static where possible) C program that sleeps (cold runs), then vforks
# and execs one run and waits for it with wait4. Starting runs from a small process matters
# for max RSS: a process's ru_maxrss keeps the high-water mark of the memory it had before
# exec, so a run forked or vforked straight from Python would report Python's ~12 MB for
# every runtime; from the spawner it carries at most the spawner's few hundred KiB. It reports
# "exit wall_ns cpu_us maxrss_kib minflt orphans" on fd 3. Without a C compiler the driver
# spawns runs itself and max RSS reads n/a.
cat > "$tmp/spawn.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);        /* orphans of the run come back to us */
  fcntl(3, F_SETFD, FD_CLOEXEC);                    /* the report pipe stays out of the run */
  double s = atof(argv[1]);
  if (s > 0) {
    struct timespec q = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&q, &q) < 0 && errno == EINTR) {}
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = vfork();
  if (pid < 0) return 3;
  if (pid == 0) { execv(argv[2], argv + 2); _exit(127); }
  int st; struct rusage ru;
  while (wait4(pid, &st, 0, &ru) < 0) if (errno != EINTR) return 4;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long cpu = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
  long rss = ru.ru_maxrss, flt = ru.ru_minflt; int orphans = 0;
  alarm(5);                                         /* an orphan that never ends: give up */
  for (;;) {
    int s2; struct rusage r2;
    pid_t p = wait4(-1, &s2, 0, &r2);
    if (p < 0) { if (errno == EINTR) continue; break; }
    orphans++;
    cpu += r2.ru_utime.tv_sec * 1000000LL + r2.ru_utime.tv_usec + r2.ru_stime.tv_sec * 1000000LL + r2.ru_stime.tv_usec;
    flt += r2.ru_minflt;
    if (r2.ru_maxrss > rss) rss = r2.ru_maxrss;
  }
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  long long wall = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  dprintf(3, "%d %lld %lld %ld %ld %d\n", rc, wall, cpu, rss, flt, orphans);
  return 0;
}
C
spawn=
cc=$(command -v cc || command -v gcc || command -v clang || true)
if [ -n "$cc" ] && { "$cc" -O2 -static -o "$tmp/spawn" "$tmp/spawn.c" || "$cc" -O2 -o "$tmp/spawn" "$tmp/spawn.c"; } 2>"$tmp/cc.log"; then
  spawn=$tmp/spawn
else
  echo "bench/run.sh: no working C compiler (${cc:-none}): the Python driver spawns runs itself; max RSS reads n/a" >&2
fi

# The driver: runs each round's runtimes in a shuffled order through the spawner (or spawns
# them itself with posix_spawn + wait4), reaps orphans (it is a child subreaper), deletes
# leftover containers, prints the tables.
cat > "$tmp/driver.py" <<'PY'
import ctypes, gc, glob, json, os, random, statistics, sys, time

bundle, state, rounds, cold_rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rts = dict(a.split("=", 1) for a in sys.argv[5:])
names = list(rts)                                   # locker, runc, crun, floor
COLD_SLEEP = 0.25

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:                 # PR_SET_CHILD_SUBREAPER
    sys.exit("driver: prctl(PR_SET_CHILD_SUBREAPER) failed")

cfg_path = os.path.join(bundle, "config.json")
cfg = json.load(open(cfg_path))
cfg["linux"]["cgroupsPath"] = "@CGPATH@"
template = json.dumps(cfg, indent=2)

devnull = os.open("/dev/null", os.O_RDWR)
errfile = os.path.join(state, "stderr")
errfd = os.open(errfile, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, errfd, 1),
           (os.POSIX_SPAWN_DUP2, errfd, 2)]
env = dict(os.environ)
tag = os.getpid()
orphans = {n: 0 for n in names}

def argv_for(name, cid):
    if name == "floor":
        return [rts[name], "--pid", "--fork", "--net", "--ipc", "--uts", "--mount", "/bin/true"]
    return [rts[name], "--root", os.path.join(state, name), "run", "-b", bundle, cid]

SPAWN = os.environ.get("BENCH_SPAWN") or None
res_r, res_w = os.pipe()                            # the spawner's report comes on its fd 3
os.set_blocking(res_r, False)

PATIENCE = 2.0    # seconds to wait for orphans; 0 while long-running containers are our children

def reap_orphans(what):
    """Reaps children other than the one waited for; returns (count, cpu s, minflt, maxrss)."""
    n, cpu, flt, rss, deadline = 0, 0.0, 0, 0, time.monotonic() + PATIENCE
    while True:
        try:
            p, _, r = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if p == 0:
            if time.monotonic() >= deadline:
                if PATIENCE == 0:
                    break
                print(f"driver: warning: a child of {what} still runs 2 s after it exited", file=sys.stderr)
                break
            time.sleep(0.001)
            continue
        n += 1; cpu += r.ru_utime + r.ru_stime; flt += r.ru_minflt; rss = max(rss, r.ru_maxrss)
    return n, cpu, flt, rss

def spawn_wait(argv, sleep=0.0, measure=True):
    """Runs argv (after SLEEP s of quiet); returns (exit code, wall s, cpu s, maxrss KiB or
    None, minflt, orphans reaped). No report from the spawner counts as exit 192."""
    if SPAWN and measure:
        pid = os.posix_spawn(SPAWN, [SPAWN, repr(sleep)] + argv, env,
                             file_actions=actions + [(os.POSIX_SPAWN_DUP2, res_w, 3)])
        _, status, _ = os.wait4(pid, 0)
        n, *_ = reap_orphans(argv[0])
        try:
            rep = os.read(res_r, 256).split()
        except BlockingIOError:
            rep = []
        if len(rep) != 6:
            return 128 + 64, 0, 0, None, 0, n      # reported as a failure
        rc, wall, cpu, rss, flt, orph = map(int, rep)
        return rc, wall / 1e9, cpu / 1e6, rss, flt, orph + n
    if sleep:
        time.sleep(sleep)
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    n, c2, f2, _ = reap_orphans(argv[0])
    # No spawner: ru_maxrss would be Python's own high-water mark (kept across exec), so none.
    return (os.waitstatus_to_exitcode(status), wall, ru.ru_utime + ru.ru_stime + c2, None,
            ru.ru_minflt + f2, n)

def stderr_text():
    os.lseek(errfd, 0, 0)
    return os.read(errfd, 4096).decode(errors="replace").strip()

def one(name, cid, sleep):
    """One measured run of NAME with container id CID; None if it failed (error recorded)."""
    if name != "floor":
        with open(cfg_path, "w") as f:
            f.write(template.replace("@CGPATH@", "/" + cid))
    os.ftruncate(errfd, 0)
    rc, wall, cpu, rss, flt, extra = spawn_wait(argv_for(name, cid), sleep)
    orphans[name] += extra
    err = stderr_text() if rc != 0 else ""
    if name != "floor" and os.path.exists(os.path.join(state, name, cid)):
        leftovers[name] += 1
        os.ftruncate(errfd, 0)
        spawn_wait([rts[name], "--root", os.path.join(state, name), "delete", "-f", cid], measure=False)
    if rc != 0:
        failures[name] += 1
        first_error.setdefault(name, f"exit {rc}: {err or '(no output)'}")
        return None
    return wall, cpu, rss, flt

failures = {n: 0 for n in names}
leftovers = {n: 0 for n in names}
first_error = {}

# Warm-up: one untimed run each, so binaries and the rootfs are in the page cache. A runtime
# that fails here is left out (its error is printed).
active = []
for n in names:
    if one(n, f"bench-{n}-{tag}-warmup", 0) is None:
        print(f"{n}: FAILED in the warm-up run, left out:\n  {' '.join(argv_for(n, 'ID'))}\n  {first_error[n]}")
    else:
        active.append(n)
failures = {n: 0 for n in names}
first_error = {}

def measure(variant, count, sleep):
    samples = {n: [] for n in active}
    for r in range(count):
        order = active[:]
        random.shuffle(order)
        for n in order:
            s = one(n, f"bench-{n}-{tag}-{variant}{r}", sleep)
            if s is not None:
                samples[n].append(s)
    return samples

gc.disable()
sys.stdout.flush()
print(f"measuring: {rounds} warm rounds, then {cold_rounds} cold rounds ({COLD_SLEEP} s quiet before each run)", file=sys.stderr)
warm = measure("w", rounds, 0)
cold = measure("c", cold_rounds, COLD_SLEEP)
gc.enable()

def table(title, samples):
    med = statistics.median
    rows, base = [], samples.get("locker")
    bw = med(s[0] for s in base) if base else None
    bc = med(s[1] for s in base) if base else None
    hdr = ["runtime", "wall ms median (min-max)", "CPU ms median", "maxRSS MB median",
           "minflt median", "wall/locker", "CPU/locker", "ok"]
    for n in active:
        ss = samples[n]
        if not ss:
            rows.append([n, "all runs failed", "", "", "", "", "", f"0/{len(ss) + failures[n]}"])
            continue
        w = [s[0] * 1e3 for s in ss]; c = [s[1] * 1e3 for s in ss]
        rows.append([n if n != "floor" else "floor (unshare)",
                     f"{med(w):7.2f} ({min(w):.2f}-{max(w):.2f})",
                     f"{med(c):6.2f}",
                     f"{med(s[2] for s in ss) / 1024:5.1f}" if ss[0][2] is not None else "n/a",
                     f"{med(s[3] for s in ss):.0f}",
                     f"{med(w) / (bw * 1e3):.2f}x" if bw else "-",
                     f"{med(c) / (bc * 1e3):.2f}x" if bc else "-",
                     f"{len(ss)}/{len(ss) + failures[n]}"])
    widths = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(wd) if i == 0 else str(c).rjust(wd)
                                   for i, (c, wd) in enumerate(zip(cells, widths)))
    print(f"\n{title}")
    print(line(hdr))
    print("  ".join("-" * wd for wd in widths))
    for r in rows:
        print(line(r))

table(f"warm: {rounds} rounds, runs back to back, order shuffled each round", warm)
table(f"cold: {cold_rounds} rounds, {COLD_SLEEP} s of quiet before each run, order shuffled each round", cold)

# exec: `RT exec ID /bin/true` into one running container per runtime, shuffled each round.
sleeper = json.loads(template)
sleeper["process"]["args"] = ["/bin/sleep", "100000"]
exec_ids = {}
for n in [a for a in active if a != "floor"]:
    cid = f"bench-{n}-{tag}-exec"
    with open(cfg_path, "w") as f:
        f.write(json.dumps(sleeper).replace("@CGPATH@", "/" + cid))
    rc, *_ = spawn_wait([rts[n], "--root", os.path.join(state, n), "run", "-d", "-b", bundle, cid], measure=False)
    if rc == 0:
        exec_ids[n] = cid
    else:
        print(f"{n}: could not start a container for exec: {stderr_text()}")
exec_samples = {n: [] for n in exec_ids}
PATIENCE = 0
gc.disable()
for r in range(rounds):
    order = list(exec_ids)
    random.shuffle(order)
    for n in order:
        os.ftruncate(errfd, 0)
        rc, wall, cpu, rss, flt, extra = spawn_wait([rts[n], "--root", os.path.join(state, n), "exec", exec_ids[n], "/bin/true"])
        if rc == 0:
            exec_samples[n].append((wall, cpu, rss, flt))
        else:
            failures[n] += 1
            first_error.setdefault(n, f"exec exit {rc}: {stderr_text() or '(no output)'}")
gc.enable()
for n, cid in exec_ids.items():
    spawn_wait([rts[n], "--root", os.path.join(state, n), "delete", "-f", cid], measure=False)
PATIENCE = 2.0
saved_active = active
active = [a for a in active if a in exec_samples]
table(f"exec: {rounds} rounds of `exec ID /bin/true` into a running container, order shuffled each round", exec_samples)
active = saved_active

# Cgroups the runtimes left behind (ours are named bench-<rt>-<tag>-...): remove, report.
left = {}
for d in sorted(glob.glob(f"/sys/fs/cgroup/*/bench-*-{tag}-*"), key=len, reverse=True):
    n = os.path.basename(d).split("-")[1]
    left[n] = left.get(n, 0) + 1
    try:
        os.rmdir(d)
    except OSError:
        pass
notes = [f"{n}: left out, its warm-up run failed (see above)" for n in names if n not in active]
for n in active:
    if failures[n]:
        notes.append(f"{n}: {failures[n]} failed runs; first: {first_error[n]}")
    if leftovers[n]:
        notes.append(f"{n}: state left after {leftovers[n]} runs (deleted with `delete -f`)")
    if orphans[n]:
        notes.append(f"{n}: {orphans[n]} orphaned processes reaped by the driver (counted in CPU/minflt)")
for n, k in left.items():
    notes.append(f"{n}: left {k} cgroup directories behind (removed)")
print("\nnotes: " + ("none" if not notes else "\n  " + "\n  ".join(notes)))
sys.exit(1 if any(failures.values()) or len(active) < len(names) else 0)
PY

runc=$(command -v runc); crun=$(command -v crun); unshare=$(command -v unshare)
echo "Locker benchmark: RUNTIME --root STATE run -b BUNDLE ID, process /bin/true, busybox rootfs (read-only),"
echo "namespaces pid net ipc uts mount; each runtime once per round in a shuffled order"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:    $(uname -r) kernel, $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; anything else running skews wall time)"
echo "locker:  $("$locker" --version 2>&1 | paste -sd ' ' -) ($locker)"
echo "runc:    $("$runc" --version 2>&1 | head -1)"
echo "crun:    $("$crun" --version 2>&1 | head -1)"
echo "floor:   $unshare --pid --fork --net --ipc --uts --mount /bin/true"

export BENCH_INNER=1 BENCH_TMP=$tmp BENCH_REPO=$repo BENCH_LOCKER=$locker BENCH_RUNC=$runc \
  BENCH_CRUN=$crun BENCH_SPAWN=$spawn BENCH_UNSHARE=$unshare BENCH_PY=$py BENCH_ROUNDS=$rounds BENCH_COLD=$cold
rc=0
unshare --mount --propagation private -- bash "$self" || rc=$?
exit $rc

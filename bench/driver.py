"""The driver of bench/run.sh (see bench/README.md). Started by run.sh inside a private mount
namespace, as root, with its settings in BENCH_* environment variables:

    python3 bench/driver.py BUNDLE STATE_DIR

Measures the runtimes (locker, runc, crun) and the floors (unshare, bwrap) section by section,
interleaving them in a freshly shuffled order each round, and prints one table per section,
a summary, the targets block and notes. Exits 1 when a runtime failed anything.
"""
import ctypes, gc, glob, json, os, random, signal, statistics, subprocess, sys, time

E = os.environ
bundle, state = sys.argv[1], sys.argv[2]
ROUNDS = int(E["BENCH_ROUNDS"])
COLD_ROUNDS = int(E["BENCH_COLD"])
BATCH_REPS = int(E["BENCH_BATCH_REPS"])
STRACE_REPS = int(E["BENCH_STRACE_REPS"])
SECTIONS = E["BENCH_SECTIONS"].split(",")
SPAWN = E.get("BENCH_SPAWN") or None
STRACE = E.get("BENCH_STRACE") or None
COLD_SLEEP = 0.25
BATCH = 50                      # containers per batch
PARALLEL = (2, 8)               # how many in flight at once
VARIANTS = ("net", "nonet")
NAMESPACES = {"net": ["pid", "network", "ipc", "uts", "mount"], "nonet": ["pid", "ipc", "uts", "mount"]}
VARIANT_TEXT = {"net": "pid+net+ipc+uts+mount", "nonet": "pid+ipc+uts+mount (no net)"}

paths = {"locker": E.get("BENCH_LOCKER"), "runc": E.get("BENCH_RUNC"), "crun": E.get("BENCH_CRUN"),
         "unshare": E.get("BENCH_UNSHARE"), "bwrap": E.get("BENCH_BWRAP")}
RUNTIMES = [n for n in ("locker", "runc", "crun") if paths[n]]
FLOORS = [n for n in ("unshare", "bwrap") if paths[n]]
LABEL = {"unshare": "floor: unshare", "bwrap": "floor: bwrap"}
label = lambda n: LABEL.get(n, n)
med = statistics.median
plural = lambda k, one, many: f"{k} {one if k == 1 else many}"
T0 = time.monotonic()

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:                 # PR_SET_CHILD_SUBREAPER
    sys.exit("driver: prctl(PR_SET_CHILD_SUBREAPER) failed")
tag = os.getpid()

# --- the bundle's config.json, one template per kind of run ----------------------------------
cfg_path = os.path.join(bundle, "config.json")
base = json.load(open(cfg_path))
SECCOMP = "seccomp" in base.get("linux", {}) and not E.get("BENCH_NO_SECCOMP")
if not SECCOMP:
    base.get("linux", {}).pop("seccomp", None)
print("config.json: " + ("with the default seccomp profile of `locker spec` (every runtime applies it)"
      if SECCOMP else "without a seccomp profile"), flush=True)
rootfs = os.path.join(bundle, base["root"]["path"])

def template(variant, args, root=None):
    c = json.loads(json.dumps(base))
    c["process"]["args"] = args
    c["linux"]["namespaces"] = [{"type": t} for t in NAMESPACES[variant]]
    c["linux"]["cgroupsPath"] = "@CGPATH@"     # each container gets /<its id>
    if root:
        c["root"]["path"] = root
    return json.dumps(c, indent=2)

T_TRUE = {v: template(v, ["/bin/true"]) for v in VARIANTS}
T_SLEEP = template("net", ["/bin/sleep", "100000"])
T_BATCH = template("net", ["/bin/true"], root=rootfs)

def write_cfg(tmpl, cid, path=cfg_path):
    with open(path, "w") as f:
        f.write(tmpl.replace("@CGPATH@", "/" + cid))

def rt(name, *args):
    return [paths[name], "--root", os.path.join(state, name), *args]

def floor_argv(name, variant):
    net = variant == "net"
    if name == "unshare":
        return [paths[name], "--pid", "--fork"] + (["--net"] if net else []) + \
               ["--ipc", "--uts", "--mount", "/bin/true"]
    return [paths[name], "--ro-bind", rootfs, "/", "--unshare-pid"] + \
           (["--unshare-net"] if net else []) + ["--unshare-ipc", "--unshare-uts", "/bin/true"]

# --- processes ---------------------------------------------------------------------------------
devnull = os.open("/dev/null", os.O_RDWR)
errfd = os.open(os.path.join(state, "stderr"), os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, errfd, 1),
           (os.POSIX_SPAWN_DUP2, errfd, 2)]
env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
res_r, res_w = os.pipe()                            # the spawner's report comes on its fd 3
os.set_blocking(res_r, False)

live = set()        # container processes that are our children (created / detached containers)
current = ["setup", "setup"]    # the runtime and the section being measured
orphans = {}        # (runtime, section) -> orphans the spawner reaped (counted in CPU, minflt)
strays = {}         # (runtime, section) -> other processes the driver reaped (not counted)

def count(d, k=1):
    key = tuple(current)
    d[key] = d.get(key, 0) + k

def reap_nohang():
    while True:
        try:
            p, _, _ = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if p == 0:
            return
        if p in live:
            live.discard(p)
        else:
            count(strays)

def my_children():
    me, out = os.getpid(), set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                s = open(f"/proc/{d}/stat", "rb").read()
            except OSError:
                continue
            if int(s[s.rindex(b")") + 2:].split()[1]) == me:
                out.add(int(d))
    return out

def adopt():
    """After `create` or `run -d`: the container's processes that became our children."""
    reap_nohang()
    new = my_children() - live
    live.update(new)
    return new

def wait_gone(pids, timeout=2.0):
    """Waits until PIDS (our children) have exited and been reaped; returns those left."""
    deadline = time.monotonic() + timeout
    while True:
        reap_nohang()
        left = set(pids) & live
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.0002)

def err_text():
    os.lseek(errfd, 0, 0)
    t = os.read(errfd, 4096).decode(errors="replace").replace("\0", "").strip()
    return " | ".join(t.splitlines()[:4]) or "(no output)"

def spawn(argv, sleep=0.0, wait_orphans=True):
    """One measured command (after SLEEP s of quiet): (exit, wall s, cpu s, maxrss KiB or None,
    minflt). No report from the spawner counts as exit 192."""
    os.ftruncate(errfd, 0)
    if SPAWN:
        pid = os.posix_spawn(SPAWN, [SPAWN, repr(sleep), "1" if wait_orphans else "0"] + argv, env,
                             file_actions=actions + [(os.POSIX_SPAWN_DUP2, res_w, 3)])
        os.waitpid(pid, 0)
        try:
            rep = os.read(res_r, 256).split()
        except BlockingIOError:
            rep = []
        reap_nohang()
        if len(rep) != 6:
            return 192, 0.0, 0.0, None, 0
        rc, wall, cpu, rss, flt, orph = map(int, rep)
        if orph:
            count(orphans, orph)
        return rc, wall / 1e9, cpu / 1e6, rss, flt
    # No C compiler: spawn it ourselves. ru_maxrss would be Python's own high-water mark (kept
    # across exec), so none.
    if sleep:
        time.sleep(sleep)
    t0 = time.perf_counter()
    pid = start_proc(argv)
    if pid is None:
        return 127, 0.0, 0.0, None, 0
    _, st, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    cpu, flt = ru.ru_utime + ru.ru_stime, ru.ru_minflt
    deadline = time.monotonic() + 2.0
    while wait_orphans:
        try:
            p, _, r = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if p == 0:
            if not (my_children() - live) or time.monotonic() > deadline:
                break
            time.sleep(0.001)
        elif p in live:
            live.discard(p)
        else:
            count(orphans)
            cpu += r.ru_utime + r.ru_stime; flt += r.ru_minflt
    return os.waitstatus_to_exitcode(st), wall, cpu, None, flt

def start_proc(argv):
    """posix_spawn with our stdio; None (the error in errfd) if it could not even start."""
    try:
        return os.posix_spawn(argv[0], argv, env, file_actions=actions)
    except OSError as e:
        os.write(errfd, f"cannot run {argv[0]}: {e}\n".encode())
        return None

def plain(argv):
    """An untimed command; its exit code."""
    os.ftruncate(errfd, 0)
    pid = start_proc(argv)
    if pid is None:
        return 127
    _, st = os.waitpid(pid, 0)
    reap_nohang()
    return os.waitstatus_to_exitcode(st)

# --- bookkeeping -------------------------------------------------------------------------------
S = {}              # section -> name -> [(wall s, cpu s, maxrss KiB, minflt)]
tried, failed, first_err = {}, {}, {}
leftovers = {}      # runtime -> runs after which its state was still there

def record(sec, name, res, what):
    k = (sec, name)
    tried[k] = tried.get(k, 0) + 1
    S.setdefault(sec, {}).setdefault(name, [])
    rc = res[0]
    if rc != 0:
        failed[k] = failed.get(k, 0) + 1
        first_err.setdefault(k, f"{what}: exit {rc}: {err_text()}")
        return False
    S[sec][name].append(res[1:])
    return True

def fail(sec, name, msg):
    k = (sec, name)
    failed[k] = failed.get(k, 0) + 1
    first_err.setdefault(k, msg)

def clean_state(name, cid):
    if os.path.exists(os.path.join(state, name, cid)):
        leftovers[name] = leftovers.get(name, 0) + 1
        plain(rt(name, "delete", "-f", cid))

def shuffled(xs):
    xs = list(xs)
    random.shuffle(xs)
    return xs

def progress(msg):
    print(f"[{time.monotonic() - T0:6.1f} s] {msg}", file=sys.stderr, flush=True)

# --- sections ----------------------------------------------------------------------------------
def run_once(sec, n, variant, cid, sleep):
    current[:] = [n, sec]
    if n in RUNTIMES:
        write_cfg(T_TRUE[variant], cid)
        ok = record(sec, n, spawn(rt(n, "run", "-b", bundle, cid), sleep), "run")
        clean_state(n, cid)
    else:
        ok = record(sec, n, spawn(floor_argv(n, variant), sleep), "run")
    return ok

def warmup():
    """One untimed run each (binaries and rootfs into the page cache); who fails is left out."""
    ok = []
    for n in RUNTIMES + FLOORS:
        if run_once("warmup", n, "net", f"bench-{n}-{tag}-warmup", 0):
            ok.append(n)
        else:
            argv = rt(n, "run", "-b", "BUNDLE", "ID") if n in RUNTIMES else floor_argv(n, "net")
            print(f"{label(n)}: FAILED in the warm-up run, left out of everything:\n  {' '.join(argv)}\n"
                  f"  {first_err[('warmup', n)]}")
    return ok

def section_run(prefix, rounds, sleep):
    for r in range(rounds):
        for n, v in shuffled((n, v) for n in active for v in VARIANTS):
            run_once(f"{prefix}-{v}", n, v, f"bench-{n}-{tag}-{prefix[0]}{v}{r}", sleep)

def section_phases():
    for r in range(ROUNDS):
        cid = {n: f"bench-{n}-{tag}-p{r}" for n in rts}
        pids, created, started, killed, stopped, deleted = {}, [], [], [], [], set()
        for n in shuffled(rts):
            current[:] = [n, "create"]
            write_cfg(T_SLEEP, cid[n])
            res = spawn(rt(n, "create", "-b", bundle, cid[n]), wait_orphans=False)
            pids[n] = adopt()
            if record("create", n, res, "create"):
                created.append(n)
        for n in shuffled(created):
            current[:] = [n, "start"]
            if record("start", n, spawn(rt(n, "start", cid[n])), "start"):
                started.append(n)
        for n in shuffled(started):
            current[:] = [n, "kill"]
            if record("kill", n, spawn(rt(n, "kill", cid[n], "KILL")), "kill"):
                killed.append(n)
        for n in killed:                           # stopped: its process has exited (reaped)
            if wait_gone(pids[n]):
                fail("kill", n, "kill: the container's process still ran 2 s after `kill ID KILL`")
            else:
                stopped.append(n)
        for n in shuffled(stopped):
            current[:] = [n, "delete"]
            if record("delete", n, spawn(rt(n, "delete", cid[n])), "delete"):
                deleted.add(n)
        for n in rts:                              # whatever failed on the way: untimed cleanup
            current[:] = [n, "phases (cleanup)"]
            if n not in deleted:
                plain(rt(n, "delete", "-f", cid[n]))
                wait_gone(pids.get(n, ()))
            clean_state(n, cid[n])

def exec_containers(suffix):
    """One running container (/bin/sleep) per runtime: {runtime: id}, {runtime: pids}."""
    ids, pids = {}, {}
    for n in rts:
        current[:] = [n, f"{suffix} (setup)"]
        c = f"bench-{n}-{tag}-{suffix}"
        write_cfg(T_SLEEP, c)
        rc = plain(rt(n, "run", "-d", "-b", bundle, c))
        p = adopt()
        if rc == 0:
            ids[n], pids[n] = c, p
        else:
            fail(suffix, n, f"run -d for {suffix}: exit {rc}: {err_text()}")
            plain(rt(n, "delete", "-f", c))
            wait_gone(p)
    return ids, pids

def drop_containers(ids, pids):
    for n, c in ids.items():
        current[:] = [n, "teardown"]
        plain(rt(n, "delete", "-f", c))
        wait_gone(pids[n])
        clean_state(n, c)

def section_exec():
    ids, pids = exec_containers("exec")
    for r in range(ROUNDS):
        for n, op in shuffled((n, op) for n in ids for op in ("state", "exec")):
            current[:] = [n, op]
            argv = rt(n, "state", ids[n]) if op == "state" else rt(n, "exec", ids[n], "/bin/true")
            record(op, n, spawn(argv), op)
    drop_containers(ids, pids)

def run_batch(n, par, cids, dirs):
    """BATCH `run`s of /bin/true, PAR at a time: (wall s, cpu s, containers ok)."""
    os.ftruncate(errfd, 0)
    pending, running, ok, cpu = list(range(len(cids))), {}, 0, 0.0
    t0 = time.perf_counter()
    while pending or running:
        while pending and len(running) < par:
            k = pending.pop(0)
            pid = start_proc(rt(n, "run", "-b", dirs[k], cids[k]))
            if pid is not None:
                running[pid] = k
        if not running:
            break
        p, st, ru = os.wait4(-1, 0)
        cpu += ru.ru_utime + ru.ru_stime
        if p in running:
            running.pop(p)
            ok += os.waitstatus_to_exitcode(st) == 0
        else:
            count(orphans)
    return time.perf_counter() - t0, cpu, ok

def section_batch():
    root = os.path.join(os.path.dirname(bundle), "batch")
    dirs = [os.path.join(root, str(k)) for k in range(BATCH)]
    for d in dirs:
        os.makedirs(d, exist_ok=True)
    for rep in range(BATCH_REPS):
        for n, par in shuffled((n, par) for n in rts for par in PARALLEL):
            current[:] = [n, f"batch{par}"]
            cids = [f"bench-{n}-{tag}-b{par}r{rep}i{k}" for k in range(BATCH)]
            for d, c in zip(dirs, cids):
                write_cfg(T_BATCH, c, os.path.join(d, "config.json"))
            wall, cpu, ok = run_batch(n, par, cids, dirs)
            sec, k = f"batch{par}", (f"batch{par}", n)
            tried[k] = tried.get(k, 0) + BATCH
            S.setdefault(sec, {}).setdefault(n, [])
            if ok < BATCH:
                failed[k] = failed.get(k, 0) + BATCH - ok
                first_err.setdefault(k, f"run ({BATCH} at {par} at a time): {BATCH - ok} failed: {err_text()}")
            if ok:
                S[sec][n].append((wall, cpu, ok))
            for c in cids:
                clean_state(n, c)

def strace_count(argv):
    out = os.path.join(state, "strace.txt")
    rc = plain([STRACE, "-f", "-c", "-o", out, "--"] + argv)
    if rc != 0:
        return None, f"exit {rc}: {err_text()}"
    for line in open(out):
        p = line.split()
        if p and p[-1] == "total":
            return int(p[3]), None
    return None, "no total line in strace -c output"

SYSCALLS = {}       # ("run"|"exec", name) -> [counts]

def section_strace():
    ids, pids = exec_containers("sexec")
    for rep in range(STRACE_REPS):
        items = [(n, "run") for n in active] + [(n, "exec") for n in ids]
        for n, what in shuffled(items):
            current[:] = [n, "strace-" + what]
            if what == "exec":
                argv = rt(n, "exec", ids[n], "/bin/true")
            elif n in RUNTIMES:
                cid = f"bench-{n}-{tag}-s{rep}"
                write_cfg(T_TRUE["net"], cid)
                argv = rt(n, "run", "-b", bundle, cid)
            else:
                argv = floor_argv(n, "net")
            count, err = strace_count(argv)
            k = ("strace-" + what, n)
            tried[k] = tried.get(k, 0) + 1
            if count is None:
                fail(*k, f"strace -f -c {what}: {err}")
            else:
                SYSCALLS.setdefault((what, n), []).append(count)
            if what == "run" and n in RUNTIMES:
                clean_state(n, cid)
    drop_containers(ids, pids)

# --- binaries ----------------------------------------------------------------------------------
def text_data(path):
    try:
        out = subprocess.run(["size", path], capture_output=True, text=True).stdout.splitlines()
        text, data = out[1].split()[:2]
        return int(text) + int(data)
    except Exception:
        return None

def shared_libs(path):
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    except Exception:
        return []
    libs = []
    for line in out.splitlines():
        for tok in line.split():
            if tok.startswith("/"):
                libs.append(tok)
                break
    return libs

def binary(name):
    real = os.path.realpath(paths[name])
    libs = shared_libs(real)
    lib_td = [text_data(l) for l in libs]
    shown = E.get("BENCH_LOCKER_SRC") or real if name == "locker" else real
    return (shown, os.path.getsize(real), text_data(real), len(libs),
            sum(x for x in lib_td if x) if libs else 0)

# --- output ------------------------------------------------------------------------------------
def print_table(title, hdr, rows):
    print(f"\n{title}")
    if not rows:
        print("  (nothing measured)")
        return
    widths = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    print(line(hdr))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))

def medof(sec, n, i):
    ss = S.get(sec, {}).get(n)
    if not ss or ss[0][i] is None:
        return None
    return med(s[i] for s in ss)

def ok_col(sec, n):
    return f"{len(S.get(sec, {}).get(n, []))}/{tried.get((sec, n), 0)}"

def ratio(v, b):
    return f"{v / b:.2f}x" if v is not None and b else "-"

def timing_table(title, sec, names):
    hdr = ["runtime", "wall ms median (min-max)", "CPU ms median", "maxRSS MB median",
           "minflt median", "wall/locker", "CPU/locker", "ok"]
    bw, bc = medof(sec, "locker", 0), medof(sec, "locker", 1)
    rows = []
    for n in names:
        ss = S.get(sec, {}).get(n, [])
        if not ss:
            rows.append([label(n), "all failed" if tried.get((sec, n)) else "not run", "", "", "", "", "",
                         ok_col(sec, n)])
            continue
        w = [s[0] * 1e3 for s in ss]
        rss = medof(sec, n, 2)
        rows.append([label(n), f"{med(w):.2f} ({min(w):.2f}-{max(w):.2f})",
                     f"{medof(sec, n, 1) * 1e3:.2f}",
                     f"{rss / 1024:.1f}" if rss is not None else "n/a",
                     f"{medof(sec, n, 3):.0f}",
                     ratio(med(w), bw and bw * 1e3), ratio(medof(sec, n, 1), bc), ok_col(sec, n)])
    print_table(title, hdr, rows)

def batch_table(par):
    sec = f"batch{par}"
    hdr = ["runtime", "batch wall ms median (min-max)", "containers/s median",
           "CPU ms/container median", "wall/locker", "CPU/locker", "containers ok"]
    bw, bc = medof(sec, "locker", 0), medof(sec, "locker", 1)
    rows = []
    for n in rts:
        ss = S.get(sec, {}).get(n, [])
        if not ss:
            rows.append([n, "all failed", "", "", "", "", ok_col(sec, n)])
            continue
        w = [s[0] * 1e3 for s in ss]
        rows.append([n, f"{med(w):.0f} ({min(w):.0f}-{max(w):.0f})",
                     f"{med(s[2] / s[0] for s in ss):.1f}",
                     f"{med(s[1] / s[2] for s in ss) * 1e3:.2f}",
                     ratio(med(w), bw and bw * 1e3), ratio(medof(sec, n, 1), bc),
                     f"{sum(s[2] for s in ss)}/{tried.get((sec, n), 0)}"])
    print_table(f"batch: {BATCH} containers (`run` of /bin/true, {VARIANT_TEXT['net']}), {par} at a time; "
                f"{plural(BATCH_REPS, 'batch', 'batches')} per runtime, order shuffled", hdr, rows)

def sysmed(what, n):
    xs = SYSCALLS.get((what, n))
    return med(xs) if xs else None

def strace_table():
    hdr = ["runtime", "run syscalls median (min-max)", "run/locker", "exec syscalls median (min-max)",
           "exec/locker", "ok"]
    rows = []
    for n in active:
        cells = [label(n)]
        for what in ("run", "exec"):
            xs = SYSCALLS.get((what, n))
            if what == "exec" and n not in RUNTIMES:
                cells += ["", ""]
            elif not xs:
                cells += ["failed", "-"]
            else:
                cells += [f"{med(xs):.0f} ({min(xs)}-{max(xs)})", ratio(med(xs), sysmed(what, "locker"))]
        n_ok = sum(len(SYSCALLS.get((w, n), [])) for w in ("run", "exec"))
        n_tried = sum(tried.get(("strace-" + w, n), 0) for w in ("run", "exec"))
        rows.append(cells + [f"{n_ok}/{n_tried}"])
    print_table(f"syscalls: `strace -f -c` totals (every process of the tree, the container's included), "
                f"{plural(STRACE_REPS, 'untimed pass', 'untimed passes')}: `run` ({VARIANT_TEXT['net']}) and `exec ID /bin/true`", hdr, rows)

def fmt(v, spec, scale=1.0):
    return format(v * scale, spec) if v is not None else "-"

def summary_table(bins):
    hdr = ["runtime", "run wall ms", "run CPU ms", "run minflt", "run peakRSS MB", "run syscalls",
           "exec wall ms", "exec CPU ms", "exec minflt", "exec peakRSS MB", "exec syscalls",
           "file MB", "text+data MB", "shared libs (text+data MB)"]
    rows = []
    for n in active:
        b = bins.get(n)
        ex = n in RUNTIMES
        rows.append([label(n),
                     fmt(medof("warm-net", n, 0), ".2f", 1e3), fmt(medof("warm-net", n, 1), ".2f", 1e3),
                     fmt(medof("warm-net", n, 3), ".0f"), fmt(medof("warm-net", n, 2), ".1f", 1 / 1024),
                     fmt(sysmed("run", n), ".0f"),
                     fmt(medof("exec", n, 0), ".2f", 1e3) if ex else "", fmt(medof("exec", n, 1), ".2f", 1e3) if ex else "",
                     fmt(medof("exec", n, 3), ".0f") if ex else "", fmt(medof("exec", n, 2), ".1f", 1 / 1024) if ex else "",
                     fmt(sysmed("exec", n), ".0f") if ex else "",
                     f"{b[1] / 1e6:.1f}" if b else "-", fmt(b and b[2], ".1f", 1e-6),
                     (f"{b[3]} ({b[4] / 1e6:.1f})" if b[3] else "none (static)") if b else "-"])
    print_table("summary per runtime: medians of the warm `run` (pid+net+ipc+uts+mount) and of `exec`; "
                "peak RSS = the largest process of the tree; binary sizes of the file itself", hdr, rows)

def targets_table():
    rows = []
    def add(what, lv, cv, unit, limit=1.0, higher=False, digits=2):
        if lv is None or cv is None:
            why = ("not measured in this run" if lv is None and cv is None else
                   f"cannot tell: no {'locker' if lv is None else 'crun'} figure")
            rows.append([what, fmt(lv, f".{digits}f"), fmt(cv, f".{digits}f"), "-", why])
            return
        met = lv > cv if higher else lv <= limit * cv
        rows.append([what, f"{lv:.{digits}f} {unit}", f"{cv:.{digits}f} {unit}", f"{lv / cv:.2f}x",
                     "yes" if met else "no"])
    for temp, sec in (("warm", "warm"), ("cold", "cold")):
        for v in VARIANTS:
            s = f"{sec}-{v}"
            vt = "" if v == "net" else ", no net"
            add(f"run {temp}{vt}: wall <= 0.8x crun", medof(s, "locker", 0) and medof(s, "locker", 0) * 1e3,
                medof(s, "crun", 0) and medof(s, "crun", 0) * 1e3, "ms", 0.8)
            add(f"run {temp}{vt}: CPU <= 0.8x crun", medof(s, "locker", 1) and medof(s, "locker", 1) * 1e3,
                medof(s, "crun", 1) and medof(s, "crun", 1) * 1e3, "ms", 0.8)
    add("exec: wall <= crun", medof("exec", "locker", 0) and medof("exec", "locker", 0) * 1e3,
        medof("exec", "crun", 0) and medof("exec", "crun", 0) * 1e3, "ms")
    add("exec: CPU <= crun", medof("exec", "locker", 1) and medof("exec", "locker", 1) * 1e3,
        medof("exec", "crun", 1) and medof("exec", "crun", 1) * 1e3, "ms")
    mb = lambda v: v and v / 1024
    add("peak RSS, run: <= crun", mb(medof("warm-net", "locker", 2)), mb(medof("warm-net", "crun", 2)), "MB", digits=1)
    add("peak RSS, exec: <= crun", mb(medof("exec", "locker", 2)), mb(medof("exec", "crun", 2)), "MB", digits=1)
    add("page faults, run: <= crun", medof("warm-net", "locker", 3), medof("warm-net", "crun", 3), "", digits=0)
    add("page faults, exec: <= crun", medof("exec", "locker", 3), medof("exec", "crun", 3), "", digits=0)
    add("syscalls, run: <= crun", sysmed("run", "locker"), sysmed("run", "crun"), "", digits=0)
    add("syscalls, exec: <= crun", sysmed("exec", "locker"), sysmed("exec", "crun"), "", digits=0)
    cps = lambda n: (med(s[2] / s[0] for s in S["batch8"][n]) if S.get("batch8", {}).get(n) else None)
    add(f"{BATCH} containers 8 at a time: more containers/s than crun", cps("locker"), cps("crun"), "/s",
        higher=True, digits=1)
    print_table("targets: facts from this run's medians (not a test)",
                ["target", "locker", "crun", "locker/crun", "met"], rows)

# --- main --------------------------------------------------------------------------------------
progress(f"warm-up: one untimed run of each of {', '.join(RUNTIMES + FLOORS)}")
active = warmup()
rts = [n for n in active if n in RUNTIMES]
n_items = len(active) * len(VARIANTS)

gc.disable()
if "run" in SECTIONS:
    progress(f"warm: {ROUNDS} rounds x {n_items} runs")
    section_run("warm", ROUNDS, 0)
if "cold" in SECTIONS:
    progress(f"cold: {COLD_ROUNDS} rounds x {n_items} runs, {COLD_SLEEP} s of quiet before each")
    section_run("cold", COLD_ROUNDS, COLD_SLEEP)
if "phases" in SECTIONS:
    progress(f"phases: {ROUNDS} rounds of create, start, kill, delete")
    section_phases()
if "exec" in SECTIONS:
    progress(f"state and exec: {ROUNDS} rounds")
    section_exec()
if "batch" in SECTIONS:
    progress(f"batch: {BATCH_REPS} x {len(rts) * len(PARALLEL)} batches of {BATCH} containers")
    section_batch()
gc.enable()
if "strace" in SECTIONS:
    if STRACE:
        progress(f"strace: {plural(STRACE_REPS, 'untimed pass', 'untimed passes')}")
        section_strace()
    else:
        print("strace: not installed, no syscall counts")
progress("done measuring")

bins = {}
for n in active:
    try:
        bins[n] = binary(n)
    except OSError:
        pass

if "run" in SECTIONS:
    for v in VARIANTS:
        timing_table(f"warm run, {VARIANT_TEXT[v]}: {ROUNDS} rounds, runs back to back, order shuffled each round",
                     f"warm-{v}", active)
if "cold" in SECTIONS:
    for v in VARIANTS:
        timing_table(f"cold run, {VARIANT_TEXT[v]}: {COLD_ROUNDS} rounds, {COLD_SLEEP} s of quiet before each run",
                     f"cold-{v}", active)
if "phases" in SECTIONS:
    for ph, what in (("create", "create of a new container (process /bin/sleep)"),
                     ("start", "start of the created container"),
                     ("kill", "kill ID KILL of the running container"),
                     ("delete", "delete after it stopped")):
        timing_table(f"phase {ph}: {what}; {ROUNDS} rounds, each phase in a shuffled order", ph, rts)
    sums = []
    for n in rts:
        w = [medof(p, n, 0) for p in ("create", "start", "kill", "delete")]
        c = [medof(p, n, 1) for p in ("create", "start", "kill", "delete")]
        sums.append(f"{n} {sum(w) * 1e3:.2f} / {sum(c) * 1e3:.2f}" if None not in w + c else f"{n} -")
    print("sum of the four phase medians, wall / CPU ms: " + ", ".join(sums))
if "exec" in SECTIONS:
    timing_table(f"state: {ROUNDS} rounds of `state ID` of a running container", "state", rts)
    timing_table(f"exec: {ROUNDS} rounds of `exec ID /bin/true` into a running container "
                 "(interleaved with state, order shuffled)", "exec", rts)
if "batch" in SECTIONS:
    for par in PARALLEL:
        batch_table(par)
if "strace" in SECTIONS and STRACE:
    strace_table()
summary_table(bins)
hdr = ["binary", "path", "file MB", "text+data MB", "shared libs", "libs text+data MB"]
print_table("binaries (`size`: text+data; shared libraries from ldd)", hdr,
            [[label(n), b[0], f"{b[1] / 1e6:.2f}", fmt(b[2], ".2f", 1e-6), b[3], f"{b[4] / 1e6:.2f}"]
             for n, b in bins.items()])
targets_table()

# --- cleanup checks ----------------------------------------------------------------------------
current[:] = ["driver", "the final cleanup"]
notes = [f"{label(n)}: left out, its warm-up run failed (see above)" for n in RUNTIMES + FLOORS if n not in active]
for (sec, n), k in sorted(failed.items()):
    if sec != "warmup":
        notes.append(f"{label(n)}: {k} failed in {sec}; first: {first_err[(sec, n)]}")
for n, k in leftovers.items():
    notes.append(f"{n}: state left after {k} commands (deleted with `delete -f`)")
def grouped(d):
    by = {}
    for (n, sec), k in d.items():
        by.setdefault(n, []).append((sec, k))
    return [(n, sum(k for _, k in v), ", ".join(f"{sec} {k}" for sec, k in v)) for n, v in by.items()]
for n, k, where in grouped(orphans):
    notes.append(f"{label(n)}: {k} orphaned processes reaped by the spawner, their CPU and minflt counted "
                 f"in their command's ({where})")
for n, k, where in grouped(strays):
    notes.append(f"{label(n)}: {k} processes came back to the driver and were reaped, not counted ({where})")
for n in RUNTIMES:                                  # containers still in the state roots
    d = os.path.join(state, n)
    for c in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if c.startswith("bench-"):
            plain(rt(n, "delete", "-f", c))
            notes.append(f"{n}: container {c} was left in its state root (deleted with `delete -f`)")
reap_nohang()
kids = my_children()
if kids:
    notes.append(f"processes of ours still running at the end (killed): {sorted(kids)}")
    for p in kids:
        os.kill(p, signal.SIGKILL)
    wait_gone(kids)
    live.difference_update(kids)
ours = 0
for d in sorted(set(glob.glob("/sys/fs/cgroup/*/bench-*") + glob.glob("/sys/fs/cgroup/*/*/bench-*")),
                key=len, reverse=True):
    if f"-{tag}-" in os.path.basename(d):
        ours += 1
        notes.append(f"{os.path.basename(d).split('-')[1]}: left cgroup {d} behind (removed)")
        try:
            os.rmdir(d)
        except OSError as e:
            notes.append(f"  could not remove {d}: {e}")
    else:
        notes.append(f"a bench-* cgroup not from this run (left alone): {d}")
left_any = ours or kids or any("left in its state root" in x for x in notes)
print(f"\ncleanup: " + ("something was left behind, see the notes (removed)" if left_any else
      f"nothing left: no bench-*-{tag}-* cgroup under /sys/fs/cgroup/*/, no container in the state roots, "
      "no process"))
print(f"elapsed: {time.monotonic() - T0:.0f} s of measuring (after building the bundle)")
print("\nnotes: " + ("none" if not notes else "\n  " + "\n  ".join(notes)))
sys.exit(1 if failed or len(active) < len(RUNTIMES + FLOORS) else 0)

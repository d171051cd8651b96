/*
 * fntrace: runs a command under ptrace and writes which of the given function entry points
 * it reached, in any of its threads and children, one hex address per line in the order
 * first reached. Each entry point gets a breakpoint that is removed at its first hit, so a
 * function costs one trap per process however often it runs. A child that execs another
 * program (the container's process) is let go at the exec. OUT is written when the command
 * exits and again when the last task it left behind (a created container's setup process,
 * waiting for `start`) has exec'd or exited. A development tool for
 * scripts/link-order/generate.sh; not part of Locker.
 *
 *   fntrace ENTRIES OUT -- COMMAND [ARGS...]
 *
 * ENTRIES holds one hex address per line (the executable's function symbols). valgrind
 * would answer the same question, but Debian's does not know openat2, which Locker requires.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t *entry;    /* sorted function entry addresses */
static uint8_t *orig;      /* the byte each breakpoint replaced */
static uint8_t *hit;       /* reached at least once */
static size_t n;
static uint64_t *order;    /* entries in the order first reached */
static size_t norder;

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static long find(uint64_t a) {
    size_t l = 0, h = n;
    while (l < h) {
        size_t m = (l + h) / 2;
        if (entry[m] < a) l = m + 1; else h = m;
    }
    return (l < n && entry[l] == a) ? (long)l : -1;
}

static int memfd(pid_t p) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", p);
    return open(path, O_RDWR | O_CLOEXEC);
}

/* Plants every breakpoint in the freshly exec'd command. */
static int plant(pid_t p) {
    int fd = memfd(p);
    if (fd < 0) { perror("open /proc/PID/mem"); return -1; }
    uint8_t cc = 0xcc;
    for (size_t i = 0; i < n; i++) {
        if (pread(fd, &orig[i], 1, (off_t)entry[i]) != 1 || pwrite(fd, &cc, 1, (off_t)entry[i]) != 1) {
            fprintf(stderr, "fntrace: cannot patch %lx: %s\n", (unsigned long)entry[i], strerror(errno));
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

/* A breakpoint hit in task p: note it, put the byte back (in p's memory; a child made
 * earlier keeps its own copy and traps there once too), and re-run the instruction. */
static int on_trap(pid_t p) {
    struct user_regs_struct r;
    if (ptrace(PTRACE_GETREGS, p, 0, &r) != 0) return 0;
    long i = find(r.rip - 1);
    if (i < 0) return 0;
    if (!hit[i]) { hit[i] = 1; order[norder++] = entry[i]; }
    int fd = memfd(p);
    if (fd < 0 || pwrite(fd, &orig[i], 1, (off_t)entry[i]) != 1) {
        fprintf(stderr, "fntrace: cannot restore %lx in %d\n", (unsigned long)entry[i], p);
    }
    if (fd >= 0) close(fd);
    r.rip -= 1;
    ptrace(PTRACE_SETREGS, p, 0, &r);
    return 1;
}

/* Written to a temporary name and renamed: a reader sees the old list or the new one. */
static int dump(const char *path) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) { perror(tmp); return -1; }
    for (size_t i = 0; i < norder; i++) fprintf(out, "%lx\n", (unsigned long)order[i]);
    if (fclose(out) != 0 || rename(tmp, path) != 0) { perror(path); return -1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: fntrace ENTRIES OUT -- COMMAND [ARGS...]\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) { perror(argv[1]); return 2; }
    size_t cap = 1 << 16;
    entry = malloc(cap * sizeof *entry);
    unsigned long long a;
    while (fscanf(in, "%llx", &a) == 1) {
        if (n == cap) entry = realloc(entry, (cap *= 2) * sizeof *entry);
        entry[n++] = a;
    }
    fclose(in);
    qsort(entry, n, sizeof *entry, cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) if (u == 0 || entry[i] != entry[u - 1]) entry[u++] = entry[i];
    n = u;
    orig = calloc(n, 1); hit = calloc(n, 1); order = calloc(n, sizeof *order);

    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        execvp(argv[4], argv + 4);
        perror("exec");
        _exit(127);
    }
    int st;
    if (waitpid(child, &st, 0) < 0 || !WIFSTOPPED(st)) { fprintf(stderr, "fntrace: child did not stop\n"); return 1; }
    ptrace(PTRACE_SETOPTIONS, child, 0,
           PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC);
    ptrace(PTRACE_CONT, child, 0, 0);

    int root_exit = 0, live = 1, started = 0;
    unsigned long traps = 0;
    while (live > 0) {
        pid_t p = waitpid(-1, &st, __WALL);
        if (p < 0) { if (errno == EINTR) continue; break; }
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            live--;
            if (p == child) {
                root_exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                if (dump(argv[2]) != 0) return 1;
                if (live > 0) fprintf(stderr, "fntrace: the command exited; following %d task(s) it left\n", live);
            }
            continue;
        }
        if (!WIFSTOPPED(st)) continue;
        int sig = WSTOPSIG(st), event = st >> 16, deliver = 0;
        if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
            if (p == child && !started) {
                started = 1;
                if (plant(p) != 0) { kill(p, SIGKILL); return 1; }
            } else {
                ptrace(PTRACE_DETACH, p, 0, 0);   /* the container's own program */
                live--;
                continue;
            }
        } else if (sig == SIGTRAP && (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK)) {
            live++;                               /* the new task arrives with a SIGSTOP */
        } else if (sig == SIGSTOP && event == 0 && p != child) {
        } else if (sig == SIGTRAP && event == 0) {
            if (started && on_trap(p)) traps++; else deliver = sig;
        } else if (event != 0) {
        } else {
            deliver = sig;
        }
        ptrace(PTRACE_CONT, p, 0, deliver);
    }

    if (dump(argv[2]) != 0) return 1;
    fprintf(stderr, "fntrace: %zu entry points, %lu traps, %zu functions reached, exit %d\n", n, traps, norder, root_exit);
    return root_exit;
}

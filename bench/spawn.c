/* The spawner of bench/run.sh: sleeps SLEEP seconds (cold runs), then vforks and execs one
 * command and waits for it with wait4. Reports "exit wall_ns cpu_us maxrss_kib minflt orphans"
 * on fd 3.
 *
 *   spawn SLEEP WAIT_ORPHANS PROGRAM [ARG...]
 *
 * It exists because of max RSS: a process's ru_maxrss keeps the high-water mark of the memory
 * it had before exec, so a command forked or vforked straight from the Python driver would
 * report Python's ~12 MB; from here it carries at most this program's few hundred KiB.
 *
 * It is a child subreaper. With WAIT_ORPHANS=1 it then waits for every process the command
 * left orphaned (they come back to it, not to pid 1) and adds their CPU time and page faults
 * to the report; with WAIT_ORPHANS=0 (`create`, `run -d`: the container's process outlives
 * the command on purpose) it reports as soon as the command exits, and what the command left
 * goes to the driver, which is a subreaper too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long cpu_us(const struct rusage *r) {
  return r->ru_utime.tv_sec * 1000000LL + r->ru_utime.tv_usec + r->ru_stime.tv_sec * 1000000LL + r->ru_stime.tv_usec;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);        /* orphans of the run come back to us */
  fcntl(3, F_SETFD, FD_CLOEXEC);                    /* the report pipe stays out of the run */
  double s = atof(argv[1]);
  int wait_orphans = atoi(argv[2]);
  if (s > 0) {
    struct timespec q = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&q, &q) < 0 && errno == EINTR) {}
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = vfork();
  if (pid < 0) return 3;
  if (pid == 0) {
    execv(argv[3], argv + 3);
    const char *e = strerror(errno);                /* what the driver shows as the error */
    (void)!write(2, "spawn: cannot exec ", 19); (void)!write(2, argv[3], strlen(argv[3]));
    (void)!write(2, ": ", 2); (void)!write(2, e, strlen(e)); (void)!write(2, "\n", 1);
    _exit(127);
  }
  int st; struct rusage ru;
  while (wait4(pid, &st, 0, &ru) < 0) if (errno != EINTR) return 4;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long cpu = cpu_us(&ru);
  long rss = ru.ru_maxrss, flt = ru.ru_minflt; int orphans = 0;
  if (wait_orphans) {
    alarm(5);                                       /* an orphan that never ends: give up */
    for (;;) {
      int s2; struct rusage r2;
      pid_t p = wait4(-1, &s2, 0, &r2);
      if (p < 0) { if (errno == EINTR) continue; break; }
      orphans++;
      cpu += cpu_us(&r2);
      flt += r2.ru_minflt;
      if (r2.ru_maxrss > rss) rss = r2.ru_maxrss;
    }
  }
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  long long wall = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  dprintf(3, "%d %lld %lld %ld %ld %d\n", rc, wall, cpu, rss, flt, orphans);
  return 0;
}

// The C that Swift cannot say: raw syscalls, variadic calls, cmsg macros, and
// constants that glibc only exposes behind _GNU_SOURCE. Nothing else belongs here.
#ifndef LOCKER_SHIM_H
#define LOCKER_SHIM_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <signal.h>

// The process's argc and argv as glibc hands them to constructors. Swift's
// CommandLine.arguments builds the same list through standard-library code that
// otherwise sits alone in its own pages of the executable (see scripts/build.sh).
int locker_argc(void);
char *const *locker_argv(void);

// clone(2) without a new stack: behaves like fork(2) with namespace flags.
// Only ever called from a single-threaded process.
long locker_clone(unsigned long flags);
int locker_setns(int fd, int nstype);
int locker_unshare(int flags);
int locker_pivot_root(const char *new_root, const char *put_old);
int locker_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int locker_close_range(unsigned int first, unsigned int last, unsigned int flags);
int locker_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data);
int locker_umount2(const char *target, int flags);
int locker_sethostname(const char *name, size_t len);
int locker_setdomainname(const char *name, size_t len);
int locker_setgroups(size_t size, const gid_t *list);
int locker_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
int locker_capget_bounding_last(void);
int locker_capset(uint32_t eff[2], uint32_t perm[2], uint32_t inh[2]);
int locker_capget(int pid, uint32_t eff[2], uint32_t perm[2], uint32_t inh[2]);
int locker_send_fd(int sock, int fd, const void *data, size_t len);
int locker_recv_fd(int sock, void *data, size_t len, ssize_t *got);
int locker_ioctl_int(int fd, unsigned long req, int arg);
int locker_ioctl_ptr(int fd, unsigned long req, void *arg);
int locker_signalfd(const sigset_t *mask);
int locker_pidfd_open(pid_t pid);
int locker_pidfd_send_signal(int pidfd, int sig);
dev_t locker_makedev(unsigned int major, unsigned int minor);
unsigned int locker_major(dev_t dev);
unsigned int locker_minor(dev_t dev);
int locker_mknod(const char *path, mode_t mode, dev_t dev);
int locker_fsetxattr(int fd, const char *name, const void *value, size_t size);
long locker_lgetxattr(const char *path, const char *name, void *value, size_t size);
int locker_wait_status_exited(int status);
int locker_wait_status_code(int status);
int locker_wait_status_signaled(int status);
int locker_wait_status_signal(int status);
int locker_dup3(int oldfd, int newfd, int flags);
int locker_pipe2(int fds[2], int flags);
int locker_accept4(int fd);
int locker_seccomp_set_filter(unsigned int flags, const void *prog, unsigned short len);

// Constants (all as long so Swift imports one type).
extern const unsigned long LOCKER_CLONE_NEWNS, LOCKER_CLONE_NEWUTS, LOCKER_CLONE_NEWIPC,
    LOCKER_CLONE_NEWUSER, LOCKER_CLONE_NEWPID, LOCKER_CLONE_NEWNET, LOCKER_CLONE_NEWCGROUP,
    LOCKER_CLONE_NEWTIME;
extern const unsigned long LOCKER_MS_RDONLY, LOCKER_MS_NOSUID, LOCKER_MS_NODEV, LOCKER_MS_NOEXEC,
    LOCKER_MS_SYNCHRONOUS, LOCKER_MS_REMOUNT, LOCKER_MS_MANDLOCK, LOCKER_MS_DIRSYNC,
    LOCKER_MS_NOATIME, LOCKER_MS_NODIRATIME, LOCKER_MS_BIND, LOCKER_MS_MOVE, LOCKER_MS_REC,
    LOCKER_MS_SILENT, LOCKER_MS_UNBINDABLE, LOCKER_MS_PRIVATE, LOCKER_MS_SLAVE, LOCKER_MS_SHARED,
    LOCKER_MS_RELATIME, LOCKER_MS_STRICTATIME, LOCKER_MS_LAZYTIME;
extern const int LOCKER_MNT_DETACH, LOCKER_O_PATH, LOCKER_O_CLOEXEC, LOCKER_O_DIRECTORY,
    LOCKER_O_NOFOLLOW, LOCKER_AT_EMPTY_PATH, LOCKER_AT_SYMLINK_NOFOLLOW;
extern const uint64_t LOCKER_RESOLVE_IN_ROOT, LOCKER_RESOLVE_NO_MAGICLINKS, LOCKER_RESOLVE_NO_XDEV,
    LOCKER_RESOLVE_BENEATH, LOCKER_RESOLVE_NO_SYMLINKS;
extern const int LOCKER_PR_SET_NO_NEW_PRIVS, LOCKER_PR_SET_KEEPCAPS, LOCKER_PR_SET_DUMPABLE,
    LOCKER_PR_CAPBSET_DROP, LOCKER_PR_CAP_AMBIENT, LOCKER_PR_CAP_AMBIENT_RAISE,
    LOCKER_PR_CAP_AMBIENT_CLEAR_ALL, LOCKER_PR_SET_PDEATHSIG, LOCKER_PR_SET_CHILD_SUBREAPER,
    LOCKER_PR_SET_NAME;
extern const unsigned long LOCKER_TIOCSCTTY, LOCKER_TIOCGWINSZ, LOCKER_TIOCSWINSZ,
    LOCKER_TIOCGPTN, LOCKER_TIOCSPTLCK, LOCKER_TIOCGPTPEER, LOCKER_FIONCLEX;
extern const unsigned int LOCKER_CLOSE_RANGE_CLOEXEC;



// Brings the loopback interface of the current network namespace up (SIOCSIFFLAGS).
int locker_loopback_up(void);
int locker_setrlimit(int resource, uint64_t soft, uint64_t hard);
int locker_setresuid(uid_t r, uid_t e, uid_t s);
int locker_setresgid(gid_t r, gid_t e, gid_t s);
// Reads one signal from a signalfd; returns its number, or -1.
int locker_signalfd_read(int fd);
// The filesystem magic of a path (statfs f_type), or -1.
long locker_statfs_type(const char *path);
// The MS_* flags a mount has now (from statvfs), for remounts that must keep locked flags.
unsigned long locker_mount_flags(const char *path);
// Loads a BPF_PROG_TYPE_CGROUP_DEVICE program (8-byte instructions); returns its fd.
int locker_bpf_load_device_program(const void *insns, unsigned int count, char *log, unsigned int log_size);
// Attaches a device program to a cgroup directory (BPF_F_ALLOW_MULTI).
int locker_bpf_attach_device_program(int cgroup_fd, int prog_fd);
#endif

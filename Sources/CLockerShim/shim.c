#define _GNU_SOURCE
#include "locker_shim.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <linux/filter.h>

static int saved_argc;
static char *const *saved_argv;

// glibc calls init_array functions with (argc, argv, envp), static executables included.
__attribute__((constructor)) static void locker_save_args(int argc, char **argv, char **envp) {
    (void)envp;
    saved_argc = argc;
    saved_argv = argv;
}

int locker_argc(void) { return saved_argc; }
char *const *locker_argv(void) { return saved_argv; }
#include <termios.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

long locker_clone(unsigned long flags) {
    return syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}
int locker_setns(int fd, int nstype) { return setns(fd, nstype); }
int locker_unshare(int flags) { return unshare(flags); }
int locker_pivot_root(const char *n, const char *o) { return (int)syscall(SYS_pivot_root, n, o); }
int locker_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = flags;
    how.mode = mode;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}
int locker_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(SYS_close_range, first, last, flags);
}
int locker_mount(const char *s, const char *t, const char *f, unsigned long fl, const char *d) {
    return mount(s, t, f, fl, d);
}
int locker_umount2(const char *t, int f) { return umount2(t, f); }
int locker_sethostname(const char *n, size_t l) { return sethostname(n, l); }
int locker_setdomainname(const char *n, size_t l) { return setdomainname(n, l); }
int locker_setgroups(size_t s, const gid_t *l) { return (int)syscall(SYS_setgroups, s, l); }
int locker_prctl(int o, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(o, a2, a3, a4, a5);
}
int locker_capget_bounding_last(void) {
    int last = 0;
    while (last < 64 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0) last++;
    return last;
}
int locker_capset(uint32_t eff[2], uint32_t perm[2], uint32_t inh[2]) {
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    for (int i = 0; i < 2; i++) { d[i].effective = eff[i]; d[i].permitted = perm[i]; d[i].inheritable = inh[i]; }
    return (int)syscall(SYS_capset, &h, d);
}
int locker_capget(int pid, uint32_t eff[2], uint32_t perm[2], uint32_t inh[2]) {
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
    struct __user_cap_data_struct d[2];
    int r = (int)syscall(SYS_capget, &h, d);
    if (r == 0) for (int i = 0; i < 2; i++) { eff[i] = d[i].effective; perm[i] = d[i].permitted; inh[i] = d[i].inheritable; }
    return r;
}
int locker_send_fd(int sock, int fd, const void *data, size_t len) {
    char byte = 0;
    struct iovec iov = { .iov_base = len ? (void *)data : &byte, .iov_len = len ? len : 1 };
    char buf[CMSG_SPACE(sizeof(int))];
    memset(buf, 0, sizeof buf);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (fd >= 0) {
        msg.msg_control = buf;
        msg.msg_controllen = sizeof buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t r;
    do { r = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}
int locker_recv_fd(int sock, void *data, size_t len, ssize_t *got) {
    struct iovec iov = { .iov_base = data, .iov_len = len };
    char buf[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
    ssize_t r;
    do { r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (r < 0 && errno == EINTR);
    if (got) *got = r;
    if (r < 0) return -2;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    return -1;
}
int locker_ioctl_int(int fd, unsigned long req, int arg) { return ioctl(fd, req, arg); }
int locker_ioctl_ptr(int fd, unsigned long req, void *arg) { return ioctl(fd, req, arg); }
int locker_signalfd(const sigset_t *mask) { return signalfd(-1, mask, SFD_CLOEXEC); }
int locker_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int locker_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }
dev_t locker_makedev(unsigned int ma, unsigned int mi) { return makedev(ma, mi); }
unsigned int locker_major(dev_t d) { return major(d); }
unsigned int locker_minor(dev_t d) { return minor(d); }
int locker_mknod(const char *p, mode_t m, dev_t d) { return mknod(p, m, d); }
int locker_wait_status_exited(int s) { return WIFEXITED(s); }
int locker_wait_status_code(int s) { return WEXITSTATUS(s); }
int locker_wait_status_signaled(int s) { return WIFSIGNALED(s); }
int locker_wait_status_signal(int s) { return WTERMSIG(s); }
int locker_dup3(int o, int n, int f) { return dup3(o, n, f); }
int locker_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int locker_accept4(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }
int locker_seccomp_set_filter(unsigned int flags, const void *prog, unsigned short len) {
    struct sock_fprog p = { .len = len, .filter = (struct sock_filter *)prog };
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p);
}

const unsigned long LOCKER_CLONE_NEWNS = CLONE_NEWNS, LOCKER_CLONE_NEWUTS = CLONE_NEWUTS,
    LOCKER_CLONE_NEWIPC = CLONE_NEWIPC, LOCKER_CLONE_NEWUSER = CLONE_NEWUSER,
    LOCKER_CLONE_NEWPID = CLONE_NEWPID, LOCKER_CLONE_NEWNET = CLONE_NEWNET,
    LOCKER_CLONE_NEWCGROUP = CLONE_NEWCGROUP, LOCKER_CLONE_NEWTIME = CLONE_NEWTIME;
const unsigned long LOCKER_MS_RDONLY = MS_RDONLY, LOCKER_MS_NOSUID = MS_NOSUID,
    LOCKER_MS_NODEV = MS_NODEV, LOCKER_MS_NOEXEC = MS_NOEXEC, LOCKER_MS_SYNCHRONOUS = MS_SYNCHRONOUS,
    LOCKER_MS_REMOUNT = MS_REMOUNT, LOCKER_MS_MANDLOCK = MS_MANDLOCK, LOCKER_MS_DIRSYNC = MS_DIRSYNC,
    LOCKER_MS_NOATIME = MS_NOATIME, LOCKER_MS_NODIRATIME = MS_NODIRATIME, LOCKER_MS_BIND = MS_BIND,
    LOCKER_MS_MOVE = MS_MOVE, LOCKER_MS_REC = MS_REC, LOCKER_MS_SILENT = MS_SILENT,
    LOCKER_MS_UNBINDABLE = MS_UNBINDABLE, LOCKER_MS_PRIVATE = MS_PRIVATE, LOCKER_MS_SLAVE = MS_SLAVE,
    LOCKER_MS_SHARED = MS_SHARED, LOCKER_MS_RELATIME = MS_RELATIME,
    LOCKER_MS_STRICTATIME = MS_STRICTATIME, LOCKER_MS_LAZYTIME = MS_LAZYTIME;
const int LOCKER_MNT_DETACH = MNT_DETACH, LOCKER_O_PATH = O_PATH, LOCKER_O_CLOEXEC = O_CLOEXEC,
    LOCKER_O_DIRECTORY = O_DIRECTORY, LOCKER_O_NOFOLLOW = O_NOFOLLOW,
    LOCKER_AT_EMPTY_PATH = AT_EMPTY_PATH, LOCKER_AT_SYMLINK_NOFOLLOW = AT_SYMLINK_NOFOLLOW;
const uint64_t LOCKER_RESOLVE_IN_ROOT = RESOLVE_IN_ROOT, LOCKER_RESOLVE_NO_MAGICLINKS = RESOLVE_NO_MAGICLINKS,
    LOCKER_RESOLVE_NO_XDEV = RESOLVE_NO_XDEV, LOCKER_RESOLVE_BENEATH = RESOLVE_BENEATH,
    LOCKER_RESOLVE_NO_SYMLINKS = RESOLVE_NO_SYMLINKS;
const int LOCKER_PR_SET_NO_NEW_PRIVS = PR_SET_NO_NEW_PRIVS, LOCKER_PR_SET_KEEPCAPS = PR_SET_KEEPCAPS,
    LOCKER_PR_SET_DUMPABLE = PR_SET_DUMPABLE, LOCKER_PR_CAPBSET_DROP = PR_CAPBSET_DROP,
    LOCKER_PR_CAP_AMBIENT = PR_CAP_AMBIENT, LOCKER_PR_CAP_AMBIENT_RAISE = PR_CAP_AMBIENT_RAISE,
    LOCKER_PR_CAP_AMBIENT_CLEAR_ALL = PR_CAP_AMBIENT_CLEAR_ALL,
    LOCKER_PR_SET_PDEATHSIG = PR_SET_PDEATHSIG, LOCKER_PR_SET_CHILD_SUBREAPER = PR_SET_CHILD_SUBREAPER,
    LOCKER_PR_SET_NAME = PR_SET_NAME;
const unsigned long LOCKER_TIOCSCTTY = TIOCSCTTY, LOCKER_TIOCGWINSZ = TIOCGWINSZ,
    LOCKER_TIOCSWINSZ = TIOCSWINSZ, LOCKER_TIOCGPTN = TIOCGPTN, LOCKER_TIOCSPTLCK = TIOCSPTLCK,
    LOCKER_TIOCGPTPEER = TIOCGPTPEER, LOCKER_FIONCLEX = FIONCLEX;
const unsigned int LOCKER_CLOSE_RANGE_CLOEXEC = CLOSE_RANGE_CLOEXEC;

#include <net/if.h>
#include <sys/resource.h>
int locker_loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int r = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    errno = e;
    return r;
}
int locker_setrlimit(int resource, uint64_t soft, uint64_t hard) {
    struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };
    return prlimit(0, resource, &rl, NULL);
}

#include <sys/statfs.h>
#include <sys/statvfs.h>
int locker_setresuid(uid_t r, uid_t e, uid_t s) { return setresuid(r, e, s); }
int locker_setresgid(gid_t r, gid_t e, gid_t s) { return setresgid(r, e, s); }
int locker_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    return n == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}
long locker_statfs_type(const char *path) {
    struct statfs s;
    return statfs(path, &s) == 0 ? (long)s.f_type : -1;
}
unsigned long locker_mount_flags(const char *path) {
    struct statvfs s;
    if (statvfs(path, &s) != 0) return 0;
    unsigned long f = 0;
    if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (s.f_flag & ST_NODEV) f |= MS_NODEV;
    if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (s.f_flag & ST_RDONLY) f |= MS_RDONLY;
    if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

#include <linux/bpf.h>
int locker_bpf_load_device_program(const void *insns, unsigned int count, char *log, unsigned int log_size) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = count;
    a.license = (uint64_t)(uintptr_t)"Apache";
    if (log && log_size) { a.log_buf = (uint64_t)(uintptr_t)log; a.log_size = log_size; a.log_level = 1; }
    return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
}
int locker_bpf_attach_device_program(int cgroup_fd, int prog_fd) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.target_fd = cgroup_fd;
    a.attach_bpf_fd = prog_fd;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    return (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a);
}

int locker_fsetxattr(int fd, const char *name, const void *value, size_t size) {
    return fsetxattr(fd, name, value, size, 0);
}

long locker_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    return lgetxattr(path, name, value, size);
}

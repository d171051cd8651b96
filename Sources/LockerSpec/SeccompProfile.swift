/// A default seccomp profile as strict as docker's: an allow list, everything else EPERM,
/// with the syscalls that need a capability allowed only when the container has it.
public enum SeccompProfile {
    static let allowed: [String] = """
    accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 clock_adjtime clock_adjtime64 \
    clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range \
    connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 \
    epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 \
    fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr \
    flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 \
    futex_waitv futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups \
    getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresgid32 getresuid \
    getresuid32 getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid \
    getuid32 getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents \
    io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc kill landlock_add_rule \
    landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek \
    lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir mkdirat \
    mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive \
    mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock \
    munlockall munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal \
    pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 \
    process_mrelease pselect6 pselect6_time64 ptrace pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom \
    recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq \
    rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait \
    rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max \
    sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity \
    sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop \
    semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid \
    setgid32 setgroups setgroups32 setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid \
    setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid \
    setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socket \
    socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo \
    tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 \
    timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 \
    ugetrlimit umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid \
    write writev arch_prctl modify_ldt chroot
    """.split(separator: " ").map { String($0).filter { !$0.isWhitespace } }.filter { !$0.isEmpty }

    /// Real syscalls newer than the libseccomp Debian ships: skipped where unknown (as runc
    /// skips names it cannot resolve) instead of refused as typos.
    public static let newerThanLibseccomp: Set<String> = [
        "map_shadow_stack", "fchmodat2", "futex_waitv", "memfd_secret", "process_mrelease", "set_mempolicy_home_node",
        "cachestat", "futex_wake", "futex_wait", "futex_requeue", "statmount", "listmount", "lsm_get_self_attr",
        "lsm_set_self_attr", "lsm_list_modules", "mseal", "setxattrat", "getxattrat", "listxattrat", "removexattrat",
        "open_tree_attr", "uretprobe", "quotactl_fd", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        "epoll_pwait2", "mount_setattr", "process_madvise", "close_range", "openat2", "pidfd_getfd", "faccessat2",
    ]

    /// Syscalls allowed only with a capability, as docker's profile grants them.
    static let byCapability: [String: [String]] = [
        "CAP_SYS_ADMIN": ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
                          "mount", "mount_setattr", "move_mount", "name_to_handle_at", "open_tree", "perf_event_open", "quotactl",
                          "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare", "pivot_root"],
        "CAP_SYS_BOOT": ["reboot"],
        "CAP_SYS_MODULE": ["delete_module", "init_module", "finit_module"],
        "CAP_SYS_PACCT": ["acct"],
        "CAP_SYS_PTRACE": ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev"],
        "CAP_SYS_RAWIO": ["iopl", "ioperm"],
        "CAP_SYS_TIME": ["settimeofday", "stime", "clock_settime", "clock_settime64"],
        "CAP_SYS_TTY_CONFIG": ["vhangup"],
        "CAP_SYS_NICE": ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"],
        "CAP_SYSLOG": ["syslog"],
        "CAP_BPF": ["bpf"],
        "CAP_PERFMON": ["perf_event_open"],
    ]

    /// Namespace flags clone may not ask for without CAP_SYS_ADMIN (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET).
    static let namespaceCloneFlags: UInt64 = 0x7E02_0000

    public static func docker(capabilities: [String]) -> Spec.Seccomp {
        var rules: [Spec.SeccompRule] = [.init(names: allowed, action: "SCMP_ACT_ALLOW", errnoRet: nil, args: nil)]
        // personality: only the harmless personas.
        for p: UInt64 in [0x0, 0x0008, 0x20000, 0x20008, 0xffff_ffff] {
            rules.append(.init(names: ["personality"], action: "SCMP_ACT_ALLOW", errnoRet: nil,
                               args: [.init(index: 0, value: p, valueTwo: nil, op: "SCMP_CMP_EQ")]))
        }
        let caps = Set(capabilities)
        var extra: [String] = []
        for (cap, names) in byCapability.sorted(by: { $0.key < $1.key }) where caps.contains(cap) { extra += names }
        if !extra.isEmpty { rules.append(.init(names: extra, action: "SCMP_ACT_ALLOW", errnoRet: nil, args: nil)) }
        if !caps.contains("CAP_SYS_ADMIN") {
            // clone without namespace flags; clone3 hides its flags in memory, so it reports
            // ENOSYS and libc falls back to clone.
            rules.append(.init(names: ["clone"], action: "SCMP_ACT_ALLOW", errnoRet: nil,
                               args: [.init(index: 0, value: namespaceCloneFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")]))
            rules.append(.init(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38, args: nil))
        }
        return Spec.Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
                            architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                            flags: nil, listenerPath: nil, listenerMetadata: nil, syscalls: rules)
    }
}

import Glibc
import Testing
@testable import LockerCgroups
@testable import LockerSystem

@Suite struct SignalNames {
    @Test func parse() {
        #expect(Signals.parse("TERM") == SIGTERM)
        #expect(Signals.parse("SIGKILL") == SIGKILL)
        #expect(Signals.parse("sigusr1") == SIGUSR1)
        #expect(Signals.parse("9") == 9)
        #expect(Signals.parse("RTMIN+2") == 36)
        #expect(Signals.parse("NOPE") == nil)
        #expect(Signals.parse("0") == nil)
        #expect(Signals.parse("65") == nil)
    }
}

@Suite struct CapabilityNames {
    @Test func numbers() {
        #expect(Capability.number("CAP_CHOWN") == 0)
        #expect(Capability.number("sys_admin") == 21)
        #expect(Capability.number("CAP_CHECKPOINT_RESTORE") == 40)
        #expect(Capability.number("CAP_NOPE") == nil)
    }
}

@Suite struct Paths {
    @Test func clean() {
        #expect(Files.clean("/a/./b/../c//d/") == "/a/c/d")
        #expect(Files.clean("/../../etc") == "/etc")
        #expect(Files.clean("a/..") == ".")
    }
    @Test func dirAndBase() {
        #expect(Files.dirname("/a/b") == "/a")
        #expect(Files.dirname("/a") == "/")
        #expect(Files.basename("/a/b") == "b")
    }
    @Test func mountOptions() {
        let o = Mount.parseOptions(["ro", "nosuid", "rbind", "rprivate", "mode=755", "size=1k"])
        #expect(o.isBind)
        #expect(o.data == ["mode=755", "size=1k"])
        #expect(o.propagation != 0)
    }
    @Test func mountinfoEscapes() {
        #expect(Mount.unescape("/a\\040b") == "/a b")
    }
}

@Suite struct SystemErrors {
    @Test func namesOperationPathAndErrno() {
        let e = SystemError("mount proc on", "/run/x/proc", errno: EPERM)
        #expect(e.description == "mount proc on /run/x/proc: EPERM (Operation not permitted)")
    }
    @Test func syscallFailureIsTyped() {
        #expect(throws: SystemError.self) { try sys("open", "/no/such") { open("/no/such", O_RDONLY) } }
    }
}

@Suite struct CgroupMath {
    @Test func sharesToWeight() {
        #expect(CPUWeight.fromShares(2) == 1)
        #expect(CPUWeight.fromShares(1024) == 39)
        #expect(CPUWeight.fromShares(262144) == 10000)
    }
    @Test func relativePathIsUnderOwnCgroup() throws {
        let h = [Hierarchy(mountPoint: "/sys/fs/cgroup/memory", isV2: false, controllers: ["memory"], ownPath: "/machine/me"),
                 Hierarchy(mountPoint: "/sys/fs/cgroup/pids", isV2: false, controllers: ["pids"], ownPath: "/")]
        let rel = try Cgroup.locate(cgroupsPath: "locker/x", hierarchies: h)
        #expect(rel.paths == ["/sys/fs/cgroup/memory/machine/me/locker/x", "/sys/fs/cgroup/pids/locker/x"])
        let abs = try Cgroup.locate(cgroupsPath: "/x/y", hierarchies: h)
        #expect(abs.paths == ["/sys/fs/cgroup/memory/x/y", "/sys/fs/cgroup/pids/x/y"])
        #expect(throws: LockerError.self) { try Cgroup.locate(cgroupsPath: "system.slice:locker:x", hierarchies: h) }
    }
}

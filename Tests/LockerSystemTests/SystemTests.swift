import Glibc
import Testing
@testable import LockerCgroups
@testable import LockerSystem
import CLockerShim

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

@Suite struct ByteWiseText {
    @Test func decimals() {
        #expect(NumberText.string(Int32(0)) == "0")
        #expect(NumberText.string(Int32(-42)) == "-42")
        #expect(NumberText.string(Int64.min) == String(Int64.min))
        #expect(NumberText.string(UInt64.max) == String(UInt64.max))
        #expect(NumberText.string(1234567890) == "1234567890")
    }
    @Test func hexAndWidth() {
        #expect(NumberText.hex(0) == "0")
        #expect(NumberText.hex(0xcbf2_9ce4_8422_2325) == "cbf29ce484222325")
        #expect(NumberText.string(42, width: 9) == "000000042")
        #expect(NumberText.string(123_456_789, width: 9) == "123456789")
    }
    @Test func cleanPaths() {
        #expect(Files.clean("/a/./b/../c") == "/a/c")
        #expect(Files.clean("//x//") == "/x")
        #expect(Files.clean("/..") == "/")
        #expect(Files.clean("/") == "/")
        #expect(Files.clean("a/..") == ".")
        #expect(Files.clean("") == ".")
        #expect(Files.clean("a/b/...") == "a/b/...")
        #expect(Files.clean("../a") == "a")
    }
    @Test func fields() {
        #expect(ByteFields.split(Array("a::b".utf8), on: UInt8(ascii: ":"), keepEmpty: true).map(\.text) == ["a", "", "b"])
        #expect(ByteFields.split(Array(" a  b ".utf8), on: UInt8(ascii: " ")).map(\.text) == ["a", "b"])
        #expect(ByteFields.trimmed(Array(" \tx y\n".utf8)[...]).text == "x y")
    }
    @Test func parse() {
        #expect(NumberText.parse(Array("18446744073709551615".utf8)[...]) == UInt64.max)
        #expect(NumberText.parse(Array("18446744073709551616".utf8)[...]) == nil)
        #expect(NumberText.parse(Array("12a".utf8)[...]) == nil)
        #expect(NumberText.parse(Array("".utf8)[...]) == nil)
        #expect(NumberText.parse(Array("0042".utf8)[...]) == 42)
    }
    @Test func cut() {
        #expect("--env=A=1".cut(UInt8(ascii: "="))! == ("--env", "A=1"))
        #expect("--root".cut(UInt8(ascii: "=")) == nil)
        #expect("x=".cut(UInt8(ascii: "="))! == ("x", ""))
        #expect("-x".hasBytePrefix("-"))
        #expect(!"".hasBytePrefix("-"))
    }
    @Test func procStat() {
        // A child whose name has spaces and parentheses, as /proc/PID/stat shows it in (...).
        let pid = fork()
        if pid == 0 {
            _ = locker_prctl(15 /* PR_SET_NAME */, UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(("a) S (b" as StaticString).utf8Start))), 0, 0, 0)
            pause()
            _exit(0)
        }
        defer { kill(pid, SIGKILL); var st: Int32 = 0; waitpid(pid, &st, 0) }
        var state: UInt8? = nil
        for _ in 0..<200 {   // until the child has renamed itself and sleeps
            state = Proc.state(pid)
            if state == UInt8(ascii: "S") { break }
            usleep(5000)
        }
        #expect(state == UInt8(ascii: "S"))
        #expect((Proc.startTime(pid) ?? 0) > 0)
        #expect(Proc.isRunning(pid, startTime: Proc.startTime(pid)))
        #expect(!Proc.isRunning(pid, startTime: (Proc.startTime(pid) ?? 0) + 1))
        #expect(Proc.state(-1) == nil)
    }
}

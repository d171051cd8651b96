import Glibc
import LockerSystem

/// Pausing a whole container: the v1 freezer or cgroup.freeze on v2.
extension Cgroup {
    public func freeze(_ frozen: Bool) throws {
        if let n = node(for: "freezer"), !n.hierarchy.isV2 {
            try Files.writeExisting(n.path + "/freezer.state", frozen ? "FROZEN" : "THAWED")
            // The kernel reports FREEZING until every task has stopped.
            for _ in 0..<1000 {
                let s = ((try? Files.readString(n.path + "/freezer.state")) ?? "").trimmedBytes()
                if s == (frozen ? "FROZEN" : "THAWED") { return }
                if frozen { try? Files.writeExisting(n.path + "/freezer.state", "FROZEN") }
                usleep(1000)
            }
            throw LockerError("freeze \(n.path): the cgroup did not reach \(frozen ? "FROZEN" : "THAWED")")
        }
        if let n = v2, Files.exists(n.path + "/cgroup.freeze") {
            try Files.writeExisting(n.path + "/cgroup.freeze", frozen ? "1" : "0")
            for _ in 0..<1000 {
                let ev = (try? Files.readString(n.path + "/cgroup.events")) ?? ""
                if ev.includes("frozen \(frozen ? 1 : 0)") { return }
                usleep(1000)
            }
            return
        }
        throw LockerError("pause needs the freezer cgroup controller (v1) or cgroup.freeze (v2), and this host has neither")
    }

    public var isFrozen: Bool {
        if let n = node(for: "freezer"), !n.hierarchy.isV2 {
            let s = ((try? Files.readString(n.path + "/freezer.state")) ?? "").trimmedBytes()
            return s == "FROZEN" || s == "FREEZING"
        }
        if let n = v2, let s = try? Files.readString(n.path + "/cgroup.freeze") { return s.trimmedBytes() == "1" }
        return false
    }

    /// Signals every process in the cgroup; frozen first so none can fork away meanwhile.
    public func signalAll(_ sig: Int32) {
        let canFreeze = node(for: "freezer") != nil || (v2.map { Files.exists($0.path + "/cgroup.freeze") } ?? false)
        let wasFrozen = isFrozen
        if canFreeze && !wasFrozen { try? freeze(true) }
        for p in pids() { kill(p, sig) }
        if canFreeze && !wasFrozen { try? freeze(false) }
    }
}

import CLockerShim
import Glibc
import LockerSpec
import LockerSystem

/// cgroup v2 has no devices controller: access is decided by an eBPF program of type
/// BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup, as runc and crun do. The program
/// checks the rules from last to first (the last matching rule wins) and denies by default.
public enum DeviceFilterV2 {
    struct Insn { var code: UInt8; var dst: UInt8; var src: UInt8; var off: Int16; var imm: Int32 }

    /// The program for `rules`, as bytes of 8-byte bpf_insn.
    public static func program(_ rules: [Resources.DeviceRule]) throws -> [UInt8] {
        var prog: [Insn] = [
            Insn(code: 0x61, dst: 2, src: 1, off: 0, imm: 0),      // r2 = ctx->access_type
            Insn(code: 0x54, dst: 2, src: 0, off: 0, imm: 0xffff), // r2 &= 0xffff: device type
            Insn(code: 0x61, dst: 3, src: 1, off: 0, imm: 0),      // r3 = ctx->access_type
            Insn(code: 0x74, dst: 3, src: 0, off: 0, imm: 16),     // r3 >>= 16: requested access
            Insn(code: 0x61, dst: 4, src: 1, off: 4, imm: 0),      // r4 = ctx->major
            Insn(code: 0x61, dst: 5, src: 1, off: 8, imm: 0),      // r5 = ctx->minor
        ]
        var decided = false
        for rule in rules.reversed() where !decided {
            var block: [Insn] = []
            var jumps: [Int] = []  // indexes of "goto next rule"
            switch rule.type ?? "a" {
            case "a": break
            case "b": jumps.append(block.count); block.append(Insn(code: 0x55, dst: 2, src: 0, off: 0, imm: 1))
            case "c": jumps.append(block.count); block.append(Insn(code: 0x55, dst: 2, src: 0, off: 0, imm: 2))
            default: throw LockerError("device rule: unknown type \((rule.type ?? "").debugDescription) (want a, b or c)")
            }
            var acc: Int32 = 0
            for ch in rule.access ?? "rwm" {
                switch ch {
                case "m": acc |= 1
                case "r": acc |= 2
                case "w": acc |= 4
                default: throw LockerError("device rule: unknown access \((rule.access ?? "").debugDescription) (want r, w, m)")
                }
            }
            if acc != 7 {
                block.append(Insn(code: 0xbc, dst: 1, src: 3, off: 0, imm: 0))      // w1 = w3
                block.append(Insn(code: 0x54, dst: 1, src: 0, off: 0, imm: ~acc & 7)) // w1 &= ~allowed
                jumps.append(block.count); block.append(Insn(code: 0x55, dst: 1, src: 0, off: 0, imm: 0))
            }
            if let major = rule.major, major >= 0, (rule.type ?? "a") != "a" {
                jumps.append(block.count); block.append(Insn(code: 0x55, dst: 4, src: 0, off: 0, imm: Int32(major)))
            }
            if let minor = rule.minor, minor >= 0, (rule.type ?? "a") != "a" {
                jumps.append(block.count); block.append(Insn(code: 0x55, dst: 5, src: 0, off: 0, imm: Int32(minor)))
            }
            block.append(Insn(code: 0xb4, dst: 0, src: 0, off: 0, imm: rule.allow ? 1 : 0)) // w0 = verdict
            block.append(Insn(code: 0x95, dst: 0, src: 0, off: 0, imm: 0))                  // exit
            for j in jumps { block[j].off = Int16(block.count - j - 1) }
            prog += block
            // A rule that matches everything decides alone; what follows it would be
            // unreachable, which the verifier refuses.
            decided = jumps.isEmpty
        }
        if !decided {
            prog.append(Insn(code: 0xb4, dst: 0, src: 0, off: 0, imm: 0))
            prog.append(Insn(code: 0x95, dst: 0, src: 0, off: 0, imm: 0))
        }
        var bytes: [UInt8] = []
        for i in prog {
            bytes.append(i.code)
            bytes.append((i.src << 4) | (i.dst & 0xf))
            bytes += withUnsafeBytes(of: i.off.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: i.imm.littleEndian, Array.init)
        }
        return bytes
    }

    public static func attach(_ rules: [Resources.DeviceRule], to cgroupDir: String) throws {
        let bytes = try program(rules)
        let prog = bytes.withUnsafeBytes { p in locker_bpf_load_device_program(p.baseAddress, UInt32(bytes.count / 8), nil, 0) }
        if prog < 0 {
            let e = errno
            // Load again with the verifier's log, to say why.
            var log = [CChar](repeating: 0, count: 1 << 20)
            _ = bytes.withUnsafeBytes { p in locker_bpf_load_device_program(p.baseAddress, UInt32(bytes.count / 8), &log, UInt32(log.count)) }
            let why = String(cString: log).split(separator: "\n").suffix(3).joined(separator: "; ")
            throw LockerError("load the eBPF device filter for \(cgroupDir): \(Errno.name(e)) (\(why))")
        }
        defer { close(prog) }
        let dir = try FD.open(cgroupDir, O_RDONLY | O_DIRECTORY)
        try sys("attach the eBPF device filter to", cgroupDir) { locker_bpf_attach_device_program(dir.raw, prog) }
    }
}

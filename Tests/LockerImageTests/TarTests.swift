import Testing
@testable import LockerImage

/// Bytes in memory, for the tar reader.
final class MemorySource: ByteSource {
    var bytes: [UInt8]
    var at = 0
    init(_ b: [UInt8]) { bytes = b }
    func read(into: UnsafeMutableRawPointer, count: Int) throws -> Int {
        let n = min(count, bytes.count - at)
        bytes.withUnsafeBytes { into.copyMemory(from: $0.baseAddress! + at, byteCount: n) }
        at += n
        return n
    }
}

/// A ustar header block for `name` of `type` with `size` bytes.
func header(_ name: String, type: Character = "0", size: Int = 0, link: String = "", mode: Int = 0o644) -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    func put(_ s: String, _ at: Int) { for (i, b) in s.utf8.enumerated() { h[at + i] = b } }
    func octal(_ v: Int, _ at: Int, _ width: Int) { put(String(String(v, radix: 8).reversed()).padding(width - 1).reversed() + "", at) }
    put(name, 0)
    put(String(String(mode, radix: 8)).leftPad(7), 100)
    put("0000000", 108); put("0000000", 116)
    put(String(String(size, radix: 8)).leftPad(11), 124)
    put("00000000000", 136)
    h[156] = type.asciiValue!
    put(link, 157)
    put("ustar", 257); h[262] = 0; put("00", 263)
    for i in 148..<156 { h[i] = 32 }
    let sum = h.reduce(0) { $0 + Int($1) }
    put(String(String(sum, radix: 8)).leftPad(6), 148); h[154] = 0; h[155] = 32
    return h
}
extension String { func padding(_ n: Int) -> String { self } }

func data(_ s: String) -> [UInt8] {
    var b = Array(s.utf8)
    while b.count % 512 != 0 { b.append(0) }
    return b
}

@Suite struct TarReading {
    func entries(_ bytes: [UInt8]) throws -> [TarEntry] {
        var r = TarReader(LayerStream(MemorySource(bytes)))
        var out: [TarEntry] = []
        while let e = try r.next() { out.append(e); try r.skipData(e.size) }
        return out
    }

    @Test func ustarEntriesAndEnd() throws {
        let tar = header("dir/", type: "5", mode: 0o755) + header("dir/a.txt", size: 5) + data("hello") +
            header("dir/link", type: "2", link: "a.txt") + [UInt8](repeating: 0, count: 1024)
        let e = try entries(tar)
        #expect(e.map(\.name) == ["dir/", "dir/a.txt", "dir/link"])
        #expect(e.map(\.kind) == [.directory, .file, .symlink])
        #expect(e[0].mode == 0o755 && e[1].size == 5 && e[2].linkName == "a.txt")
    }

    @Test func paxPathSizeAndXattrOverrideTheHeader() throws {
        let long = String(repeating: "x", count: 150)
        let records = ["path=\(long)/f", "SCHILY.xattr.user.k=v"].map { r -> String in
            var len = r.utf8.count + 3
            if String(len).count + r.utf8.count + 2 != len { len = String(len + 1).count + r.utf8.count + 2 }
            return "\(len) \(r)\n"
        }.joined()
        let tar = header("PaxHeader", type: "x", size: records.utf8.count) + data(records) + header("short", size: 2) + data("hi") + [UInt8](repeating: 0, count: 1024)
        let e = try entries(tar)
        #expect(e.count == 1)
        #expect(e[0].name == "\(long)/f")
        #expect(e[0].xattrs.map(\.0) == ["user.k"] && e[0].xattrs[0].1 == Array("v".utf8))
    }

    @Test func badChecksumIsRefused() throws {
        var h = header("a", size: 0)
        h[0] = UInt8(ascii: "b")
        #expect(throws: (any Error).self) { _ = try entries(h + [UInt8](repeating: 0, count: 1024)) }
    }

    @Test func truncatedDataIsAnError() throws {
        let tar = header("a", size: 4096) + data("short")
        #expect(throws: (any Error).self) { _ = try entries(tar) }
    }

    @Test func numbersOctalAndBase256() throws {
        #expect(try TarReader.number(Array("0000644\0".utf8)[...], field: "m") == 0o644)
        #expect(try TarReader.number([0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0][...], field: "s") == 1 << 32)
        #expect(throws: (any Error).self) { try TarReader.number(Array("12x".utf8)[...], field: "m") }
    }

    @Test func namesLeavingTheRootAreRefused() throws {
        #expect(try LayerWriter.components("./a/./b/") == ["a", "b"])
        #expect(throws: (any Error).self) { try LayerWriter.components("a/../../etc") }
        #expect(throws: (any Error).self) { try LayerWriter.components("/etc/passwd") }
        #expect(LayerWriter.allowed("user.x") && LayerWriter.allowed("security.capability") && !LayerWriter.allowed("trusted.overlay.opaque"))
    }
}

import LockerSystem

/// One entry of a tar stream (ustar, with PAX and GNU long-name extensions), as the layer
/// formats use them. The reader is Locker's own: the unpacker must create every entry through
/// descriptors resolved inside the layer's root (openat2 RESOLVE_IN_ROOT), which a library's
/// extract-to-disk does by path strings, and must turn OCI whiteouts into overlayfs ones.
struct TarEntry {
    enum Kind: Equatable { case file, hardlink, symlink, charDevice, blockDevice, directory, fifo }
    var kind: Kind
    var name: String
    var linkName: String
    var mode: UInt32
    var uid: UInt32
    var gid: UInt32
    var size: Int64
    var mtime: Int64
    var devMajor: UInt32
    var devMinor: UInt32
    var xattrs: [(String, [UInt8])]
}

struct TarReader {
    let stream: LayerStream
    var globalPax: [String: [UInt8]] = [:]
    /// Headers read so far.
    var entries = 0

    init(_ stream: LayerStream) { self.stream = stream }

    /// The next entry, its data left in the stream for the caller (`skipData` otherwise);
    /// nil at the end of the archive.
    mutating func next() throws -> TarEntry? {
        var pax: [String: [UInt8]] = [:]
        var longName: String? = nil
        var longLink: String? = nil
        while true {
            guard let block = try stream.take(512) else {
                if stream.available > 0 { throw LockerError("tar: the archive ends inside a header (\(stream.total) bytes in all); not a tar archive, or a truncated one") }
                return nil
            }
            if block.allSatisfy({ $0 == 0 }) { return nil }
            entries += 1
            let h = Array(block)
            guard TarReader.checksumOK(h) else { throw LockerError("tar: bad header checksum at byte \(stream.total - Int64(stream.available) - 512)") }
            let type = h[156]
            let size = try TarReader.number(h[124..<136], field: "size")
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let data = try readData(size)
                let records = try TarReader.paxRecords(data)
                if type == UInt8(ascii: "g") { for (k, v) in records { globalPax[k] = v } } else { for (k, v) in records { pax[k] = v } }
                continue
            case UInt8(ascii: "L"):
                longName = TarReader.cString(try readData(size)[...])
                continue
            case UInt8(ascii: "K"):
                longLink = TarReader.cString(try readData(size)[...])
                continue
            default:
                break
            }
            let kind: TarEntry.Kind
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "1"): kind = .hardlink
            case UInt8(ascii: "2"): kind = .symlink
            case UInt8(ascii: "3"): kind = .charDevice
            case UInt8(ascii: "4"): kind = .blockDevice
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "6"): kind = .fifo
            default:
                throw LockerError("tar: unsupported entry type '\(Unicode.Scalar(type))' for \(TarReader.cString(h[0..<100]))")
            }
            var name = TarReader.cString(h[0..<100])
            let magicUstar = h[257..<262].elementsEqual(Array("ustar".utf8))
            if magicUstar && h[263] != UInt8(ascii: " ") {
                let prefix = TarReader.cString(h[345..<500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            if let l = longName { name = l }
            var merged = globalPax
            for (k, v) in pax { merged[k] = v }
            func paxString(_ k: String) -> String? { merged[k].map { String(decoding: $0, as: UTF8.self) } }
            if let p = paxString("path") { name = p }
            var link = longLink ?? TarReader.cString(h[157..<257])
            if let p = paxString("linkpath") { link = p }
            var entry = TarEntry(kind: kind, name: name, linkName: link,
                                 mode: UInt32(truncatingIfNeeded: try TarReader.number(h[100..<108], field: "mode")) & 0o7777,
                                 uid: UInt32(truncatingIfNeeded: try TarReader.number(h[108..<116], field: "uid")),
                                 gid: UInt32(truncatingIfNeeded: try TarReader.number(h[116..<124], field: "gid")),
                                 size: size, mtime: try TarReader.number(h[136..<148], field: "mtime"),
                                 devMajor: UInt32(truncatingIfNeeded: (try? TarReader.number(h[329..<337], field: "devmajor")) ?? 0),
                                 devMinor: UInt32(truncatingIfNeeded: (try? TarReader.number(h[337..<345], field: "devminor")) ?? 0),
                                 xattrs: [])
            if let s = paxString("size"), let n = Int64(s) { entry.size = n }
            if let s = paxString("uid"), let n = UInt32(s) { entry.uid = n }
            if let s = paxString("gid"), let n = UInt32(s) { entry.gid = n }
            if let s = paxString("mtime"), let n = Int64(s.split(separator: ".").first ?? "") { entry.mtime = n }
            for (k, v) in merged.sorted(by: { $0.key < $1.key }) {
                if k.hasPrefix("SCHILY.xattr.") { entry.xattrs.append((String(k.dropFirst(13)), v)) }
            }
            if entry.kind != .file { entry.size = entry.kind == .hardlink ? 0 : entry.size }
            guard entry.size >= 0 else { throw LockerError("tar: negative size for \(name)") }
            return entry
        }
    }

    /// Skips an entry's data and its padding.
    func skipData(_ size: Int64) throws {
        try stream.pass(TarReader.padded(size)) { _ in }
    }

    /// Passes an entry's data to `sink`, then skips the padding.
    func readData(_ size: Int64, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try stream.pass(size, to: sink)
        let pad = TarReader.padded(size) - size
        if pad > 0 { try stream.pass(pad) { _ in } }
    }

    func readData(_ size: Int64) throws -> [UInt8] {
        guard size <= 1 << 24 else { throw LockerError("tar: extended header of \(size) bytes is too large") }
        var out: [UInt8] = []
        try readData(size) { out.append(contentsOf: $0) }
        return out
    }

    static func padded(_ n: Int64) -> Int64 { (n + 511) / 512 * 512 }

    static func cString(_ b: ArraySlice<UInt8>) -> String {
        let end = b.firstIndex(of: 0) ?? b.endIndex
        return String(decoding: b[b.startIndex..<end], as: UTF8.self)
    }

    /// Octal text, or GNU's base-256 when the first byte has its high bit set.
    static func number(_ b: ArraySlice<UInt8>, field: String) throws -> Int64 {
        if let f = b.first, f & 0x80 != 0 {
            var v: Int64 = Int64(f & 0x3f)
            for x in b.dropFirst() {
                guard v < Int64.max >> 8 else { throw LockerError("tar: \(field) too large") }
                v = v << 8 | Int64(x)
            }
            return v
        }
        var v: Int64 = 0
        var seen = false
        for x in b {
            if x == 0 || x == UInt8(ascii: " ") { if seen { break } else { continue } }
            guard x >= 0x30 && x <= 0x37 else { throw LockerError("tar: \(field) is not an octal number") }
            guard v < Int64.max >> 3 else { throw LockerError("tar: \(field) too large") }
            v = v * 8 + Int64(x - 0x30)
            seen = true
        }
        return v
    }

    static func checksumOK(_ h: [UInt8]) -> Bool {
        guard let want = try? number(h[148..<156], field: "checksum") else { return false }
        var sum: Int64 = 0
        for (i, x) in h.enumerated() { sum += (148..<156).contains(i) ? 32 : Int64(x) }
        return sum == want
    }

    /// PAX records: `LEN key=value\n`, LEN counting the whole record.
    static func paxRecords(_ data: [UInt8]) throws -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        var i = 0
        while i < data.count {
            var j = i
            var len = 0
            while j < data.count, data[j] >= 0x30, data[j] <= 0x39 { len = len * 10 + Int(data[j] - 0x30); j += 1 }
            guard j < data.count, data[j] == UInt8(ascii: " "), len > 0, i + len <= data.count, data[i + len - 1] == 0x0A else {
                if data[i...].allSatisfy({ $0 == 0 }) { break }
                throw LockerError("tar: malformed PAX header")
            }
            let record = data[(j + 1)..<(i + len - 1)]
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else { throw LockerError("tar: malformed PAX record") }
            out.append((String(decoding: record[record.startIndex..<eq], as: UTF8.self), Array(record[(eq + 1)...])))
            i += len
        }
        return out
    }
}

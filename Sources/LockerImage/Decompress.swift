import CZlib
import CZstd
import Glibc
import LockerSystem

/// A stream of a layer's uncompressed bytes, read from the blob's file descriptor.
protocol ByteSource: AnyObject {
    /// Fills up to `count` bytes at `into`; 0 at the end.
    func read(into: UnsafeMutableRawPointer, count: Int) throws -> Int
}

/// Reads a file descriptor as is (uncompressed layers, and the input of the decoders),
/// hashing what passes when asked: the blob's digest then costs no second read.
final class PlainSource: ByteSource {
    let fd: Int32
    var hasher: HashWorker?
    init(fd: Int32, hashing: Bool = false) { self.fd = fd; hasher = hashing ? HashWorker() : nil }
    deinit { _ = hasher?.finish() }
    func read(into: UnsafeMutableRawPointer, count: Int) throws -> Int {
        // The caller reuses its buffer: what was read into it last must be hashed first.
        hasher?.waitIdle()
        while true {
            let n = Glibc.read(fd, into, count)
            if n >= 0 {
                if n > 0 { hasher?.submit(UnsafeRawBufferPointer(start: into, count: n)) }
                return n
            }
            if errno != EINTR { throw SystemError("read layer") }
        }
    }
    /// Reads what is left (data after the compressed stream's end), for the hash.
    func drain() throws {
        guard hasher != nil else { return }
        let buf = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buf.deallocate() }
        while try read(into: buf, count: 1 << 16) > 0 {}
    }
}

/// gzip through zlib, including files made of several gzip members (pigz, concatenation).
final class GzipSource: ByteSource {
    let raw: PlainSource
    var stream = z_stream()
    let input: UnsafeMutableRawPointer
    let inputSize = 1 << 18
    var ended = false
    var inputDone = false

    init(_ raw: PlainSource) throws {
        self.raw = raw
        input = UnsafeMutableRawPointer.allocate(byteCount: inputSize, alignment: 16)
        guard locker_inflate_init(&stream, 15 + 32) == Z_OK else { throw LockerError("gzip: cannot start zlib") }
    }
    deinit { inflateEnd(&stream); input.deallocate() }

    func refill() throws {
        let n = try raw.read(into: input, count: inputSize)
        if n == 0 { inputDone = true }
        stream.next_in = input.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = uInt(n)
    }

    func read(into: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if ended { return 0 }
        stream.next_out = into.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(count)
        while stream.avail_out == uInt(count) {
            if stream.avail_in == 0 {
                try refill()
                if inputDone {
                    // A clean end only right after a member ended.
                    if stream.total_in == 0 { throw LockerError("gzip: empty input") }
                    throw LockerError("gzip: the layer ends in the middle of the compressed data (truncated)")
                }
            }
            let r = inflate(&stream, Z_NO_FLUSH)
            if r == Z_STREAM_END {
                let produced = count - Int(stream.avail_out)
                // Another member may follow; anything else after the end is ignored as gzip does.
                if stream.avail_in == 0 { try refill() }
                if stream.avail_in > 0, stream.next_in[0] == 0x1f {
                    inflateReset(&stream)
                } else {
                    ended = true
                }
                if produced > 0 || ended { return produced }
                continue
            }
            if r != Z_OK && r != Z_BUF_ERROR {
                let msg = stream.msg.map { String(cString: $0) } ?? "error \(r)"
                throw LockerError("gzip: \(msg)")
            }
        }
        return count - Int(stream.avail_out)
    }
}

/// zstd through libzstd's streaming decoder (frames may follow one another).
final class ZstdSource: ByteSource {
    let raw: PlainSource
    let dctx: OpaquePointer
    let input: UnsafeMutableRawPointer
    let inputSize = ZSTD_DStreamInSize()
    var inBuf = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    var inputDone = false
    var lastResult = 0

    init(_ raw: PlainSource) throws {
        self.raw = raw
        guard let d = ZSTD_createDCtx() else { throw LockerError("zstd: cannot start the decoder") }
        dctx = d
        input = UnsafeMutableRawPointer.allocate(byteCount: inputSize, alignment: 16)
    }
    deinit { ZSTD_freeDCtx(dctx); input.deallocate() }

    func read(into: UnsafeMutableRawPointer, count: Int) throws -> Int {
        var out = ZSTD_outBuffer(dst: into, size: count, pos: 0)
        while out.pos == 0 {
            if inBuf.pos == inBuf.size {
                if inputDone { break }
                let n = try raw.read(into: input, count: inputSize)
                if n == 0 {
                    inputDone = true
                    if lastResult != 0 { throw LockerError("zstd: the layer ends in the middle of a frame (truncated)") }
                    break
                }
                inBuf = ZSTD_inBuffer(src: UnsafeRawPointer(input), size: n, pos: 0)
            }
            let r = ZSTD_decompressStream(dctx, &out, &inBuf)
            if ZSTD_isError(r) != 0 { throw LockerError("zstd: \(String(cString: ZSTD_getErrorName(r)))") }
            lastResult = r
        }
        return out.pos
    }
}

/// The uncompressed stream with a buffer in front, hashing every byte that passes
/// (the layer's diff id is the sha256 of the whole uncompressed tar).
final class LayerStream {
    let source: ByteSource
    let buffer: UnsafeMutableRawPointer
    let capacity = 1 << 20
    var start = 0
    var end = 0
    let hasher: HashWorker?
    var total: Int64 = 0

    init(_ source: ByteSource, hashing: Bool = true) {
        self.source = source
        hasher = hashing ? HashWorker() : nil
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }
    deinit { _ = hasher?.finish(); buffer.deallocate() }

    /// The digest of everything read (the diff id); ends the hashing thread.
    func digest() -> Digest { hasher?.finish() ?? SHA256().finish() }

    var available: Int { end - start }

    /// Makes at least `n` bytes (n <= capacity) available; false at the end of the stream.
    func fill(_ n: Int) throws -> Bool {
        if available >= n { return true }
        if start > 0 {
            hasher?.waitIdle()
            if available > 0 { buffer.copyMemory(from: buffer + start, byteCount: available) }
            end = available
            start = 0
        }
        while end < n {
            let got = try source.read(into: buffer + end, count: capacity - end)
            if got == 0 { return false }
            hasher?.submit(UnsafeRawBufferPointer(start: buffer + end, count: got))
            total += Int64(got)
            end += got
        }
        return true
    }

    /// The next `n` bytes (n <= capacity), or nil at the end.
    func take(_ n: Int) throws -> UnsafeRawBufferPointer? {
        guard try fill(n) else { return nil }
        defer { start += n }
        return UnsafeRawBufferPointer(start: buffer + start, count: n)
    }

    /// Hands the next `n` bytes to `sink` in pieces as large as the buffer allows.
    func pass(_ n: Int64, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var left = n
        while left > 0 {
            if available == 0 { guard try fill(1) else { throw LockerError("tar: the layer ends inside a file (truncated)") } }
            let k = Int(min(Int64(available), left))
            try sink(UnsafeRawBufferPointer(start: buffer + start, count: k))
            start += k
            left -= Int64(k)
        }
    }

    /// Reads to the end, so the hash covers the whole stream.
    func drain() throws {
        start = 0; end = 0
        while true {
            hasher?.waitIdle()
            let got = try source.read(into: buffer, count: capacity)
            if got == 0 { return }
            hasher?.submit(UnsafeRawBufferPointer(start: buffer, count: got))
            total += Int64(got)
        }
    }
}

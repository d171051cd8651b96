/// Substring search over UTF-8 bytes. The standard `contains(_: String)` lives in
/// _StringProcessing, whose searcher builds a `[Character: Int]` table through a type looked
/// up by mangled name: on first use the Swift runtime scans every protocol conformance in
/// the executable, which faults in about a megabyte of it. The hot path (state, start, kill,
/// exec) calls this instead.
extension StringProtocol {
    public func includes(_ needle: String) -> Bool {
        var n = needle
        return n.withUTF8 { pat in
            if pat.isEmpty { return true }
            let hay = Array(self.utf8)
            guard hay.count >= pat.count else { return false }
            for start in 0...(hay.count - pat.count) {
                var i = 0
                while i < pat.count && hay[start + i] == pat[i] { i += 1 }
                if i == pat.count { return true }
            }
            return false
        }
    }
}


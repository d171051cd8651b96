import Testing
@testable import LockerSpec

@Suite struct JSONText {
    struct Numbers: Codable, Equatable {
        var big: UInt64
        var neg: Int64
        var small: Int32?
        var flag: Bool
        var ratio: Double?
    }

    @Test func integersRoundTripAtTheirLimits() throws {
        let n = Numbers(big: UInt64.max, neg: Int64.min, small: nil, flag: true, ratio: 1.5)
        let text = String(decoding: try JSON.encode(n), as: UTF8.self)
        #expect(text == #"{"big":18446744073709551615,"flag":true,"neg":-9223372036854775808,"ratio":1.5}"#)
        #expect(try JSON.decode(Numbers.self, from: Array(text.utf8), file: "x") == n)
    }

    @Test func wholeNumberInExponentFormDecodes() throws {
        let n = try JSON.decode(Numbers.self, from: Array(#"{"big":1e3,"neg":-2.0,"flag":false}"#.utf8), file: "x")
        #expect(n.big == 1000 && n.neg == -2)
    }

    @Test func numberTooLargeIsNamed() throws {
        #expect {
            _ = try JSON.decode(Numbers.self, from: Array(#"{"big":1,"neg":0,"small":4294967296,"flag":true}"#.utf8), file: "f.json")
        } throws: { e in "\(e)".contains("f.json: small:") && "\(e)".contains("does not fit in Int32") }
    }

    @Test func stringEscapesRoundTrip() throws {
        let s = "quote\" back\\ slash/ tab\t nl\n bell\u{07} é 🙂"
        let bytes = try JSON.encode([s])
        #expect(String(decoding: bytes, as: UTF8.self) == #"["quote\" back\\ slash/ tab\t nl\n bell\u0007 é 🙂"]"#)
        #expect(try JSON.decode([String].self, from: bytes, file: "x") == [s])
        let escaped = try JSON.decode([String].self, from: Array(#"["\u00e9\ud83d\ude42\/"]"#.utf8), file: "x")
        #expect(escaped == ["é🙂/"])
    }

    @Test func syntaxErrorsGiveTheOffset() throws {
        for (text, reason) in [(#"{"a":1,}"#, "member name"), (#"{"a":1} x"#, "after the document"),
                               (#"["\ud800"]"#, "surrogate"), (#"{"a":tru}"#, "expected true"), ("", "end of input")] {
            #expect {
                _ = try JSON.decode([String: Int].self, from: Array(text.utf8), file: "c.json")
            } throws: { e in "\(e)".hasPrefix("c.json: not valid JSON at byte") && "\(e)".contains(reason) }
        }
    }

    @Test func keysAreSortedAndPrettyHasTwoSpaces() throws {
        let text = String(decoding: try JSON.encode(["b": [1, 2], "a": []], pretty: true), as: UTF8.self)
        #expect(text == "{\n  \"a\" : [],\n  \"b\" : [\n    1,\n    2\n  ]\n}")
    }

    @Test func nullForARequiredValueIsNamed() throws {
        #expect {
            _ = try JSON.decode(Numbers.self, from: Array(#"{"big":null,"neg":0,"flag":true}"#.utf8), file: "x")
        } throws: { e in "\(e)".contains("big: expected a number (UInt64), found null") }
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: SpecError.self) { _ = try JSON.decode([String].self, from: Array(text.utf8), file: "x") }
    }
}

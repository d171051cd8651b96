import Testing
@testable import LockerSpec

@Suite struct SpecDecoding {
    @Test func defaultSpecRoundTrips() throws {
        let spec = Defaults.spec()
        let bytes = try JSON.encode(spec)
        let back = try JSON.decode(Spec.self, from: bytes, file: "config.json")
        #expect(back == spec)
        #expect(back.process?.args == ["sh"])
        #expect(back.linux?.namespaces?.map(\.type) == ["pid", "network", "ipc", "uts", "mount", "cgroup"])
    }

    @Test func typeErrorNamesTheField() throws {
        let json = #"{"ociVersion":"1.2.0","root":{"path":"rootfs"},"process":{"cwd":"/","args":["sh"],"user":{"uid":"zero","gid":0}}}"#
        #expect {
            _ = try JSON.decode(Spec.self, from: Array(json.utf8), file: "config.json")
        } throws: { e in
            "\(e)".contains("process.user.uid") && "\(e)".contains("expected a number")
        }
    }

    @Test func missingFieldIsNamed() throws {
        let json = #"{"ociVersion":"1.2.0","process":{"args":["sh"],"user":{"uid":0,"gid":0}}}"#
        #expect {
            _ = try JSON.decode(Spec.self, from: Array(json.utf8), file: "config.json")
        } throws: { e in "\(e)".contains("process.cwd: required field is missing") }
    }

    @Test func unknownFieldsAreIgnored() throws {
        let json = #"{"ociVersion":"1.2.0","root":{"path":"r"},"vm":{"x":1},"process":{"cwd":"/","args":["a"],"user":{"uid":0,"gid":0}}}"#
        let s = try JSON.decode(Spec.self, from: Array(json.utf8), file: "config.json")
        #expect(s.root?.path == "r")
    }
}

@Suite struct SpecValidation {
    func spec(_ edit: (inout Spec) -> Void) -> Spec {
        var s = Defaults.spec(terminal: false)
        edit(&s)
        return s
    }
    func message(_ s: Spec) -> String? {
        do { try Validation.validate(s); return nil } catch { return "\(error)" }
    }

    @Test func defaultIsValid() { #expect(message(spec { _ in }) == nil) }
    @Test func emptyArgsRefused() {
        #expect(message(spec { $0.process?.args = [] })?.contains("process.args") == true)
    }
    @Test func relativeCwdRefused() {
        #expect(message(spec { $0.process?.cwd = "tmp" })?.contains("process.cwd") == true)
    }
    @Test func unknownNamespaceRefused() {
        #expect(message(spec { $0.linux?.namespaces?.append(.init(type: "bogus")) })?.contains("linux.namespaces[6].type") == true)
    }
    @Test func duplicateNamespaceRefused() {
        #expect(message(spec { $0.linux?.namespaces?.append(.init(type: "pid")) })?.contains("given twice") == true)
    }
    @Test func relativeMountDestinationRefused() {
        #expect(message(spec { $0.mounts?.append(.init(destination: "data", type: "tmpfs")) })?.contains("mounts[7].destination") == true)
    }
    @Test func softAboveHardRefused() {
        #expect(message(spec { $0.process?.rlimits = [.init(type: "RLIMIT_NOFILE", hard: 1, soft: 2)] })?.contains("soft limit") == true)
    }
    @Test func unknownRlimitRefused() {
        #expect(message(spec { $0.process?.rlimits = [.init(type: "RLIMIT_BOGUS", hard: 1, soft: 1)] })?.contains("unknown rlimit") == true)
    }
    @Test func mappingsNeedUserNamespace() {
        #expect(message(spec { $0.linux?.uidMappings = [.init(containerID: 0, hostID: 1000, size: 1)] })?.contains("user namespace") == true)
    }
    @Test func hostnameNeedsUTS() {
        #expect(message(spec { $0.linux?.namespaces?.removeAll { $0.type == "uts" } })?.contains("uts namespace") == true)
    }
    @Test(arguments: ["", ".", "..", "a/b", "x y", "évil"]) func badIDsRefused(_ id: String) {
        #expect(throws: SpecError.self) { try Validation.validateID(id) }
    }
    @Test(arguments: ["a", "web-1", "A_b.c+d", "0123456789abcdef"]) func goodIDsAccepted(_ id: String) throws {
        try Validation.validateID(id)
    }
}

@Suite struct SizeParsing {
    @Test func units() {
        #expect(Sizes.parse("512") == 512)
        #expect(Sizes.parse("64k") == 65536)
        #expect(Sizes.parse("256m") == 268_435_456)
        #expect(Sizes.parse("256M") == 268_435_456)
        #expect(Sizes.parse("1.5g") == 1_610_612_736)
        #expect(Sizes.parse("2gb") == 2_147_483_648)
        #expect(Sizes.parse("10b") == 10)
    }
    @Test(arguments: ["", "m", "-5m", "12q", "1e400"]) func garbage(_ s: String) {
        #expect(Sizes.parse(s) == nil)
    }
}

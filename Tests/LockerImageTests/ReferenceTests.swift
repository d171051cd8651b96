import Testing
@testable import LockerImage

@Suite struct References {
    @Test func dockerHubShortNames() throws {
        let r = try Reference("busybox")
        #expect(r.registry == "docker.io" && r.repository == "library/busybox" && r.tag == "latest" && r.name == "busybox")
        #expect(r.apiHost == "registry-1.docker.io")
        let u = try Reference("user/app:1.0")
        #expect(u.repository == "user/app" && u.tag == "1.0" && u.description == "user/app:1.0")
    }

    @Test func registryWithPortTagAndDigest() throws {
        let d = String(repeating: "ab", count: 32)
        let r = try Reference("127.0.0.1:5000/team/app:v2@sha256:\(d)")
        #expect(r.registry == "127.0.0.1:5000" && r.repository == "team/app" && r.tag == "v2" && r.digest?.hex == d)
        #expect(r.isLoopback())
        let l = try Reference("localhost/x")
        #expect(l.registry == "localhost" && l.tag == "latest")
        #expect(try !Reference("quay.io/a/b").isLoopback())
    }

    @Test func badReferencesAreRefused() {
        for bad in ["", "UPPER/case", "a//b", "a:", "a@sha256:12", "a@md5:" + String(repeating: "0", count: 32), "-lead", "a/b:bad tag", "../x"] {
            #expect(throws: (any Error).self, "\(bad)") { try Reference(bad) }
        }
    }
}

@Suite struct Challenges {
    @Test func bearerChallengeParams() throws {
        let c = try #require(Challenge.parse(#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#))
        #expect(c.scheme == "bearer")
        #expect(c.params["realm"] == "https://auth.example/token" && c.params["service"] == "registry.example" && c.params["scope"] == "repository:a/b:pull")
    }
    @Test func basicChallenge() throws {
        let c = try #require(Challenge.parse(#"Basic realm="Registry Realm""#))
        #expect(c.scheme == "basic" && c.params["realm"] == "Registry Realm")
    }
    @Test func base64RoundTrips() {
        for s in ["", "a", "ab", "abc", "tester:secret", "ü:🙂"] {
            #expect(Base64.decode(Base64.encode(Array(s.utf8))) == Array(s.utf8))
        }
        #expect(Base64.encode(Array("tester:secret".utf8)) == "dGVzdGVyOnNlY3JldA==")
    }
}

@Suite struct Digests {
    @Test func sha256OfKnownText() {
        #expect(Digest.of(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.of([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
    @Test func onlyLowercaseSha256IsADigest() {
        #expect(throws: (any Error).self) { try Digest("sha256:" + String(repeating: "A", count: 64)) }
        #expect(throws: (any Error).self) { try Digest("sha512:" + String(repeating: "a", count: 64)) }
        #expect(throws: (any Error).self) { try Digest("sha256:../../etc") }
    }
}

@Suite struct PlatformSelection {
    @Test func picksTheMatchingManifest() throws {
        let d1 = try Digest(hex: String(repeating: "1", count: 64)), d2 = try Digest(hex: String(repeating: "2", count: 64))
        var a = Descriptor(mediaType: MediaType.ociManifest, digest: d1, size: 1)
        a.platform = Platform(architecture: "arm64", os: "linux", variant: "v8")
        var b = Descriptor(mediaType: MediaType.ociManifest, digest: d2, size: 1)
        b.platform = Platform(architecture: "amd64", os: "linux")
        let idx = Index(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [a, b])
        #expect(try idx.select(Platform(architecture: "amd64", os: "linux")).digest == d2)
        #expect(try idx.select(Platform.parse("linux/arm64")).digest == d1)
        #expect(throws: (any Error).self) { try idx.select(Platform(architecture: "s390x", os: "linux")) }
    }
}

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Locker",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "locker", targets: ["locker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Only what Swift cannot say: raw syscalls and constants behind _GNU_SOURCE.
        .target(name: "CLockerShim"),
        .target(name: "LockerSystem", dependencies: ["CLockerShim"]),
        .target(name: "LockerSpec"),
        // Debian's libseccomp (libseccomp-dev), through a module map.
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .target(name: "LockerCgroups", dependencies: ["LockerSystem", "LockerSpec", "CLockerShim"]),
        // Images: zlib and zstd for layers, OpenSSL's libcrypto for sha256 (system libraries,
        // linked statically into the one executable).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "LockerImage", dependencies: ["LockerSystem", "LockerSpec", "CLockerShim", "CZlib", "CZstd", "CCrypto"]),
        .target(name: "LockerRuntime", dependencies: ["LockerSystem", "LockerSpec", "LockerCgroups", "LockerImage", "CLockerShim", "CSeccomp"]),
        .executableTarget(
            name: "locker",
            dependencies: [
                "LockerRuntime", "LockerSpec", "LockerCgroups", "LockerSystem", "LockerImage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "LockerSpecTests", dependencies: ["LockerSpec"]),
        .testTarget(name: "LockerImageTests", dependencies: ["LockerImage"]),
        .testTarget(name: "LockerSystemTests", dependencies: ["LockerSystem", "LockerCgroups", "LockerSpec"]),
    ],
    swiftLanguageModes: [.v5]
)

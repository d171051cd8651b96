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
        .target(name: "LockerRuntime", dependencies: ["LockerSystem", "LockerSpec", "LockerCgroups", "CLockerShim", "CSeccomp"]),
        .executableTarget(
            name: "locker",
            dependencies: [
                "LockerRuntime", "LockerSpec", "LockerCgroups", "LockerSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "LockerSpecTests", dependencies: ["LockerSpec"]),
        .testTarget(name: "LockerSystemTests", dependencies: ["LockerSystem", "LockerCgroups", "LockerSpec"]),
    ],
    swiftLanguageModes: [.v5]
)

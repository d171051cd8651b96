import LockerSpec

/// The device cgroup rules a container gets: config.json's, then what every container needs
/// to work at all (the standard nodes, ptys) and the devices config.json creates, as runc adds.
enum DeviceRules {
    static let alwaysAllowed: [Resources.DeviceRule] = [
        .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),   // null
        .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),   // zero
        .init(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),   // full
        .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),   // random
        .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),   // urandom
        .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),   // tty
        .init(allow: true, type: "c", major: 5, minor: 1, access: "rwm"),   // console
        .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),   // ptmx
        .init(allow: true, type: "c", major: 136, minor: -1, access: "rwm"), // pts/*
    ]

    static func effective(_ spec: Spec) -> [Resources.DeviceRule]? {
        guard let rules = spec.linux?.resources?.devices else { return nil }
        // FIFOs are not devices to the device cgroup: only b and c (u is c) get rules.
        let created = (spec.linux?.devices ?? []).filter { $0.type != "p" }.map {
            Resources.DeviceRule(allow: true, type: $0.type == "u" ? "c" : $0.type, major: $0.major, minor: $0.minor, access: "rwm")
        }
        return rules + alwaysAllowed + created
    }
}

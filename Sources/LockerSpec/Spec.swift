/// The OCI runtime-spec config.json as Codable values. Fields Locker does not read are
/// still kept where engines send them, so a config round-trips through `spec`.
public struct Spec: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [Mount]?
    public var hooks: Hooks?
    public var annotations: [String: String]?
    public var linux: Linux?

    public init(ociVersion: String = Spec.version, process: Process? = nil, root: Root? = nil, hostname: String? = nil,
                domainname: String? = nil, mounts: [Mount]? = nil, hooks: Hooks? = nil,
                annotations: [String: String]? = nil, linux: Linux? = nil) {
        self.ociVersion = ociVersion; self.process = process; self.root = root; self.hostname = hostname
        self.domainname = domainname; self.mounts = mounts; self.hooks = hooks; self.annotations = annotations
        self.linux = linux
    }
    public static let version = "1.2.0"

    public struct Process: Codable, Equatable, Sendable {
        public var terminal: Bool?
        public var consoleSize: ConsoleSize?
        public var user: User
        public var args: [String]?
        public var commandLine: String?
        public var env: [String]?
        public var cwd: String
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        public var noNewPrivileges: Bool?
        public var apparmorProfile: String?
        public var oomScoreAdj: Int?
        public var selinuxLabel: String?
        public init(terminal: Bool? = nil, user: User = User(), args: [String]?, env: [String]? = nil, cwd: String = "/",
                    capabilities: Capabilities? = nil, rlimits: [Rlimit]? = nil, noNewPrivileges: Bool? = nil) {
            self.terminal = terminal; self.user = user; self.args = args; self.env = env; self.cwd = cwd
            self.capabilities = capabilities; self.rlimits = rlimits; self.noNewPrivileges = noNewPrivileges
        }
    }
    public struct ConsoleSize: Codable, Equatable, Sendable {
        public var height: UInt16
        public var width: UInt16
        public init(height: UInt16, width: UInt16) { self.height = height; self.width = width }
    }
    public struct User: Codable, Equatable, Sendable {
        public var uid: UInt32
        public var gid: UInt32
        public var umask: UInt32?
        public var additionalGids: [UInt32]?
        public var username: String?
        public init(uid: UInt32 = 0, gid: UInt32 = 0, umask: UInt32? = nil, additionalGids: [UInt32]? = nil) {
            self.uid = uid; self.gid = gid; self.umask = umask; self.additionalGids = additionalGids
        }
    }
    public struct Capabilities: Codable, Equatable, Sendable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?
        public init(bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
                    permitted: [String]? = nil, ambient: [String]? = nil) {
            self.bounding = bounding; self.effective = effective; self.inheritable = inheritable
            self.permitted = permitted; self.ambient = ambient
        }
        /// The same list in every set but inheritable and ambient, as runc's and docker's defaults.
        public static func uniform(_ caps: [String]) -> Capabilities {
            Capabilities(bounding: caps, effective: caps, inheritable: nil, permitted: caps, ambient: nil)
        }
    }
    public struct Rlimit: Codable, Equatable, Sendable {
        public var type: String
        public var hard: UInt64
        public var soft: UInt64
        public init(type: String, hard: UInt64, soft: UInt64) { self.type = type; self.hard = hard; self.soft = soft }
    }
    public struct Root: Codable, Equatable, Sendable {
        public var path: String
        public var readonly: Bool?
        public init(path: String, readonly: Bool? = nil) { self.path = path; self.readonly = readonly }
    }
    public struct Mount: Codable, Equatable, Sendable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]?
        public init(destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil) {
            self.destination = destination; self.type = type; self.source = source; self.options = options
        }
    }
    public struct Hook: Codable, Equatable, Sendable {
        public var path: String
        public var args: [String]?
        public var env: [String]?
        public var timeout: Int?
        public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
            self.path = path; self.args = args; self.env = env; self.timeout = timeout
        }
    }
    public struct Hooks: Codable, Equatable, Sendable {
        public var prestart: [Hook]?
        public var createRuntime: [Hook]?
        public var createContainer: [Hook]?
        public var startContainer: [Hook]?
        public var poststart: [Hook]?
        public var poststop: [Hook]?
        public init() {}
    }
    public struct Linux: Codable, Equatable, Sendable {
        public var namespaces: [NamespaceEntry]?
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?
        public var devices: [Device]?
        public var cgroupsPath: String?
        public var resources: Resources?
        public var rootfsPropagation: String?
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        public var mountLabel: String?
        public var sysctl: [String: String]?
        public var seccomp: Seccomp?
        public var personality: Personality?
        public init() {}
    }
    public struct NamespaceEntry: Codable, Equatable, Sendable {
        public var type: String
        public var path: String?
        public init(type: String, path: String? = nil) { self.type = type; self.path = path }
    }
    public struct IDMapping: Codable, Equatable, Sendable {
        public var containerID: UInt32
        public var hostID: UInt32
        public var size: UInt32
        public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
            self.containerID = containerID; self.hostID = hostID; self.size = size
        }
    }
    public struct Device: Codable, Equatable, Sendable {
        public var type: String
        public var path: String
        public var major: Int64?
        public var minor: Int64?
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?
        public init(type: String, path: String, major: Int64?, minor: Int64?, fileMode: UInt32? = nil) {
            self.type = type; self.path = path; self.major = major; self.minor = minor; self.fileMode = fileMode
        }
    }
    public struct Personality: Codable, Equatable, Sendable {
        public var domain: String
        public var flags: [String]?
    }
    public struct Seccomp: Codable, Equatable, Sendable {
        public var defaultAction: String
        public var defaultErrnoRet: UInt32?
        public var architectures: [String]?
        public var flags: [String]?
        public var listenerPath: String?
        public var listenerMetadata: String?
        public var syscalls: [SeccompRule]?
        public init(defaultAction: String, defaultErrnoRet: UInt32?, architectures: [String]?, flags: [String]?,
                    listenerPath: String?, listenerMetadata: String?, syscalls: [SeccompRule]?) {
            self.defaultAction = defaultAction; self.defaultErrnoRet = defaultErrnoRet; self.architectures = architectures
            self.flags = flags; self.listenerPath = listenerPath; self.listenerMetadata = listenerMetadata; self.syscalls = syscalls
        }
    }
    public struct SeccompRule: Codable, Equatable, Sendable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [SeccompArg]?
        public init(names: [String], action: String, errnoRet: UInt32?, args: [SeccompArg]?) {
            self.names = names; self.action = action; self.errnoRet = errnoRet; self.args = args
        }
    }
    public struct SeccompArg: Codable, Equatable, Sendable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64?
        public var op: String
        public init(index: UInt32, value: UInt64, valueTwo: UInt64?, op: String) {
            self.index = index; self.value = value; self.valueTwo = valueTwo; self.op = op
        }
    }
}

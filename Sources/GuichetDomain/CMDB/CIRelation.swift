/// How one configuration item depends on another. A relation points from the dependent to what it
/// depends on: a workstation is connected to its access switch, a virtual machine hosted on its
/// hypervisor (or farm), a business service runs on the CIs it is made of, a server powered by its
/// UPS. When the dependency fails, the dependent is impacted (unless redundancy saves it).
public enum CIRelationKind: String, Sendable, CaseIterable, Codable {
    case connectedTo = "connected_to"
    case hostedOn = "hosted_on"
    case runsOn = "runs_on"
    case poweredBy = "powered_by"
}

/// One relation: `dependent` depends on `dependency`. `port` says where a link plugs in
/// (`Gi1/0/12`, `uplink`), for connections.
public struct CIRelation: Sendable, Equatable, Hashable, Codable {
    public var dependent: Int64
    public var dependency: Int64
    public var kind: CIRelationKind
    public var port: String?

    public init(dependent: Int64, dependency: Int64, kind: CIRelationKind, port: String? = nil) {
        self.dependent = dependent
        self.dependency = dependency
        self.kind = kind
        self.port = port
    }
}

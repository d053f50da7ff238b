/// What a configuration item is. Names are lower snake case, as imports and the API write them.
public enum CIClass: String, Sendable, CaseIterable, Codable {
    case desktop, laptop
    case thinClient = "thin_client"
    case tablet
    case server, hypervisor, farm
    case virtualMachine = "virtual_machine"
    case router
    case coreSwitch = "core_switch"
    case accessSwitch = "access_switch"
    case firewall
    case wifiController = "wifi_controller"
    case accessPoint = "access_point"
    case printer, copier, projector
    case interactiveDisplay = "interactive_display"
    case application
    case businessService = "business_service"

    /// The families the pages group classes in.
    public enum Family: String, Sendable, CaseIterable, Codable {
        case workstation, server, network, printer, peripheral, service
    }

    public var family: Family {
        switch self {
        case .desktop, .laptop, .thinClient, .tablet: .workstation
        case .server, .hypervisor, .farm, .virtualMachine: .server
        case .router, .coreSwitch, .accessSwitch, .firewall, .wifiController, .accessPoint: .network
        case .printer, .copier: .printer
        case .projector, .interactiveDisplay: .peripheral
        case .application, .businessService: .service
        }
    }

    /// Whether the central antivirus watches this class.
    public var hasAntivirus: Bool { family == .workstation || self == .server || self == .virtualMachine }
}

/// Where a configuration item is in its life.
public enum CIStatus: String, Sendable, CaseIterable, Codable {
    case production, stock, repair, retired
}

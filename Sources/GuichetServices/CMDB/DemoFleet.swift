import Foundation

/// The demo's fleet at its real size, as an inventory tool would hand it over: per establishment a
/// router, two core switches, access switches, a Wi-Fi controller and its access points, printers,
/// projectors and ~260 workstations wired to the access switches, and its two business services;
/// in the datacentre, 450 physical servers (60 of them hypervisors in 6 farms), 2,000 VMs and the
/// region-wide services. About 65,000 CIs, the same at every run.
public struct DemoFleet: Sendable {
    public struct Establishment: Sendable {
        public var code: String
        public var name: String

        public init(code: String, name: String) {
            self.code = code
            self.name = name
        }
    }

    public static let columns = [
        "external_id", "class", "name", "status", "establishment", "room", "owner", "serial", "asset_tag", "brand", "model", "os", "ip", "mac",
        "warranty_end", "minimum_up", "av_protected", "av_signatures_at", "connected_to", "hosted_on", "runs_on",
    ]

    let establishments: [Establishment]
    /// The owner of establishments' equipment, and of the datacentre's.
    let regionCode: String
    let providerCode: String

    public init(establishments: [Establishment], regionCode: String = "REGION-CVL", providerCode: String = "GIP-RECIA-SC") {
        self.establishments = establishments
        self.regionCode = regionCode
        self.providerCode = providerCode
    }

    /// The inventory as CSV with its header row.
    public func csv() -> String {
        var text = Self.columns.joined(separator: ",") + "\n"
        text.reserveCapacity(14_000_000)
        forEachRow { row in
            text += Self.columns.map { Self.field(row[$0] ?? "") }.joined(separator: ",")
            text += "\n"
        }
        return text
    }

    static func field(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    /// Every row, establishments first, then the datacentre.
    public func forEachRow(_ body: ([String: String]) -> Void) {
        var random = DemoRandom(seed: 64_000)
        let brands = [("Dell", "OptiPlex 7010"), ("HP", "ProDesk 400 G9"), ("Lenovo", "ThinkCentre M70q")]
        let laptops = [("Dell", "Latitude 5440"), ("HP", "ProBook 450 G10"), ("Lenovo", "ThinkPad E14")]
        let buildings = ["A", "B", "C", "D"]
        for (number, school) in establishments.enumerated() {
            let code = school.code
            let net = 10 + number / 250
            let site = number % 250
            func id(_ suffix: String) -> String { "\(code)-\(suffix)" }
            func ci(_ suffix: String, _ ciClass: String, _ name: String, room: String? = nil, extra: [String: String] = [:]) {
                var row = ["external_id": id(suffix), "class": ciClass, "name": name, "establishment": code, "owner": regionCode, "status": "production"]
                if let room { row["room"] = room }
                row.merge(extra) { _, new in new }
                body(row)
            }
            ci("rtr", "router", "RTR-\(code)", room: "Local technique", extra: ["brand": "Cisco", "model": "ISR 4331", "ip": "\(net).\(site).0.1"])
            for core in 1...2 {
                ci("core\(core)", "core_switch", "CORE\(core)-\(code)", room: "Local technique", extra: [
                    "brand": "HPE", "model": "Aruba 6300M", "ip": "\(net).\(site).0.\(1 + core)", "connected_to": id("rtr"),
                ])
            }
            let accessSwitches = 11
            for index in 1...accessSwitches {
                let building = buildings[(index - 1) % buildings.count]
                ci("sw\(index)", "access_switch", "SW-\(building)\(index)-\(code)", room: "Baie \(building)\(index)", extra: [
                    "brand": "HPE", "model": "Aruba 2930F 48G", "ip": "\(net).\(site).1.\(index)", "connected_to": id("core1") + "; " + id("core2"),
                    "minimum_up": "1",
                ])
            }
            ci("wlc", "wifi_controller", "WLC-\(code)", room: "Local technique", extra: ["brand": "Aruba", "model": "7010", "connected_to": id("core1")])
            for index in 1...50 {
                ci("ap\(index)", "access_point", "AP-\(index)-\(code)", room: "\(buildings[index % 4])\(100 + index)", extra: [
                    "brand": "Aruba", "model": "AP-505", "connected_to": id("sw\(1 + index % accessSwitches)"),
                ])
            }
            for index in 1...15 {
                ci("prn\(index)", index % 5 == 0 ? "copier" : "printer", "IMP-\(index)-\(code)", room: "\(buildings[index % 4])\(10 + index)", extra: [
                    "brand": index % 5 == 0 ? "Canon" : "Brother", "model": index % 5 == 0 ? "iR-ADV C5840i" : "HL-L6250DN",
                    "ip": "\(net).\(site).2.\(index)", "serial": "PRN\(code)\(index)", "connected_to": id("sw\(1 + index % accessSwitches)"),
                ])
            }
            for index in 1...8 {
                ci("vp\(index)", index % 2 == 0 ? "projector" : "interactive_display", "VP-\(index)-\(code)", room: "\(buildings[index % 4])\(200 + index)")
            }
            for index in 1...260 {
                let room = "\(buildings[index % 4])\(100 + index / 12)"
                let laptop = index % 5 == 0
                let (brand, model) = laptop ? laptops[random.next(laptops.count)] : brands[random.next(brands.count)]
                let days = random.next(20)
                ci("pc\(index)", laptop ? "laptop" : "desktop", "\(laptop ? "PORT" : "PC")-\(room)-\(index)-\(code)", room: room, extra: [
                    "brand": brand, "model": model, "os": "Windows 11 Éducation", "serial": "SN\(code)\(String(format: "%04d", index))",
                    "asset_tag": "INV-\(code)-\(index)", "ip": "\(net).\(site).\(10 + index / 200).\(index % 200 + 20)",
                    "mac": String(format: "00:1B:%02X:%02X:%02X:%02X", number / 256, number % 256, index / 256, index % 256),
                    "warranty_end": "\(2027 + index % 3)-0\(1 + index % 9)-15", "av_protected": days > 17 ? "false" : "true",
                    "av_signatures_at": "2026-11-\(String(format: "%02d", 30 - days))", "connected_to": id("sw\(1 + index % accessSwitches)"),
                ])
            }
            ci("svc-internet", "business_service", "Accès Internet — \(school.name)", extra: ["runs_on": id("rtr")])
            ci("svc-wifi", "business_service", "Wi-Fi — \(school.name)", extra: ["runs_on": id("wlc")])
        }
        // the datacentre: hypervisor farms, VMs, servers, the region-wide services
        func dc(_ externalID: String, _ ciClass: String, _ name: String, extra: [String: String]) {
            var row = ["external_id": externalID, "class": ciClass, "name": name, "owner": providerCode, "status": "production", "room": "Salle serveurs"]
            row.merge(extra) { _, new in new }
            body(row)
        }
        for farm in 1...6 {
            let hosts = (1...10).map { "dc-hv\(farm)-\($0)" }
            for (index, host) in hosts.enumerated() {
                dc(host, "hypervisor", "HV\(farm)-\(index + 1)", extra: ["brand": "Dell", "model": "PowerEdge R760", "serial": "DCHV\(farm)\(index + 1)"])
            }
            dc("dc-farm\(farm)", "farm", "FERME-\(farm)", extra: ["runs_on": hosts.joined(separator: "; "), "minimum_up": "7"])
        }
        for index in 1...390 {
            dc("dc-srv\(index)", "server", "SRV-\(String(format: "%03d", index))", extra: [
                "brand": "Dell", "model": "PowerEdge R660", "serial": "DCSRV\(index)", "os": "Debian 12", "ip": "10.250.\(index / 250).\(index % 250)",
            ])
        }
        for index in 1...2_000 {
            dc("dc-vm\(index)", "virtual_machine", "VM-\(String(format: "%04d", index))", extra: [
                "os": index % 4 == 0 ? "Windows Server 2022" : "Debian 12", "ip": "10.251.\(index / 250).\(index % 250)", "hosted_on": "dc-farm\(1 + index % 6)",
            ])
        }
        dc("dc-app-ent", "application", "ENT — Environnement numérique de travail", extra: ["runs_on": (1...40).map { "dc-vm\($0)" }.joined(separator: "; "), "minimum_up": "20"])
        dc("dc-app-vs", "application", "Logiciel de vie scolaire", extra: ["runs_on": (41...60).map { "dc-vm\($0)" }.joined(separator: "; "), "minimum_up": "10"])
        dc("dc-svc-ent", "business_service", "ENT des lycées", extra: ["runs_on": "dc-app-ent"])
        dc("dc-svc-vs", "business_service", "Vie scolaire", extra: ["runs_on": "dc-app-vs"])
    }
}

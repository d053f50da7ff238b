import Foundation

/// CPU time spent by each kind of process of the cluster, read from /proc: user and system time of
/// every process, plus, for PostgreSQL, what its exited backends spent (the postmaster's children's
/// time), so that a connection closed during a phase still counts.
struct ProcessCPU: Sendable {
    /// Seconds of CPU by kind of process.
    let seconds: [String: Double]

    static let kinds = ["API nodes", "workers", "mail-in", "PostgreSQL", "HAProxy", "SMTP sink", "load generator"]

    /// The CPU spent by every kind so far; PostgreSQL is the server whose postmaster is `postmaster`
    /// and its children (another cluster on the machine is left out).
    static func now(postmaster: Int?) -> ProcessCPU {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var seconds: [String: Double] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let kind = kind(of: pid), let stat = Stat(pid: pid) else { continue }
            if kind == "PostgreSQL" {
                guard let postmaster, Int(pid) == postmaster || stat.parent == postmaster else { continue }
                // the postmaster's children's time: the backends that exited
                seconds[kind, default: 0] += Double(stat.ticks + (Int(pid) == postmaster ? stat.childTicks : 0)) / ticksPerSecond
            } else {
                seconds[kind, default: 0] += Double(stat.ticks) / ticksPerSecond
            }
        }
        return ProcessCPU(seconds: seconds)
    }

    /// The CPU spent between `earlier` and this reading, by kind.
    func since(_ earlier: ProcessCPU) -> [String: Double] {
        var spent: [String: Double] = [:]
        for kind in Self.kinds { spent[kind] = max(0, (seconds[kind] ?? 0) - (earlier.seconds[kind] ?? 0)) }
        return spent
    }

    private static func kind(of pid: String) -> String? {
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !raw.isEmpty else { return nil }
        let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let program = (arguments.first ?? "").split(separator: "/").last.map(String.init) ?? ""
        switch program {
        case "guichet-bench": return "load generator"
        case "guichet":
            switch arguments.dropFirst().first {
            case "serve": return "API nodes"
            case "work": return "workers"
            case "mail-in": return "mail-in"
            default: return nil
            }
        case "haproxy": return "HAProxy"
        case _ where program.hasPrefix("postgres"): return "PostgreSQL"
        case _ where arguments.contains(where: { $0.hasSuffix("smtp-catcher") }): return "SMTP sink"
        default: return nil
        }
    }

    /// What /proc/PID/stat says of a process's CPU, in clock ticks.
    private struct Stat {
        var parent: Int
        /// utime + stime
        var ticks: Int
        /// cutime + cstime: the children it waited for
        var childTicks: Int

        init?(pid: String) {
            guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
            let text = String(decoding: stat, as: UTF8.self)
            // the command name may hold spaces and parentheses: fields are read after its last ')'
            guard let close = text.lastIndex(of: ")") else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ").compactMap { Int($0) }
            // after the state (field 3): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17
            guard fields.count > 13 else { return nil }
            parent = fields[0]
            ticks = fields[10] + fields[11]
            childTicks = fields[12] + fields[13]
        }
    }
}

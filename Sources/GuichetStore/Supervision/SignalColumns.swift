import Foundation
import GuichetDomain

/// Signals as one array per column, for the statements that apply a notification's alerts at once
/// (`unnest`). A column that may be empty carries a stand-in the statement reads as NULL: an empty
/// text, CI 0, or an end marked as none in `ended`.
struct SignalColumns {
    var positions: [Int64] = []
    var identities: [String] = []
    var sources: [String] = []
    var keys: [String] = []
    var statuses: [String] = []
    var severities: [String] = []
    var summaries: [String] = []
    var details: [String] = []
    var labels: [String] = []
    var ciIDs: [Int64] = []
    var startsAt: [Date] = []
    var ended: [Bool] = []
    var endsAt: [Date] = []
    var occurrences: [String] = []

    private let signals: [AlertSignal]
    private let cis: [AlertCI?]

    init(_ signals: [AlertSignal], cis: [AlertCI?] = []) {
        self.signals = signals
        self.cis = cis
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (index, signal) in signals.enumerated() {
            positions.append(Int64(index))
            identities.append(Self.identity(source: signal.source, key: signal.key))
            sources.append(signal.source)
            keys.append(signal.key)
            statuses.append(signal.status.rawValue)
            severities.append(signal.severity.rawValue)
            summaries.append(signal.summary)
            details.append(signal.details ?? "")
            labels.append((try? encoder.encode(signal.labels)).map { String(decoding: $0, as: UTF8.self) } ?? "{}")
            ciIDs.append(index < cis.count ? cis[index]?.id ?? 0 : 0)
            startsAt.append(signal.startsAt)
            ended.append(signal.endsAt != nil)
            endsAt.append(signal.endsAt ?? signal.startsAt)
            occurrences.append(signal.occurrence)
        }
    }

    /// An alert's identity within its account: its source and key.
    static func identity(source: String, key: String) -> String { "\(source)\u{1F}\(key)" }

    /// The rows at `indices`, numbered again from 0.
    func subset(_ indices: [Int]) -> SignalColumns {
        SignalColumns(indices.map { signals[$0] }, cis: indices.map { $0 < cis.count ? cis[$0] : nil })
    }
}

extension Date {
    /// Whether this start is of an earlier occurrence than `other`, as stored: the database keeps
    /// microseconds, so a start read back may differ from the one sent by less than a millisecond.
    func isEarlier(than other: Date) -> Bool { timeIntervalSince(other) < -0.001 }
}

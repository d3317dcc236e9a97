import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// The chart form of one group of machine curves (one interpreter version and workload, one
/// series per process count), shared by the machine and compare pages.
struct CurveChart: Encodable, Sendable {
    /// Machine curves that share everything but the process count.
    struct Group: Sendable {
        var key: MachineCurveKey
        var label: String
        /// Ascending by procs.
        var curves: [MachineCurve]
    }

    /// One process count.
    struct Series: Encodable, Sendable {
        struct Point: Encodable, Sendable {
            var nursery: Int64
            var relative: Double
        }
        var procs: Int
        var points: [Point]
        var best: Int64?
        var lower: Int64?
        var upper: Int64?
    }

    var label: String
    var defaultBytes: Int64?
    var recommendedBytes: Int64?
    var series: [Series]

    /// The chart of `group`, with the recommendation marked when known.
    init(group: Group, recommendedBytes: Int64?) {
        label = group.label
        defaultBytes = group.curves.lazy.compactMap(\.summary.defaultNurseryBytes).first
        self.recommendedBytes = recommendedBytes
        series = group.curves.map { curve in
            let s = curve.summary
            return Series(
                procs: curve.key.procs,
                points: s.points.filter(\.relativeTime.isFinite).map {
                    Series.Point(nursery: $0.nurseryBytes, relative: $0.relativeTime)
                },
                best: s.best?.nurseryBytes, lower: s.best?.intervalLowerBytes, upper: s.best?.intervalUpperBytes)
        }
    }

    /// Groups curves by interpreter version and workload, newest interpreter first; curves
    /// measured with `PYPY_GC_MIN` pinned form their own, labelled, groups.
    static func groups(_ curves: [MachineCurve]) -> [Group] {
        var byKey: [MachineCurveKey: [MachineCurve]] = [:]
        for curve in curves {
            var key = curve.key
            key.procs = 0
            byKey[key, default: []].append(curve)
        }
        return byKey.map { key, members in
            let label =
                "\(key.implementation) \(key.interpreterVersion) · \(key.benchmark) v\(key.benchmarkVersion)"
                + (key.pypyGCMinPinned ? " · PYPY_GC_MIN pinned" : "")
            return Group(key: key, label: label, curves: members.sorted { $0.key.procs < $1.key.procs })
        }.sorted {
            (
                $0.key.pypyGCMinPinned ? 1 : 0,
                VersionOrder.descending($0.key.interpreterVersion, $1.key.interpreterVersion), $0.label
            )
                < (
                    $1.key.pypyGCMinPinned ? 1 : 0,
                    VersionOrder.descending($1.key.interpreterVersion, $0.key.interpreterVersion), $1.label
                )
        }
    }
}

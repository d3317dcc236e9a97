import Foundation

// JSON has no NaN, and the shared wire encoder refuses to invent a spelling for it. The values
// below use NaN for "missing", so they encode missing numbers as null (absent) and decode null
// back to NaN.

extension Curve {
    enum CodingKeys: String, CodingKey {
        case nurseries
        case roundIDs = "round_ids"
        case roundRatios = "round_ratios"
        case defaultNurseryBytes = "default_nursery_bytes"
    }

    /// Decodes the stored form (sizes, rounds, per-round ratios with null for missing) and
    /// recomputes the medians, so a stored curve cannot disagree with its own ratios.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let ratios = try container.decode([Double?].self, forKey: .roundRatios).map { $0 ?? .nan }
        self.init(
            nurseries: try container.decode([Int64].self, forKey: .nurseries),
            roundIDs: try container.decode([Int].self, forKey: .roundIDs), roundRatios: ratios,
            defaultNurseryBytes: try container.decodeIfPresent(Int64.self, forKey: .defaultNurseryBytes))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(nurseries, forKey: .nurseries)
        try container.encode(roundIDs, forKey: .roundIDs)
        try container.encode(roundRatios.map { $0.isFinite ? $0 : nil }, forKey: .roundRatios)
        try container.encodeIfPresent(defaultNurseryBytes, forKey: .defaultNurseryBytes)
    }
}

extension RegretSummary {
    enum CodingKeys: String, CodingKey { case mean, p90, curves }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            mean: try container.decodeIfPresent(Double.self, forKey: .mean) ?? .nan,
            p90: try container.decodeIfPresent(Double.self, forKey: .p90) ?? .nan,
            curves: try container.decode(Int.self, forKey: .curves))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(mean.isFinite ? mean : nil, forKey: .mean)
        try container.encodeIfPresent(p90.isFinite ? p90 : nil, forKey: .p90)
        try container.encode(curves, forKey: .curves)
    }
}

extension GainSummary {
    enum CodingKeys: String, CodingKey { case mean, p10, p90 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            mean: try container.decodeIfPresent(Double.self, forKey: .mean) ?? .nan,
            p10: try container.decodeIfPresent(Double.self, forKey: .p10) ?? .nan,
            p90: try container.decodeIfPresent(Double.self, forKey: .p90) ?? .nan)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(mean.isFinite ? mean : nil, forKey: .mean)
        try container.encodeIfPresent(p10.isFinite ? p10 : nil, forKey: .p10)
        try container.encodeIfPresent(p90.isFinite ? p90 : nil, forKey: .p90)
    }
}

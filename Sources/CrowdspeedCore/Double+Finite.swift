extension Double {
    /// The value when it is finite, nil for NaN and the infinities: how a missing number is
    /// kept wherever it leaves memory, since neither JSON nor SQL can spell NaN.
    public var finiteValue: Double? { isFinite ? self : nil }
}

import Foundation

/// How much usable data one hardware class holds in a fit, for every class present — including
/// those too small for a formula of their own, which ``FitReport/classes`` leaves out. The counts
/// include machines the robust fit flagged (as ``FitEvidence`` does); ``weightedMachines`` does not.
public struct ClassEvidence: Sendable, Equatable, Codable {
    public var hardwareClass: HardwareClass
    /// Distinct machines with a usable curve.
    public var machines: Int
    public var curves: Int
    public var cpuModels: Int
    /// Machines counted by weight (see ``FitEvidence/weightedMachines``); what
    /// ``FitConfiguration/classMinMachines`` is compared with.
    public var weightedMachines: Double
    /// True when the class had enough machines and CPU models to be fitted on its own (it then
    /// has a ``ClassFit`` in ``FitReport/classes``, accepted or not).
    public var eligible: Bool

    public init(
        hardwareClass: HardwareClass, machines: Int, curves: Int, cpuModels: Int, weightedMachines: Double,
        eligible: Bool
    ) {
        self.hardwareClass = hardwareClass
        self.machines = machines
        self.curves = curves
        self.cpuModels = cpuModels
        self.weightedMachines = weightedMachines
        self.eligible = eligible
    }
}

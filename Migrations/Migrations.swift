import Foundation

/// The numbered SQL migrations shipped with the server, read from this target's resource bundle so
/// an installed binary finds them without depending on the working directory.
public enum BundledMigrations {
    /// The folder holding `NNNN_name.sql` files.
    public static var directory: URL {
        Bundle.module.url(forResource: "sql", withExtension: nil)!
    }
}

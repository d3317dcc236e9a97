import Foundation

/// The numbered SQL migrations shipped with the server, read from this target's resource bundle so
/// an installed binary finds them without depending on the working directory.
public enum BundledMigrations {
    /// The folder holding the SQLite `NNNN_name.sql` files.
    public static var directory: URL {
        Bundle.module.url(forResource: "sql", withExtension: nil)!
    }

    /// The folder holding the PostgreSQL translations: the same `NNNN_name.sql` ids as
    /// ``directory``, one file for each.
    public static var postgresDirectory: URL {
        Bundle.module.url(forResource: "postgres", withExtension: nil)!
    }
}

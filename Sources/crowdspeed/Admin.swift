import ArgumentParser

/// `crowdspeed admin`: moderation on the database directly, for an operator on the server's
/// host (the same actions as the admin API, without a token: access to the database file, or
/// its PostgreSQL credentials, is the credential). Safe while servers run: the database
/// serializes the writes.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quarantine or release data, read the audit log, hash an admin token.",
        subcommands: [AdminQuarantine.self, AdminRelease.self, AdminAudit.self, AdminHashToken.self])
}

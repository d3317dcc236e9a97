import CrowdspeedMigrations
import Testing

@testable import CrowdspeedStorePostgres

/// Splitting migration files into single statements.
@Suite("SQL statement splitting")
struct SQLScriptTests {
    @Test("statements split on semicolons, comments dropped, empty ones left out")
    func basic() throws {
        let sql = """
            -- a heading comment; with a semicolon
            CREATE TABLE a (x BIGINT NOT NULL); /* between; */
            CREATE INDEX a_x ON a (x)  -- trailing
            ;
            ;
            INSERT INTO a (x) VALUES (1)
            """
        #expect(
            try SQLScript.statements(sql) == [
                "CREATE TABLE a (x BIGINT NOT NULL)", "CREATE INDEX a_x ON a (x)", "INSERT INTO a (x) VALUES (1)",
            ])
    }

    @Test("semicolons and comment markers inside strings and quoted names are text")
    func quoted() throws {
        let sql = """
            INSERT INTO t (a, "odd;""name") VALUES ('it''s; -- not a comment', '/* nor this */');
            SELECT 1
            """
        #expect(
            try SQLScript.statements(sql) == [
                #"INSERT INTO t (a, "odd;""name") VALUES ('it''s; -- not a comment', '/* nor this */')"#, "SELECT 1",
            ])
    }

    @Test("block comments nest, as in PostgreSQL")
    func nestedComments() throws {
        #expect(
            try SQLScript.statements("SELECT /* outer /* inner; */ still; */ 1; SELECT 2") == [
                "SELECT   1", "SELECT 2",
            ])
    }

    @Test(
        "what the splitter does not understand is refused",
        arguments: [
            (
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                SQLScript.SplitError.unsupported("$ (dollar quoting or a parameter)")
            ),
            ("SELECT E'a\\'b; c'", .unsupported("E'…' escape string")),
            ("SELECT 'open; string", .unterminated("string literal")),
            ("SELECT \"open name", .unterminated("quoted identifier")),
            ("SELECT 1 /* open /* nested */", .unterminated("block comment")),
        ])
    func refused(sql: String, error: SQLScript.SplitError) {
        #expect(throws: error) { try SQLScript.statements(sql) }
    }

    @Test("a column named like an E-string prefix is not one")
    func identifierEndingInE() throws {
        #expect(
            try SQLScript.statements("SELECT 'x' AS type, name='y' FROM t") == ["SELECT 'x' AS type, name='y' FROM t"])
    }

    @Test("every bundled PostgreSQL migration splits, into single statements")
    func bundled() throws {
        let runner = try PostgresMigrationRunner()
        #expect(!runner.migrations.isEmpty)
        for migration in runner.migrations {
            #expect(!migration.statements.isEmpty, "\(migration.name)")
            #expect(migration.statements.allSatisfy { !$0.contains(";") }, "\(migration.name)")
        }
        // 0001: four tables and four indexes.
        #expect(runner.migrations.first?.statements.count == 8)
    }
}

import Testing

@testable import GuichetStore

@Suite("SQL script splitting")
struct SQLScriptTests {
    @Test("statements split on semicolons outside quotes, comments and dollar-quoted bodies")
    func split() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (note text DEFAULT 'x;y');
            /* block; comment */ CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'no; never'; END
            $$;
            INSERT INTO "odd;name" VALUES ('it''s; fine');
            SELECT $tag$ a;b $tag$
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 4)
        #expect(statements[0] == "CREATE TABLE a (note text DEFAULT 'x;y')")
        #expect(statements[1].hasPrefix("CREATE FUNCTION f()"))
        #expect(statements[1].hasSuffix("$$"))
        #expect(statements[2] == #"INSERT INTO "odd;name" VALUES ('it''s; fine')"#)
        #expect(statements[3] == "SELECT $tag$ a;b $tag$")
    }

    @Test("positional parameters like $1 are not taken for dollar quotes")
    func positional() {
        #expect(SQLScript.statements("SELECT $1; SELECT 2").count == 2)
    }
}

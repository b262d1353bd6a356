// JdbcTest.java - drives `tarn serve` with the PostgreSQL JDBC driver
// (Debian's libpostgresql-jdbc-java, /usr/share/java/postgresql.jar):
// Statement and PreparedStatement (every setter, ten runs so the driver
// switches to a named server-prepared statement after prepareThreshold = 5),
// ResultSet getters and the Java classes of getObject, ResultSetMetaData,
// batches, setFetchSize with autocommit off (Execute row limits on a
// portal), transactions, query timeouts (CancelRequest), errors as
// PSQLException with their SQLSTATE, and DatabaseMetaData (getTables,
// getColumns, getSchemas, getPrimaryKeys: the driver's pg_catalog queries).
//
// Usage: java -cp DIR:postgresql.jar JdbcTest JDBC_URL USER [--pg]
// (--pg: a real PostgreSQL server, to check the expectations themselves;
// skips nothing today but is kept for parity with psycopg2_test.py.)
// Prints "ok N - what" / "not ok N - what: why"; exit status 1 on a failure.
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

public class JdbcTest {
    static int n = 0, failed = 0;

    static void check(boolean ok, String what, Object why) {
        n++;
        if (ok) {
            System.out.println("ok " + n + " - " + what);
        } else {
            failed++;
            System.out.println("not ok " + n + " - " + what + ": " + why);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    /* Runs a group of checks; an unexpected exception fails the group. */
    static void group(String name, Body b) {
        try {
            b.run();
        } catch (Exception e) {
            check(false, name, e.getClass().getName() + ": " + e.getMessage());
        }
    }

    /* sql must fail with SQLSTATE state (and the message, when given). */
    static void expectError(Connection c, String sql, String state, String message, String what) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            check(false, what, "no error");
        } catch (SQLException e) {
            boolean ok = state.equals(e.getSQLState()) && e.getClass().getName().equals("org.postgresql.util.PSQLException")
                && (message == null || e.getMessage().startsWith("ERROR: " + message));
            check(ok, what, e.getClass().getName() + " " + e.getSQLState() + " " + e.getMessage());
        }
    }

    static String classes(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            Object o = rs.getObject(i);
            out.add(o == null ? "null" : o.getClass().getName());
        }
        return String.join(",", out);
    }

    public static void main(String[] args) throws Exception {
        String url = args[0], user = args[1];
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", "");
        props.setProperty("ApplicationName", "JdbcTest");
        Connection c = DriverManager.getConnection(url, props);
        check(c.isValid(5), "connect (DriverManager, startup with the driver's parameters)", "");

        group("simple Statement", () -> {
            try (Statement st = c.createStatement()) {
                for (String t : new String[] {"jt", "jb", "jf"})
                    st.execute("drop table if exists " + t);
                ResultSet rs = st.executeQuery("select 1 as one, 'two' as two, 3.5::float8 as three, null::int as four");
                check(rs.next() && rs.getInt(1) == 1 && rs.getString("two").equals("two") && rs.getDouble(3) == 3.5
                          && rs.getObject(4) == null && rs.getInt(4) == 0 && rs.wasNull() && !rs.next(),
                      "Statement.executeQuery: getInt, getString, getDouble, NULL and wasNull", "");
                check(st.executeUpdate("create table jt (i int not null, b bigint, s smallint, n numeric(10,2), f float8, "
                          + "r real, t text, v varchar(20), ok boolean, d date, ts timestamp, tz timestamptz, by bytea, "
                          + "a int[])") == 0,
                      "executeUpdate of DDL returns 0", "");
                boolean isRs = st.execute("select 1; select 2 as x");
                rs = st.getResultSet();
                rs.next();
                int first = rs.getInt(1);
                boolean more = st.getMoreResults();
                rs = st.getResultSet();
                rs.next();
                check(isRs && first == 1 && more && rs.getInt("x") == 2 && !st.getMoreResults() && st.getUpdateCount() == -1,
                      "two statements in one execute: getMoreResults", first);
            }
        });

        group("PreparedStatement", () -> {
            try (PreparedStatement ps = c.prepareStatement(
                     "insert into jt (i, b, s, n, f, r, t, v, ok, d, ts, tz, by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int total = 0;
                for (int i = 1; i <= 10; i++) { // prepareThreshold 5: runs 5.. use a named server statement
                    ps.setInt(1, i);
                    ps.setLong(2, 10000000000L * i);
                    ps.setShort(3, (short) (i * 3));
                    ps.setBigDecimal(4, new BigDecimal(i + ".25"));
                    ps.setDouble(5, i / 4.0);
                    ps.setFloat(6, i / 2.0f);
                    ps.setString(7, "row " + i + " 'q'");
                    ps.setString(8, "v" + i);
                    ps.setBoolean(9, i % 2 == 0);
                    ps.setDate(10, Date.valueOf("2024-03-" + (10 + i)));
                    ps.setTimestamp(11, Timestamp.valueOf("2024-03-01 10:00:0" + (i % 10) + ".125"));
                    ps.setObject(12, OffsetDateTime.of(2024, 3, 1, 12, 0, i, 0, ZoneOffset.ofHours(2)));
                    ps.setBytes(13, new byte[] {(byte) i, 0, (byte) 0xff});
                    total += ps.executeUpdate();
                }
                check(total == 10, "PreparedStatement INSERT run 10 times (unnamed, then server-prepared)", total);
                ps.setInt(1, 11);
                for (int k = 2; k <= 13; k++)
                    ps.setNull(k, k == 7 || k == 8 ? Types.VARCHAR : Types.OTHER);
                ps.setNull(2, Types.BIGINT);
                ps.setNull(4, Types.NUMERIC);
                ps.setNull(9, Types.BOOLEAN);
                ps.setNull(10, Types.DATE);
                ps.setNull(11, Types.TIMESTAMP);
                ps.setNull(13, Types.BINARY);
                check(ps.executeUpdate() == 1, "setNull for every column", "");
            }
            try (PreparedStatement q = c.prepareStatement("select i, t from jt where i > ? and t like ? order by i")) {
                int hits = 0;
                for (int round = 0; round < 10; round++) {
                    q.setInt(1, round);
                    q.setString(2, "row%");
                    try (ResultSet rs = q.executeQuery()) {
                        int want = round + 1, got = 0;
                        boolean ordered = true;
                        while (rs.next()) {
                            ordered &= rs.getInt(1) == want++;
                            got++;
                        }
                        if (got == 10 - round && ordered)
                            hits++;
                    }
                }
                check(hits == 10, "PreparedStatement SELECT run 10 times with changing parameters", hits);
            }
            try (PreparedStatement q = c.prepareStatement("select count(*) from jt where d between ? and ? and ok = ?")) {
                q.setDate(1, Date.valueOf("2024-03-12"));
                q.setObject(2, java.time.LocalDate.of(2024, 3, 16));
                q.setBoolean(3, true);
                ResultSet rs = q.executeQuery();
                rs.next();
                check(rs.getLong(1) == 3, "date and boolean parameters in a WHERE", rs.getLong(1));
            }
            try (PreparedStatement q = c.prepareStatement("select ? as s, ? || 1 as c, upper(?) as u, ? = 'ab' as e")) {
                for (int k = 1; k <= 4; k++)
                    q.setString(k, "ab");
                ResultSet rs = q.executeQuery();
                rs.next();
                ResultSetMetaData md = rs.getMetaData();
                String types = md.getColumnTypeName(1) + "," + md.getColumnTypeName(2) + "," + md.getColumnTypeName(3) + ","
                    + md.getColumnTypeName(4);
                check(rs.getString(1).equals("ab") && rs.getString(2).equals("ab1") && rs.getString(3).equals("AB")
                          && rs.getBoolean(4) && types.equals("varchar,text,text,bool"),
                      "setString binds varchar: result types as PostgreSQL's", types);
            }
            try (PreparedStatement q = c.prepareStatement("select ?::numeric * 2, ? || 'x', ?::int + 1")) {
                q.setBigDecimal(1, new BigDecimal("12345678901234567890.5"));
                q.setString(2, "é");
                q.setLong(3, 41);
                ResultSet rs = q.executeQuery();
                rs.next();
                // compareTo: an unconstrained numeric has scale 10 in tarn (docs/sql.md, known differences)
                check(rs.getBigDecimal(1).compareTo(new BigDecimal("24691357802469135781.0")) == 0 && rs.getString(2).equals("éx")
                          && rs.getInt(3) == 42,
                      "numeric, text and int parameters with casts", rs.getBigDecimal(1) + " " + rs.getString(2));
                check(q.getParameterMetaData().getParameterCount() == 3
                          && q.getParameterMetaData().getParameterTypeName(1).equals("numeric"),
                      "ParameterMetaData from ParameterDescription", q.getParameterMetaData().getParameterTypeName(1));
            }
        });

        group("ResultSet types", () -> {
            try (Statement st = c.createStatement()) {
                st.execute("set time zone 'UTC'");
                ResultSet rs = st.executeQuery("select * from jt where i = 4");
                rs.next();
                check(classes(rs).equals("java.lang.Integer,java.lang.Long,java.lang.Integer,java.math.BigDecimal,"
                          + "java.lang.Double,java.lang.Float,java.lang.String,java.lang.String,java.lang.Boolean,"
                          + "java.sql.Date,java.sql.Timestamp,java.sql.Timestamp,[B,null"),
                      "getObject classes: Integer, Long, Integer (int2), BigDecimal, Double, Float, String, Boolean, "
                          + "Date, Timestamp, byte[]", classes(rs));
                check(rs.getLong("b") == 40000000000L && rs.getShort("s") == 12 && rs.getBigDecimal("n").toString().equals("4.25")
                          && rs.getDouble("f") == 1.0 && rs.getFloat("r") == 2.0f && rs.getString("t").equals("row 4 'q'")
                          && rs.getBoolean("ok") && rs.getDate("d").toString().equals("2024-03-14")
                          && rs.getTimestamp("ts").toString().equals("2024-03-01 10:00:04.125")
                          && Arrays.equals(rs.getBytes("by"), new byte[] {4, 0, (byte) 0xff}),
                      "typed getters return the stored values", rs.getTimestamp("ts"));
                OffsetDateTime odt = rs.getObject("tz", OffsetDateTime.class);
                check(odt.toInstant().equals(OffsetDateTime.of(2024, 3, 1, 10, 0, 4, 0, ZoneOffset.UTC).toInstant()),
                      "timestamptz as OffsetDateTime (same instant)", odt);
                ResultSetMetaData md = rs.getMetaData();
                StringBuilder names = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++)
                    names.append(md.getColumnTypeName(i)).append(i < md.getColumnCount() ? "," : "");
                check(names.toString().equals("int4,int8,int2,numeric,float8,float4,text,varchar,bool,date,timestamp,"
                          + "timestamptz,bytea,_int4"),
                      "ResultSetMetaData.getColumnTypeName", names);
                check(md.getColumnType(1) == Types.INTEGER && md.getColumnType(2) == Types.BIGINT
                          && md.getColumnType(4) == Types.NUMERIC && md.getColumnType(9) == Types.BIT
                          && md.getColumnType(11) == Types.TIMESTAMP && md.getColumnType(13) == Types.BINARY
                          && md.getColumnType(14) == Types.ARRAY,
                      "ResultSetMetaData.getColumnType (java.sql.Types)", md.getColumnType(9));
                check(md.getColumnName(4).equals("n") && md.getPrecision(4) == 10 && md.getScale(4) == 2
                          && md.getColumnDisplaySize(8) == 20,
                      "column name, numeric(10,2) precision / scale, varchar(20) display size",
                      md.getPrecision(4) + " " + md.getScale(4) + " " + md.getColumnDisplaySize(8));
                rs = st.executeQuery("select array[3, null, 5]::int[] as a, array['x', 'y z'] as t");
                rs.next();
                Array a = rs.getArray(1);
                check(Arrays.equals((Object[]) a.getArray(), new Integer[] {3, null, 5})
                          && Arrays.equals((Object[]) rs.getArray(2).getArray(), new String[] {"x", "y z"}),
                      "getArray of int[] and text[]", Arrays.toString((Object[]) a.getArray()));
                rs = st.executeQuery("select * from jt where i = 11");
                rs.next();
                boolean allNull = true;
                for (int i = 2; i <= 14; i++)
                    allNull &= rs.getObject(i) == null;
                check(allNull, "NULLs from setNull come back as null", classes(rs));
            }
        });

        group("batches", () -> {
            try (Statement st = c.createStatement()) {
                st.execute("create table jb (id int, name text)");
            }
            try (PreparedStatement ps = c.prepareStatement("insert into jb values (?, ?)")) {
                for (int i = 1; i <= 50; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "n" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                int sum = 0;
                for (int k : counts)
                    sum += k;
                check(counts.length == 50 && sum == 50, "PreparedStatement addBatch / executeBatch (50 rows)", counts.length);
            }
            try (Statement st = c.createStatement()) {
                st.addBatch("insert into jb values (100, 'x')");
                st.addBatch("update jb set name = 'y' where id <= 2");
                st.addBatch("delete from jb where id = 50");
                int[] counts = st.executeBatch();
                check(Arrays.equals(counts, new int[] {1, 2, 1}), "Statement batch: update counts", Arrays.toString(counts));
            }
            try (PreparedStatement ps = c.prepareStatement("insert into jb values (?, ?)")) {
                ps.setString(1, "not a number");
                ps.setString(2, "x");
                ps.addBatch();
                ps.executeBatch();
                check(false, "a failing batch", "no error");
            } catch (BatchUpdateException e) {
                // setString binds a varchar parameter (stringtype=varchar): no implicit cast to integer
                SQLException next = e.getNextException();
                check("42804".equals(e.getSQLState()) && next != null && next.getMessage().startsWith(
                          "ERROR: column \"id\" is of type integer but expression is of type character varying"),
                      "a failing batch: BatchUpdateException, 42804 for a varchar parameter into an int column",
                      e.getSQLState() + " " + (next == null ? "" : next.getMessage()));
            }
        });

        group("fetch size with autocommit off", () -> {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(7);
                ResultSet rs = st.executeQuery("select g from generate_series(1, 100) g");
                long sum = 0;
                int rows = 0;
                while (rs.next()) {
                    sum += rs.getInt(1);
                    rows++;
                }
                check(rows == 100 && sum == 5050, "setFetchSize(7): portal fetched in Execute row limits", rows + " " + sum);
                rs.close();
            }
            try (PreparedStatement ps = c.prepareStatement("select id, name from jb where id > ? order by id")) {
                ps.setFetchSize(10);
                ps.setInt(1, 5);
                ResultSet rs = ps.executeQuery();
                int rows = 0, last = 0;
                boolean ordered = true;
                while (rs.next()) {
                    ordered &= rs.getInt(1) > last;
                    last = rs.getInt(1);
                    rows++;
                }
                check(rows == 45 && ordered, "PreparedStatement with setFetchSize(10)", rows);
            }
            c.commit();
            try (Statement st = c.createStatement()) { // SQL cursors over the extended protocol
                st.execute("declare jc cursor for select id, name from jb where id <= 5 order by id");
                ResultSet rs = st.executeQuery("fetch 2 from jc");
                List<String> got = new ArrayList<>();
                while (rs.next())
                    got.add(rs.getInt(1) + rs.getString("name"));
                st.execute("move 1 in jc");
                int moved = st.getUpdateCount();
                rs = st.executeQuery("fetch all from jc");
                while (rs.next())
                    got.add(rs.getInt(1) + rs.getString(2));
                check(got.equals(Arrays.asList("1y", "2y", "4n4", "5n5")) && rs.getMetaData().getColumnName(2).equals("name"),
                      "DECLARE / FETCH / MOVE through PreparedStatements (Parse, Describe of FETCH, Execute)", got + " " + moved);
                st.execute("close jc");
            }
            c.commit();
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into jb values (200, 'tx')");
                c.rollback(); // statements commit on their own in tarn: only the protocol is checked here
                ResultSet rs = st.executeQuery("select 1");
                rs.next();
                check(rs.getInt(1) == 1, "commit / rollback with autocommit off", "");
                c.commit();
            }
            expectError(c, "select * from nosuch_in_tx", "42P01", null, "error inside a transaction block");
            expectError(c, "select 1", "25P02", "current transaction is aborted", "25P02 after an error in the block");
            c.rollback();
            try (Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("select 5");
                rs.next();
                check(rs.getInt(1) == 5, "rollback() recovers the session", "");
            }
            c.commit();
            c.setAutoCommit(true);
        });

        group("errors", () -> {
            expectError(c, "select * from nosuch", "42P01", "relation \"nosuch\" does not exist", "42P01 unknown table");
            expectError(c, "select nocol from jt", "42703", "column \"nocol\" does not exist", "42703 unknown column");
            expectError(c, "select 1 / 0", "22012", "division by zero", "22012 division by zero");
            expectError(c, "insert into jt (i) values (null)", "23502",
                        "null value in column \"i\" of relation \"jt\" violates not-null constraint", "23502 NOT NULL");
            expectError(c, "selec 1", "42601", "syntax error at or near \"selec\"", "42601 syntax error");
            try (PreparedStatement ps = c.prepareStatement("select ?::int")) {
                ps.setString(1, "x");
                ps.executeQuery();
                check(false, "22P02 from a bad parameter", "no error");
            } catch (SQLException e) {
                check("22P02".equals(e.getSQLState()), "22P02 from a bad parameter value", e.getSQLState() + " " + e.getMessage());
            }
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(1);
                st.executeQuery("select count(*) from generate_series(1, 10000000000)");
                check(false, "setQueryTimeout cancels", "no error");
            } catch (SQLException e) {
                check("57014".equals(e.getSQLState()), "setQueryTimeout(1): CancelRequest, 57014", e.getSQLState() + " " + e.getMessage());
            }
            try (Statement st = c.createStatement()) { // NoticeResponse -> SQLWarning
                st.execute("drop table if exists nosuch_jdbc");
                java.sql.SQLWarning w = st.getWarnings();
                check(w != null && w.getMessage().equals("table \"nosuch_jdbc\" does not exist, skipping")
                          && "00000".equals(w.getSQLState()) && w.getNextWarning() == null,
                      "a NOTICE becomes an SQLWarning", w == null ? "none" : w.getSQLState() + " " + w.getMessage());
            }
            try (Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("select 'still here'");
                rs.next();
                check(rs.getString(1).equals("still here"), "the connection works after errors and a cancel", "");
            }
        });

        group("DatabaseMetaData", () -> {
            DatabaseMetaData md = c.getMetaData();
            check(md.getDatabaseProductName().equals("PostgreSQL") && md.getDatabaseMajorVersion() == 15,
                  "getDatabaseProductName / getDatabaseMajorVersion", md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
            check(md.getDriverName().equals("PostgreSQL JDBC Driver"), "getDriverName", md.getDriverName());
        });
        metadata(c, "getSchemas", () -> {
            ResultSet rs = c.getMetaData().getSchemas();
            List<String> s = new ArrayList<>();
            while (rs.next())
                s.add(rs.getString("TABLE_SCHEM"));
            check(s.contains("public") && s.contains("information_schema") && s.contains("pg_catalog"),
                  "metadata: getSchemas lists public, information_schema, pg_catalog", s);
        });
        metadata(c, "getTables", () -> {
            ResultSet rs = c.getMetaData().getTables(null, "public", "j%", new String[] {"TABLE"});
            List<String> t = new ArrayList<>();
            while (rs.next())
                t.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            check(t.equals(Arrays.asList("public.jb:TABLE", "public.jt:TABLE")), "metadata: getTables(public, j%, TABLE)", t);
        });
        metadata(c, "getTables views", () -> {
            try (Statement st = c.createStatement()) {
                st.execute("create or replace view jv as select id from jb");
            }
            ResultSet rs = c.getMetaData().getTables(null, null, "jv", null);
            check(rs.next() && rs.getString("TABLE_TYPE").equals("VIEW") && !rs.next(), "metadata: getTables of a view", "");
        });
        metadata(c, "getColumns", () -> {
            ResultSet rs = c.getMetaData().getColumns(null, "public", "jt", null);
            List<String> cols = new ArrayList<>();
            while (rs.next())
                cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE") + ":"
                         + rs.getInt("COLUMN_SIZE") + ":" + rs.getString("IS_NULLABLE") + ":" + rs.getInt("ORDINAL_POSITION"));
            check(cols.size() == 14 && cols.get(0).equals("i:int4:4:10:NO:1") && cols.get(3).equals("n:numeric:2:10:YES:4")
                      && cols.get(7).equals("v:varchar:12:20:YES:8") && cols.get(13).startsWith("a:_int4:2003:"),
                  "metadata: getColumns(public, jt): names, types, sizes, nullability, positions", cols);
        });
        metadata(c, "getPrimaryKeys", () -> {
            ResultSet rs = c.getMetaData().getPrimaryKeys(null, "public", "jt");
            check(!rs.next(), "metadata: getPrimaryKeys of a table without one is empty", "");
        });

        try (Statement st = c.createStatement()) {
            st.execute("drop view if exists jv");
            st.execute("drop table jt");
            st.execute("drop table jb");
        }
        c.close();
        check(c.isClosed(), "close", "");
        System.out.println("jdbc_test: " + n + " tests, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    /* A DatabaseMetaData check: these run the driver's pg_catalog /
     * information_schema queries; an exception names the check. */
    static void metadata(Connection c, String name, Body b) {
        try {
            b.run();
        } catch (Exception e) {
            check(false, "metadata: " + name, e.getClass().getName() + ": " + e.getMessage());
            try {
                if (!c.getAutoCommit())
                    c.rollback();
            } catch (SQLException ignored) {
                // the next check reports a broken connection
            }
        }
    }
}

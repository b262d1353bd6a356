/* test_json.c - the JSON parser, the NDJSON reader (inference, errors) and writer. */
#include <math.h>

#include "../test.h"
#include "format/json/json.h"
#include "format/json/json_parse.h"
#include "vector/format.h"

/* Parses text; returns the tree re-serialised, or "ERR: message". */
static const char *reparse(const char *text, size_t len)
{
    static char out[8192];
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    JsonNode *n = NULL;
    if (json_parse(&a, text, len, &n, &err)) {
        snprintf(out, sizeof out, "ERR: %s", err.message);
    } else {
        Buf b;
        buf_init(&b);
        if (json_write_node(n, &b) || buf_terminate(&b))
            TFAIL("json_write_node");
        snprintf(out, sizeof out, "%s", (char *)b.data);
        buf_free(&b);
    }
    arena_free(&a);
    return out;
}

#define RP(s) reparse((s), strlen(s))

TEST(json_parse_values)
{
    ASSERT_EQ_STR(RP("null"), "null");
    ASSERT_EQ_STR(RP(" true "), "true");
    ASSERT_EQ_STR(RP("false"), "false");
    ASSERT_EQ_STR(RP("[1, -2, 3.5, \"x\", {}, []]"), "[1,-2,3.5,\"x\",{},[]]");
    ASSERT_EQ_STR(RP("{\"a\" : {\"b\" : [null]} , \"c\":1}"), "{\"a\":{\"b\":[null]},\"c\":1}");
    ASSERT_EQ_STR(RP("\"\""), "\"\"");
    ASSERT_EQ_STR(RP("\n\t\r [ ] \n"), "[]");
}

TEST(json_parse_numbers_exact)
{
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    JsonNode *n;
    ASSERT_OK(json_parse(&a, "9223372036854775807", 19, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_INT);
    ASSERT_EQ_INT(n->u.i, INT64_MAX);
    ASSERT_OK(json_parse(&a, "-9223372036854775808", 20, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_INT);
    ASSERT_EQ_INT(n->u.i, INT64_MIN);
    ASSERT_OK(json_parse(&a, "9223372036854775808", 19, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_DOUBLE);
    ASSERT_EQ_DBL(n->u.d, 9223372036854775808.0);
    ASSERT_OK(json_parse(&a, "-9223372036854775809", 20, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_DOUBLE);
    ASSERT_OK(json_parse(&a, "123456789012345678901234567890", 30, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_DOUBLE);
    ASSERT_EQ_DBL(n->u.d, 1.2345678901234568e29);
    ASSERT_OK(json_parse(&a, "1.0", 3, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_DOUBLE);
    ASSERT_OK(json_parse(&a, "1e2", 3, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_DOUBLE);
    ASSERT_EQ_DBL(n->u.d, 100);
    ASSERT_OK(json_parse(&a, "-0", 2, &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_INT);
    ASSERT_EQ_INT(n->u.i, 0);
    ASSERT_OK(json_parse(&a, "0.1", 3, &n, &err), &err);
    ASSERT_EQ_DBL(n->u.d, 0.1);
    ASSERT_OK(json_parse(&a, "1e400", 5, &n, &err), &err);
    ASSERT(isinf(n->u.d));
    ASSERT_OK(json_parse(&a, "-1E-400", 7, &n, &err), &err);
    ASSERT(n->u.d == 0);
    ASSERT_OK(json_parse(&a, "[1.7976931348623157e308, 5e-324]", 32, &n, &err), &err);
    ASSERT_EQ_DBL(n->u.items[0].u.d, 1.7976931348623157e308);
    ASSERT_EQ_DBL(n->u.items[1].u.d, 5e-324);
    arena_free(&a);
}

TEST(json_parse_string_escapes)
{
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    JsonNode *n;
    const char *s = "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20ac \\ud83d\\ude00 \\u0000z\"";
    ASSERT_OK(json_parse(&a, s, strlen(s), &n, &err), &err);
    ASSERT_EQ_INT(n->type, JSON_STRING);
    const char expect[] = "q\" b\\ s/ \b\f\n\r\t A\xc3\xa9\xe2\x82\xac \xf0\x9f\x98\x80 \0z";
    ASSERT_EQ_INT(n->len, sizeof expect - 1);
    ASSERT_EQ_MEM(n->u.str, expect, sizeof expect - 1);
    ASSERT_EQ_INT(n->u.str[n->len], '\0');
    /* raw UTF-8 passes through */
    ASSERT_OK(json_parse(&a, "\"h\xc3\xa9\xf0\x9f\x98\x80\"", 9, &n, &err), &err);
    ASSERT_EQ_INT(n->len, 7);
    /* Upper-case hex. */
    ASSERT_OK(json_parse(&a, "\"\\u00C9\"", 8, &n, &err), &err);
    ASSERT_EQ_STR(n->u.str, "\xc3\x89");
    /* Keys are unescaped too; lookup finds the last duplicate. */
    const char *o = "{\"k\\u0041\":1,\"x\":2,\"kA\":3}";
    ASSERT_OK(json_parse(&a, o, strlen(o), &n, &err), &err);
    ASSERT_EQ_STR(n->u.members[0].key, "kA");
    const JsonNode *v = json_object_get(n, "kA", 2);
    ASSERT(v && v->u.i == 3);
    ASSERT(json_object_get(n, "nope", 4) == NULL);
    ASSERT(json_object_get(v, "x", 1) == NULL);
    /* raw spans */
    ASSERT_EQ_INT(n->u.members[1].value.raw_len, 1);
    ASSERT_EQ_INT(n->u.members[1].value.raw[0], '2');
    arena_free(&a);
}

TEST(json_parse_errors_with_position)
{
    ASSERT_EQ_STR(RP(""), "ERR: invalid JSON at line 1, column 1: unexpected end of input, "
                          "expected a JSON value");
    ASSERT_EQ_STR(RP("[1,\n 2,\n x]"), "ERR: invalid JSON at line 3, column 2: unexpected "
                                       "character 'x', expected a JSON value");
    ASSERT_EQ_STR(RP("{\"a\" 1}"), "ERR: invalid JSON at line 1, column 6: unexpected "
                                   "character '1', expected ':'");
    ASSERT_EQ_STR(RP("\"abc"), "ERR: invalid JSON at line 1, column 1: unterminated string");
    ASSERT_EQ_STR(RP("\"\\ud800\""), "ERR: invalid JSON at line 1, column 2: high surrogate "
                                     "\\ud800 without a low surrogate");
    ASSERT_EQ_STR(RP("\"\\ud800\\u0041\""), "ERR: invalid JSON at line 1, column 8: \\u0041 is "
                                            "not a low surrogate");
    ASSERT_EQ_STR(RP("\"\\udc00\""), "ERR: invalid JSON at line 1, column 2: low surrogate "
                                     "\\udc00 without a high surrogate");
    ASSERT_EQ_STR(RP("\"\\u12g4\""), "ERR: invalid JSON at line 1, column 6: invalid hex digit "
                                     "in \\u escape");
    ASSERT_EQ_STR(RP("\"\\u12"), "ERR: invalid JSON at line 1, column 4: incomplete \\u escape");
    ASSERT_EQ_STR(RP("\"\\q\""), "ERR: invalid JSON at line 1, column 2: invalid escape sequence");
    ASSERT_EQ_STR(RP("\"a\tb\""), "ERR: invalid JSON at line 1, column 3: control character 0x09 "
                                  "must be escaped in a string");
    ASSERT_EQ_STR(RP("\"\xff\""), "ERR: invalid JSON at line 1, column 2: invalid UTF-8 in string");
    ASSERT_EQ_STR(RP("\"\xc0\xaf\""), "ERR: invalid JSON at line 1, column 2: invalid UTF-8 in string");
    ASSERT_EQ_STR(RP("01"), "ERR: invalid JSON at line 1, column 2: unexpected character '1', "
                            "expected end of input after the JSON value");
    ASSERT_EQ_STR(RP("1."), "ERR: invalid JSON at line 1, column 3: unexpected end of input, "
                            "expected a digit after the decimal point");
    ASSERT_EQ_STR(RP("1e+"), "ERR: invalid JSON at line 1, column 4: unexpected end of input, "
                             "expected a digit in the exponent");
    ASSERT_EQ_STR(RP("-"), "ERR: invalid JSON at line 1, column 2: unexpected end of input, "
                           "expected a digit");
    ASSERT_EQ_STR(RP("[1,]"), "ERR: invalid JSON at line 1, column 4: unexpected character ']', "
                              "expected a JSON value");
    ASSERT_EQ_STR(RP("{\"a\":1,}"), "ERR: invalid JSON at line 1, column 8: unexpected "
                                    "character '}', expected a string key");
    ASSERT_EQ_STR(RP("{1:2}"), "ERR: invalid JSON at line 1, column 2: unexpected character "
                               "'1', expected a string key");
    ASSERT_EQ_STR(RP("[1 2]"), "ERR: invalid JSON at line 1, column 4: unexpected character "
                               "'2', expected ',' or ']'");
    ASSERT_EQ_STR(RP("tru"), "ERR: invalid JSON at line 1, column 1: unexpected character 't', "
                             "expected a JSON value");
    ASSERT_EQ_STR(RP("nul"), "ERR: invalid JSON at line 1, column 1: unexpected character 'n', "
                             "expected a JSON value");
    ASSERT_EQ_STR(RP("NaN"), "ERR: invalid JSON at line 1, column 1: unexpected character 'N', "
                             "expected a JSON value");
    ASSERT_EQ_STR(RP("[\x01]"), "ERR: invalid JSON at line 1, column 2: unexpected byte 0x01, "
                                "expected a JSON value");
    ASSERT_EQ_STR(RP("{\"a\":1"), "ERR: invalid JSON at line 1, column 7: unexpected end of "
                                  "input, expected ',' or '}'");
    /* json_parse_at numbers lines from the caller's line. */
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    JsonNode *n;
    ASSERT(json_parse_at(&a, "{\n]", 3, 41, &n, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "at line 42, column 1");
    ASSERT_EQ_INT(err.kind, TARN_ERR_CORRUPT);
    ASSERT_EQ_STR(err.sqlstate, "22P02");
    arena_free(&a);
}

TEST(json_parse_every_truncation_fails_cleanly)
{
    const char *doc = "{\"a\":[1,-2.5e+3,true,false,null,\"s\\u00e9\\ud83d\\ude00\\n\"],"
                      "\"b\":{\"c\":{}},\"d\":[]}";
    size_t n = strlen(doc);
    ASSERT(strncmp(RP(doc), "ERR", 3) != 0);
    for (size_t len = 0; len < n; len++) {
        const char *r = reparse(doc, len);
        if (strncmp(r, "ERR: invalid JSON at line 1, column ", 36) != 0)
            TFAIL("prefix of %zu bytes: %s", len, r);
    }
    /* every single-byte corruption gives a value or a clean error */
    char buf[256];
    for (size_t pos = 0; pos < n; pos++) {
        for (int c = 0; c < 256; c += 7) {
            memcpy(buf, doc, n);
            buf[pos] = (char)c;
            const char *r = reparse(buf, n);
            ASSERT(r[0] != '\0');
        }
    }
}

TEST(json_parse_depth_limit)
{
    char buf[2000];
    for (int depth = 255; depth <= 258; depth++) {
        int n = 0;
        for (int i = 0; i < depth; i++)
            buf[n++] = i % 2 ? '[' : '[';
        for (int i = 0; i < depth; i++)
            buf[n++] = ']';
        const char *r = reparse(buf, (size_t)n);
        if (depth <= JSON_MAX_DEPTH)
            ASSERT(strncmp(r, "ERR", 3) != 0);
        else
            ASSERT(strstr(r, "nesting deeper than 256 levels") != NULL);
    }
    /* objects count too; a hostile 100000-deep input fails without a crash */
    int n = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(buf + n, "{\"a\":", 5);
        n += 5;
    }
    ASSERT(strstr(reparse(buf, (size_t)n), "nesting deeper") != NULL);
    char *deep = malloc(100000);
    ASSERT(deep);
    memset(deep, '[', 100000);
    ASSERT(strstr(reparse(deep, 100000), "nesting deeper") != NULL);
    free(deep);
}

/* ---- NDJSON ----------------------------------------------------------------- */

static const char *write_file(const char *name, const char *data, size_t n)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", test_tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        TFAIL("cannot create %s", path);
    if (n && fwrite(data, 1, n, f) != n)
        TFAIL("cannot write %s", path);
    fclose(f);
    return path;
}

/* Reads NDJSON text; returns "name type|name type\n" + rows as NDJSON. */
static char *read_nd(const char *data, const JsonReadOptions *o, TarnError *err)
{
    const char *path = write_file("in.json", data, strlen(data));
    JsonReader *r = json_reader_open(path, o, err);
    if (!r)
        return NULL;
    const Schema *s = json_reader_schema(r);
    Buf out;
    buf_init(&out);
    for (uint32_t i = 0; i < s->n_fields; i++) {
        char name[256];
        buf_printf(&out, "%s%s %s", i ? "|" : "", s->fields[i].name,
                   type_name(&s->fields[i].type, name, sizeof name));
    }
    buf_append_byte(&out, '\n');
    Batch b;
    if (batch_init(&b, s))
        TFAIL("batch_init");
    int rc;
    for (;;) {
        rc = json_reader_next(r, &b, err);
        if (rc || b.n_rows == 0)
            break;
        if (json_write_batch(&b, &out))
            TFAIL("json_write_batch");
    }
    batch_destroy(&b);
    json_reader_close(r);
    if (rc) {
        buf_free(&out);
        return NULL;
    }
    buf_terminate(&out);
    return (char *)out.data;
}

#define EXPECT_ND(input, opts, expected)                                      \
    do {                                                                      \
        TarnError e_ = {0};                                                   \
        char *got_ = read_nd((input), (opts), &e_);                           \
        if (!got_)                                                            \
            TFAIL("read failed: %s | %s", e_.message, e_.context);            \
        ASSERT_EQ_STR(got_, (expected));                                      \
        free(got_);                                                           \
    } while (0)

#define EXPECT_ND_ERR(input, opts, want_kind, frag)                           \
    do {                                                                      \
        TarnError e_ = {0};                                                   \
        char *got_ = read_nd((input), (opts), &e_);                           \
        if (got_)                                                             \
            TFAIL("expected an error, got:\n%s", got_);                       \
        ASSERT_EQ_INT(e_.kind, (want_kind));                                  \
        ASSERT_ERR_CONTAINS(&e_, (frag));                                     \
    } while (0)

TEST(ndjson_scalar_inference)
{
    EXPECT_ND("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":1.5}\n{\"a\":2,\"d\":2,\"e\":null}\n", NULL,
              "a bigint|b text|c boolean|d double precision|e text\n"
              "{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":1.5,\"e\":null}\n"
              "{\"a\":2,\"b\":null,\"c\":null,\"d\":2,\"e\":null}\n");
    /* Mixed scalars become text holding the JSON text. */
    EXPECT_ND("{\"m\":1}\n{\"m\":\"two\"}\n{\"m\":false}\n{\"m\":2.50}\n", NULL,
              "m text\n{\"m\":\"1\"}\n{\"m\":\"two\"}\n{\"m\":\"false\"}\n{\"m\":\"2.50\"}\n");
    /* Dates and timestamps are recognised when every string parses. */
    EXPECT_ND("{\"d\":\"2024-01-02\",\"t\":\"2024-01-02T03:04:05\",\"z\":\"2024-01-02T03:04:05Z\","
              "\"s\":\"2024-01-02\"}\n"
              "{\"d\":\"1999-12-31\",\"t\":\"2024-01-02 03:04:05.5\",\"z\":\"2024-01-02 03:04:05\","
              "\"s\":\"soon\"}\n",
              NULL,
              "d date|t timestamp|z timestamptz|s text\n"
              "{\"d\":\"2024-01-02\",\"t\":\"2024-01-02 03:04:05\",\"z\":\"2024-01-02 03:04:05+00\","
              "\"s\":\"2024-01-02\"}\n"
              "{\"d\":\"1999-12-31\",\"t\":\"2024-01-02 03:04:05.5\",\"z\":\"2024-01-02 03:04:05+00\","
              "\"s\":\"soon\"}\n");
    /* NaN/Infinity strings join numbers as doubles (the writer prints them so). */
    EXPECT_ND("{\"x\":1}\n{\"x\":\"NaN\"}\n{\"x\":\"-Infinity\"}\n{\"y\":\"NaN\"}\n", NULL,
              "x double precision|y text\n{\"x\":1,\"y\":null}\n{\"x\":\"NaN\",\"y\":null}\n"
              "{\"x\":\"-Infinity\",\"y\":null}\n{\"x\":null,\"y\":\"NaN\"}\n");
    /* Big integers beyond int64 make the field a double. */
    EXPECT_ND("{\"n\":9223372036854775807}\n{\"n\":18446744073709551615}\n", NULL,
              "n double precision\n{\"n\":9.223372036854776e+18}\n{\"n\":1.8446744073709552e+19}\n");
    EXPECT_ND("{\"n\":-9223372036854775808}\n", NULL, "n bigint\n{\"n\":-9223372036854775808}\n");
}

TEST(ndjson_nested_inference)
{
    EXPECT_ND("{\"id\":1,\"user\":{\"name\":\"a\",\"tags\":[\"x\",\"y\"]},\"pts\":[1,2.5]}\n"
              "{\"id\":2,\"user\":{\"age\":30},\"pts\":[]}\n"
              "{\"id\":3,\"user\":null,\"pts\":null}\n",
              NULL,
              "id bigint|user struct(name text, tags text[], age bigint)|pts double precision[]\n"
              "{\"id\":1,\"user\":{\"name\":\"a\",\"tags\":[\"x\",\"y\"],\"age\":null},"
              "\"pts\":[1,2.5]}\n"
              "{\"id\":2,\"user\":{\"name\":null,\"tags\":null,\"age\":30},\"pts\":[]}\n"
              "{\"id\":3,\"user\":null,\"pts\":null}\n");
    /* Lists of objects, lists of lists. */
    EXPECT_ND("{\"l\":[{\"a\":1},{\"b\":\"x\"}],\"ll\":[[1],[2,3],[]]}\n", NULL,
              "l struct(a bigint, b text)[]|ll bigint[][]\n"
              "{\"l\":[{\"a\":1,\"b\":null},{\"a\":null,\"b\":\"x\"}],\"ll\":[[1],[2,3],[]]}\n");
    /* Objects mixed with scalars, and {} alone, are json. */
    EXPECT_ND("{\"j\":{\"a\":1},\"e\":{}}\n{\"j\":5,\"e\":{}}\n", NULL,
              "j json|e json\n{\"j\":{\"a\":1},\"e\":{}}\n{\"j\":5,\"e\":{}}\n");
    /* Only empty arrays: a list of text. */
    EXPECT_ND("{\"l\":[]}\n", NULL, "l text[]\n{\"l\":[]}\n");
}

TEST(ndjson_lines_and_blanks)
{
    EXPECT_ND("\xEF\xBB\xBF{\"a\":1}\r\n\r\n  \n{\"a\":2}", NULL, "a bigint\n{\"a\":1}\n{\"a\":2}\n");
    EXPECT_ND("", NULL, "\n");
    EXPECT_ND("\n \n", NULL, "\n");
    /* Duplicate keys: the last wins. */
    EXPECT_ND("{\"a\":1,\"a\":2}\n", NULL, "a bigint\n{\"a\":2}\n");
    /* Keys with escapes and odd characters survive. */
    EXPECT_ND("{\"a\\\"b\":1,\"\xc3\xa9\":2}\n", NULL,
              "a\"b bigint|\xc3\xa9 bigint\n{\"a\\\"b\":1,\"\xc3\xa9\":2}\n");
}

TEST(ndjson_errors)
{
    EXPECT_ND_ERR("{\"a\":1}\n[1]\n", NULL, TARN_ERR_CORRUPT, "line 2 is not a JSON object");
    EXPECT_ND_ERR("{\"a\":1}\n\n{\"a\":}\n", NULL, TARN_ERR_CORRUPT,
                  "invalid JSON at line 3, column 6");
    JsonReadOptions o;
    json_read_options_default(&o);
    o.sample_rows = 2;
    /* After the sample: a type mismatch, a nested one, an unknown key. */
    EXPECT_ND_ERR("{\"a\":1}\n{\"a\":2}\n{\"a\":\"x\"}\n", &o, TARN_ERR_TYPE,
                  "line 3, field \"a\": string \"x\" does not fit type bigint");
    EXPECT_ND_ERR("{\"s\":{\"t\":[1]}}\n{\"s\":{\"t\":[2]}}\n{\"s\":{\"t\":[3,true]}}\n", &o,
                  TARN_ERR_TYPE, "line 3, field \"s.t[]\": boolean true does not fit type bigint");
    EXPECT_ND_ERR("{\"s\":{\"t\":1}}\n{\"s\":{}}\n{\"s\":{\"u\":1}}\n", &o, TARN_ERR_TYPE,
                  "line 3: field \"s.u\" is not in the inferred schema");
    EXPECT_ND_ERR("{\"a\":1}\n{\"a\":2}\n{\"b\":1}\n", &o, TARN_ERR_TYPE,
                  "line 3: field \"b\" is not in the inferred schema");
    EXPECT_ND_ERR("{\"d\":\"2024-01-01\"}\n{\"d\":\"2024-01-02\"}\n{\"d\":\"2024-02-30\"}\n", &o,
                  TARN_ERR_TYPE, "string \"2024-02-30\" does not fit type date");
    EXPECT_ND_ERR("{\"a\":1}\n{\"a\":2}\n{\"a\":1.5}\n", &o, TARN_ERR_TYPE, "number 1.5");
    EXPECT_ND_ERR("{\"a\":1}\n{\"a\":2}\n{\"a\":[1]}\n", &o, TARN_ERR_TYPE, "array [1]");
    EXPECT_ND_ERR("{\"a\":1}\n{\"a\":2}\n{\"a\":1", &o, TARN_ERR_CORRUPT, "line 3");
    TarnError err = {0};
    JsonReader *r = json_reader_open("/nonexistent.json", NULL, &err);
    ASSERT(!r);
    ASSERT_EQ_INT(err.kind, TARN_ERR_NOT_FOUND);
}

TEST(ndjson_round_trip_many_rows)
{
    /* 50k rows across many batches and several 1 MiB blocks. */
    Buf in;
    buf_init(&in);
    for (int i = 0; i < 50000; i++)
        buf_printf(&in, "{\"id\":%d,\"name\":\"n%d\\n\\\"x\\\"\",\"v\":%d.5,\"ok\":%s,"
                        "\"tags\":[\"t%d\",null],\"at\":\"2024-01-01 00:00:%02d\"}\n",
                   i, i, i, i % 2 ? "true" : "false", i % 3, i % 60);
    buf_terminate(&in);
    TarnError err = {0};
    char *got = read_nd((char *)in.data, NULL, &err);
    ASSERT_NOT_NULL(got, &err);
    const char *types = "id bigint|name text|v double precision|ok boolean|tags text[]|at timestamp\n";
    ASSERT(strncmp(got, types, strlen(types)) == 0);
    /* The writer prints what was read: the same text except timestamps. */
    const char *first = got + strlen(types);
    const char *row0 = "{\"id\":0,\"name\":\"n0\\n\\\"x\\\"\",\"v\":0.5,\"ok\":false,"
                       "\"tags\":[\"t0\",null],\"at\":\"2024-01-01 00:00:00\"}\n";
    ASSERT(strncmp(first, row0, strlen(row0)) == 0);
    /* Reading the output again gives the same output. */
    char *again = read_nd(got + strlen(types), NULL, &err);
    ASSERT_NOT_NULL(again, &err);
    ASSERT_EQ_STR(again, got);
    free(again);
    free(got);
    buf_free(&in);
}

TEST(ndjson_writer_types)
{
    Schema s;
    schema_init(&s);
    schema_add(&s, "k\"ey", type_simple(TYPE_STRING), true);
    schema_add(&s, "d", type_decimal(5, 2), true);
    schema_add(&s, "b", type_simple(TYPE_BLOB), true);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    vec_append_str(&b.cols[0], "bad\xff", 4);
    vec_append_i64(&b.cols[1], -5);
    vec_append_str(&b.cols[2], "\x01", 1);
    vec_append_null(&b.cols[0]);
    vec_append_null(&b.cols[1]);
    vec_append_null(&b.cols[2]);
    b.n_rows = 2;
    Buf out;
    buf_init(&out);
    ASSERT_EQ_INT(batch_print_json(&b, &out), 0);
    buf_terminate(&out);
    ASSERT_EQ_STR((char *)out.data, "{\"k\\\"ey\":\"bad\\ufffd\",\"d\":-0.05,\"b\":\"\\\\x01\"}\n"
                                    "{\"k\\\"ey\":null,\"d\":null,\"b\":null}\n");
    buf_free(&out);
    batch_destroy(&b);
    schema_destroy(&s);
}

TEST(ndjson_hostile_inputs)
{
    const char *seed = "{\"a\":1,\"b\":[{\"c\":\"x\\u00e9\"}],\"d\":null}\n{\"a\":2.5,\"b\":[]}\n";
    size_t n = strlen(seed);
    char buf[256];
    uint64_t x = 7;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, seed, n);
        size_t len = n;
        for (int m = 0; m < 1 + iter % 3; m++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            size_t pos = (size_t)(x >> 33) % len;
            const char pick[] = "{}[]\",:\n\\0e-";
            buf[pos] = (x >> 20) & 1 ? pick[(x >> 40) % (sizeof pick - 1)] : (char)(x >> 48);
        }
        buf[len] = '\0';
        TarnError err = {0};
        JsonReadOptions o;
        json_read_options_default(&o);
        o.sample_rows = 1 + iter % 2;
        /* read_nd uses strlen: embedded NULs just shorten the input */
        char *got = read_nd(buf, &o, &err);
        if (got)
            free(got);
        else
            ASSERT(err.kind != 0 && err.message[0]);
    }
}

static int read_nd_tolerant(const char *path, Buf *out, TarnError *err)
{
    JsonReader *r = json_reader_open(path, NULL, err);
    if (!r)
        return err->kind;
    int rc = 0;
    Batch b;
    if (batch_init(&b, json_reader_schema(r))) {
        json_reader_close(r);
        return TARN_ERR_NOMEM;
    }
    while (!rc) {
        if ((rc = json_reader_next(r, &b, err)) || b.n_rows == 0)
            break;
        rc = json_write_batch(&b, out);
    }
    batch_destroy(&b);
    json_reader_close(r);
    return rc;
}

TEST(ndjson_allocation_failures)
{
    const char *in = "{\"id\":1,\"u\":{\"n\":\"a\\\"\",\"t\":[\"x\",null]},\"d\":\"2024-01-01\"}\n"
                     "{\"id\":2,\"u\":null,\"d\":null}\n"
                     "{\"id\":3,\"u\":{\"n\":null,\"t\":[]},\"d\":\"1999-12-31\"}\n";
    const char *expect = "{\"id\":1,\"u\":{\"n\":\"a\\\"\",\"t\":[\"x\",null]},\"d\":\"2024-01-01\"}\n"
                         "{\"id\":2,\"u\":null,\"d\":null}\n"
                         "{\"id\":3,\"u\":{\"n\":null,\"t\":[]},\"d\":\"1999-12-31\"}\n";
    const char *p = write_file("oom.json", in, strlen(in));
    int n;
    for (n = 1; n < 5000; n++) {
        Buf out;
        buf_init(&out);
        TarnError err = {0};
        mem_fail_after(n);
        int rc = read_nd_tolerant(p, &out, &err);
        mem_fail_after(0);
        if (rc == 0) {
            buf_terminate(&out);
            ASSERT_EQ_STR((char *)out.data, expect);
            buf_free(&out);
            break;
        }
        if (rc != TARN_ERR_NOMEM)
            TFAIL("allocation %d: rc %d (%s), expected out of memory", n, rc, err.message);
        buf_free(&out);
    }
    ASSERT(n > 3 && n < 5000);
}

TEST(json_parse_allocation_failures)
{
    const char *doc = "{\"a\":[1,2,{\"b\":\"x\\u00e9\"}],\"c\":\"plain\",\"d\":{\"e\":[[],[null]]}}";
    int n;
    for (n = 1; n < 2000; n++) {
        Arena a;
        arena_init(&a, 64); /* small chunks: more allocations to fail */
        TarnError err = {0};
        JsonNode *root = NULL;
        mem_fail_after(n);
        int rc = json_parse(&a, doc, strlen(doc), &root, &err);
        mem_fail_after(0);
        if (rc == 0) {
            Buf b;
            buf_init(&b);
            ASSERT_EQ_INT(json_write_node(root, &b), 0);
            buf_terminate(&b);
            ASSERT_EQ_STR((char *)b.data, "{\"a\":[1,2,{\"b\":\"x\xc3\xa9\"}],\"c\":\"plain\","
                                          "\"d\":{\"e\":[[],[null]]}}");
            buf_free(&b);
            arena_free(&a);
            break;
        }
        ASSERT_EQ_INT(rc, TARN_ERR_NOMEM);
        arena_free(&a);
    }
    ASSERT(n > 1 && n < 2000);
}

/* Regression (found by fuzz_json): a double that prints without a fraction
 * (-0.0 from an underflowing literal, 5.0) must be written so that it reads
 * back as the same double, not as an integer. */
TEST(json_write_keeps_doubles_double)
{
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    JsonNode *n = NULL;
    const char *src = "[1, -2.5e-390, 5.0, 1e20]";
    ASSERT_OK(json_parse(&a, src, strlen(src), &n, &err), &err);
    Buf w;
    buf_init(&w);
    ASSERT_EQ_INT(json_write_node(n, &w), 0);
    ASSERT_EQ_INT(buf_terminate(&w), 0);
    ASSERT_EQ_STR((char *)w.data, "[1,-0.0,5.0,1e+20]");
    JsonNode *n2 = NULL;
    ASSERT_OK(json_parse(&a, (char *)w.data, w.len, &n2, &err), &err);
    ASSERT_EQ_INT(n2->u.items[1].type, JSON_DOUBLE);
    ASSERT(signbit(n2->u.items[1].u.d));
    buf_free(&w);
    arena_free(&a);
}

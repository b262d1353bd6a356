/*
 * test_ingest_decode.c - the ingest JSON decoder: integers at the edges of
 * int64 / uint64, and its timestamp fast path
 * (ingest_parse_iso_timestamp) agrees with the general parser
 * (dt_parse_timestamp) on every string it accepts, and refuses the forms
 * it does not handle.
 */
#include "../test.h"

#include "ingest/decode.h"
#include "util/datetime.h"

static void check_same(const char *s)
{
    int64_t fast = 0, slow = 0;
    bool ok = ingest_parse_iso_timestamp(s, strlen(s), &fast);
    bool sok = dt_parse_timestamp(s, strlen(s), &slow, NULL);
    if (ok) {
        if (!sok || fast != slow) {
            fprintf(stderr, "  \"%s\": fast %" PRId64 ", general %s %" PRId64 "\n", s, fast, sok ? "ok" : "refused",
                    slow);
            test_fail_exit();
        }
    }
}

TEST(ingest_iso_timestamp_fast_path)
{
    static const char *const accepted[] = {
        "2026-11-21T10:05:03.123Z", "2026-11-21T10:05:03Z", "2026-11-21 10:05:03", "2026-11-21T10:05:03.1Z",
        "2026-11-21T10:05:03.123456Z", "2026-11-21T10:05:03.000001", "2024-02-29T23:59:59.999999Z",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z",
        "2000-02-29 12:00:00.05",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        int64_t us;
        if (!ingest_parse_iso_timestamp(accepted[i], strlen(accepted[i]), &us)) {
            fprintf(stderr, "  fast path refused \"%s\"\n", accepted[i]);
            test_fail_exit();
        }
        check_same(accepted[i]);
    }
    int64_t us;
    ASSERT(ingest_parse_iso_timestamp("1970-01-01T00:00:01.5Z", 22, &us));
    ASSERT_EQ_INT(us, 1500000);
    static const char *const refused[] = {
        "2023-02-29T00:00:00Z",      /* not a day */
        "2026-13-01T00:00:00Z",      "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-11-21T24:00:00Z",      /* the general parser's business */
        "2026-11-21T10:60:00Z",      "2026-11-21T10:00:60Z", "0000-01-01T00:00:00Z",
        "2026-11-21T10:05:03.1234567Z", /* rounding: general parser */
        "2026-11-21T10:05:03.Z",     "2026-11-21T10:05:03+00:00", "2026-11-21T10:05:03+02", "2026-11-21T10:05",
        "2026-11-21",                "2026-11-21T10:05:03 BC", "2026-11-21x10:05:03", "20261121T100503",
        "2026-11-21T10:05:03z",      "2026-1-21T10:05:03Z", " 2026-11-21T10:05:03Z", "2026-11-21T10:05:03ZZ",
        "2026-11-21T1a:05:03Z",      "",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (ingest_parse_iso_timestamp(refused[i], strlen(refused[i]), &us)) {
            fprintf(stderr, "  fast path accepted \"%s\"\n", refused[i]);
            test_fail_exit();
        }
    }
    /* a sweep of generated values: every one the fast path takes agrees */
    char buf[64];
    uint64_t h = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        int y = (int)(h % 10000), mo = (int)((h >> 14) % 14), d = (int)((h >> 18) % 33), hh = (int)((h >> 24) % 25);
        int mi = (int)((h >> 30) % 61), ss = (int)((h >> 36) % 61), fd = (int)((h >> 42) % 8);
        int len = snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", y, mo, d, (h >> 45) & 1 ? 'T' : ' ',
                           hh, mi, ss);
        if (fd) {
            buf[len++] = '.';
            for (int k = 0; k < fd; k++)
                buf[len++] = (char)('0' + (h >> (48 + k)) % 10);
        }
        if ((h >> 60) & 1)
            buf[len++] = 'Z';
        buf[len] = '\0';
        check_same(buf);
    }
}

/* JSON integers: the first 19 digits are taken without an overflow test
 * (they cannot overflow); the edges of int64 and uint64 around it.  Column
 * "a" gets only int64 values (stays bigint, exact); column "b" gets the
 * numbers past int64, which make it double precision. */
TEST(ingest_json_integer_edges)
{
    char lake[512];
    snprintf(lake, sizeof lake, "%s/ingest_int_edges", test_tmp_dir());
    IngestSinkOptions so = {.lake = lake, .schema = "public", .table = "t", .operation = "WRITE"};
    TarnError err = {0};
    IngestSink *s = ingest_sink_open(&so, &err);
    ASSERT_OK(s != NULL ? 0 : err.kind, &err);
    IngestDecoderOptions dop = {.format = INGEST_JSON};
    IngestDecoder *d = ingest_decoder_new(s, &dop, &err);
    ASSERT_OK(d != NULL ? 0 : err.kind, &err);
    static const struct {
        const char *json;
        int rc;          /* 0 appended, 1 bad record */
        int64_t a;       /* the row's "a" when it has one */
        const char *b;   /* the row's "b" text when it has one */
    } cases[] = {
        {"{\"a\":0}", 0, 0, NULL},
        {"{\"a\":1234567890123456789}", 0, 1234567890123456789LL, NULL},         /* 19 digits */
        {"{\"a\":-1234567890123456789}", 0, -1234567890123456789LL, NULL},
        {"{\"a\":9223372036854775807}", 0, INT64_MAX, NULL},
        {"{\"a\":-9223372036854775808}", 0, INT64_MIN, NULL},
        {"{\"a\":1000000000000000000}", 0, 1000000000000000000LL, NULL},
        {"{\"b\":9223372036854775808}", 0, 0, "9223372036854775808"},             /* past int64 */
        {"{\"b\":-9223372036854775809}", 0, 0, "-9223372036854775809"},
        {"{\"b\":9999999999999999999}", 0, 0, "9999999999999999999"},             /* 19 nines */
        {"{\"b\":18446744073709551615}", 0, 0, "18446744073709551615"},           /* uint64 max */
        {"{\"b\":18446744073709551616}", 0, 0, "18446744073709551616"},           /* past uint64 */
        {"{\"b\":123456789012345678901234567890}", 0, 0, "123456789012345678901234567890"},
        {"{\"a\":00}", 1, 0, NULL},
        {"{\"a\":-}", 1, 0, NULL},
        {"{\"a\":42}", 0, 42, NULL},
    };
    size_t nc = sizeof cases / sizeof cases[0];
    int idx[32];
    int n_ok = 0;
    for (size_t i = 0; i < nc; i++) {
        char eb[256] = "";
        int rc = ingest_decode(d, NULL, 0, (const uint8_t *)cases[i].json, strlen(cases[i].json), eb, sizeof eb,
                               &err);
        if (rc != cases[i].rc) {
            fprintf(stderr, "  %s: rc %d (%s), expected %d\n", cases[i].json, rc, eb, cases[i].rc);
            test_fail_exit();
        }
        if (rc == 0) {
            ASSERT_OK(ingest_sink_row_end(s, &err), &err);
            idx[n_ok++] = (int)i;
        } else {
            ingest_sink_row_cancel(s);
        }
    }
    int ca = ingest_sink_col(s, "a", 1), cb = ingest_sink_col(s, "b", 1);
    ASSERT(ca >= 0 && cb >= 0);
    Vector *va = ingest_sink_vec(s, ca), *vb = ingest_sink_vec(s, cb);
    ASSERT_EQ_INT(va->type->id, TYPE_INT64);
    ASSERT_EQ_INT(vb->type->id, TYPE_DOUBLE);
    ASSERT_EQ_INT(va->len, n_ok);
    ASSERT_EQ_INT(vb->len, n_ok);
    for (int r = 0; r < n_ok; r++) {
        int i = idx[r];
        ASSERT_EQ_INT(vec_is_valid(va, (uint32_t)r), cases[i].b == NULL);
        ASSERT_EQ_INT(vec_is_valid(vb, (uint32_t)r), cases[i].b != NULL);
        if (cases[i].b)
            ASSERT(VEC_DATA(vb, double)[r] == strtod(cases[i].b, NULL));
        else
            ASSERT_EQ_INT(VEC_DATA(va, int64_t)[r], cases[i].a);
    }
    ingest_decoder_free(d);
    ingest_sink_close(s);
}

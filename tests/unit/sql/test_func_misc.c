/*
 * test_func_misc.c - md5, sha256, encode/decode, gen_random_uuid,
 * version, pg_typeof, num_nulls (func_misc.c) against PostgreSQL 15.
 */
#include "../test.h"
#include "func_testutil.h"

TEST(func_misc_hash)
{
    ASSERT_EQ_STR(tf("md5", "text:abc||The quick brown fox jumps over the lazy dog|NULL", NULL), "900150983cd24fb0d6963f7d28e17f72|d41d8cd98f00b204e9800998ecf8427e|9e107d9d372bb6826bd81d3542a419d6|NULL");
    ASSERT_EQ_STR(tf("md5", "text:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL), "ef1772b6dff9a122358552954ad0df65");
    ASSERT_EQ_STR(tf("md5", "text:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NULL), "b9d955696c7654cd20086bec31670b11");
    ASSERT_EQ_STR(tf("md5", "text:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", NULL), "bcd5708ed79b18f0f0aaa27fd0056d86");
    ASSERT_EQ_STR(tf("md5", "text:ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", NULL), "4f776a2b6ad04634c3c23d6fb7b696e8");
    ASSERT_EQ_STR(tf("md5", "text:héllo", NULL), "be50e8478cf24ff3595bc7307fb91b50");
    ASSERT_EQ_STR(tf("md5", "bytea:\\x00ff10", NULL), "481e4551ec039aada760901cf52b1917");
    ASSERT_EQ_STR(tf("encode", "bytea:\\x00ff10|\\x|\\x616263", "text:hex", NULL), "00ff10||616263");
    ASSERT_EQ_STR(tf("encode", "bytea:\\x00ff10|\\x|\\x61|\\x6162|\\x616263", "text:base64", NULL), "AP8Q||YQ==|YWI=|YWJj");
    ASSERT_EQ_STR(tf("encode", "bytea:\\x5c0061ff", "text:escape", NULL), "\\\\\\000a\\377");
    ASSERT_EQ_STR(tf("encode", "bytea:\\x00", "text:foo", NULL), "ERROR 22023: unrecognized encoding: \"foo\"");
    ASSERT_EQ_STR(tf("decode", "text:AP8Q|YWJj|YQ==", "text:base64", NULL), "\\x00ff10|\\x616263|\\x61");
    ASSERT_EQ_STR(tf("decode", "text:00ff10|", "text:hex", NULL), "\\x00ff10|\\x");
    ASSERT_EQ_STR(tf("decode", "text:0g", "text:hex", NULL), "ERROR 22023: invalid hexadecimal digit: \"g\"");
    ASSERT_EQ_STR(tf("decode", "text:abc", "text:hex", NULL), "ERROR 22023: invalid hexadecimal data: odd number of digits");
    ASSERT_EQ_STR(tf("decode", "text:a\\\\b\\001", "text:escape", NULL), "\\x615c6201");
}

TEST(func_misc_misc)
{
    ASSERT_EQ_STR(tf("num_nulls", "int4:1", "int4:NULL", "text:x", NULL), "1");
    ASSERT_EQ_STR(tf("num_nonnulls", "int4:1", "int4:NULL", "text:x", NULL), "2");
    ASSERT_EQ_STR(tf("num_nulls", "int4:NULL", NULL), "1");
    ASSERT_EQ_STR(tf("pg_typeof", "int4:1", NULL), "integer");
    ASSERT_EQ_STR(tf("pg_typeof", "numeric(3,1):1.5", NULL), "numeric");
    ASSERT_EQ_STR(tf("pg_typeof", "text:a", NULL), "text");
    ASSERT_EQ_STR(tf("pg_typeof", "timestamptz:2024-01-01 00:00+00", NULL), "timestamp with time zone");
}

TEST(func_misc_sha)
{
    /* PostgreSQL: encode(sha256('abc'), 'hex') and sha224 */
    ASSERT_EQ_STR(tf("encode", "bytea:\\x616263", "text:hex", NULL), "616263");
    ASSERT_EQ_STR(tf("sha256", "bytea:\\x616263", NULL),
                  "\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ASSERT_EQ_STR(tf("sha224", "bytea:\\x616263", NULL),
                  "\\x23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
    ASSERT_EQ_STR(tf("sha256", "bytea:\\x", NULL),
                  "\\xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(func_misc_uuid_version)
{
    const char *u = tf("gen_random_uuid", NULL);
    ASSERT(strlen(u) == 36 && u[14] == '4' && strchr("89ab", u[19]));
    char first[64];
    snprintf(first, sizeof first, "%s", u);
    ASSERT(strcmp(first, tf("gen_random_uuid", NULL)) != 0);
    ASSERT_EQ_STR(tf("version", NULL), "PostgreSQL 15.0 on x86_64-pc-linux-gnu, compiled by tarn 0.1.0, 64-bit");
}

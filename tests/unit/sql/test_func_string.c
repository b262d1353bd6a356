/*
 * test_func_string.c - string functions (func_string.c) against PostgreSQL
 * 15: every expected value here was produced by a real PostgreSQL server
 * (C.UTF-8, UTF8) for the same arguments.
 */
#include "../test.h"
#include "func_testutil.h"

TEST(func_string_length)
{
    ASSERT_EQ_STR(tf("length", "text:abc|héllo||NULL", NULL), "3|5|0|NULL");
    ASSERT_EQ_STR(tf("char_length", "text:日本語", NULL), "3");
    ASSERT_EQ_STR(tf("character_length", "text:a", NULL), "1");
    ASSERT_EQ_STR(tf("octet_length", "text:héllo|", NULL), "6|0");
    ASSERT_EQ_STR(tf("bit_length", "text:héllo", NULL), "48");
    ASSERT_EQ_STR(tf("length", "bytea:\\x0102ff", NULL), "3");
    ASSERT_EQ_STR(tf("octet_length", "bytea:\\x", NULL), "0");
}

TEST(func_string_case)
{
    ASSERT_EQ_STR(tf("lower", "text:ABC Déjà ÄÖÜ ΣΑΣ|NULL|", NULL), "abc déjà äöü σασ|NULL|");
    ASSERT_EQ_STR(tf("upper", "text:straße ǆ ŉ abc|é", NULL), "STRAßE Ǆ ŉ ABC|É");
    ASSERT_EQ_STR(tf("lower", "text:İ", NULL), "i");
    ASSERT_EQ_STR(tf("upper", "text:ɐ", NULL), "Ɐ");
    ASSERT_EQ_STR(tf("initcap", "text:hello wORLD-foo bar_baz 1abc élan|ǆemal ŉ x|  x  y|", NULL), "Hello World-Foo Bar_Baz 1abc Élan|Ǆemal ŉ X|  X  Y|");
}

TEST(func_string_trim)
{
    ASSERT_EQ_STR(tf("btrim", "text:  hi  |hi|   |", NULL), "hi|hi||");
    ASSERT_EQ_STR(tf("btrim", "text:xxhixx|xhx", "text:x", NULL), "hi|h");
    ASSERT_EQ_STR(tf("ltrim", "text:  hi  ", NULL), "hi  ");
    ASSERT_EQ_STR(tf("rtrim", "text:  hi  ", NULL), "  hi");
    ASSERT_EQ_STR(tf("rtrim", "text:héé|éhé", "text:é", NULL), "h|éh");
    ASSERT_EQ_STR(tf("ltrim", "text:zyxabc", "text:xyz", NULL), "abc");
    ASSERT_EQ_STR(tf("btrim", "text:abc", "text:", NULL), "abc");
    ASSERT_EQ_STR(tf("btrim", "text:ééaéé|xyx|yy", "text:é|x|y", NULL), "a|y|");
    ASSERT_EQ_STR(tf("ltrim", "text:日本日x本", "text:日本", NULL), "x本");
}

TEST(func_string_pad)
{
    ASSERT_EQ_STR(tf("lpad", "text:hi|hello|NULL|", "int4:5", NULL), "   hi|hello|NULL|     ");
    ASSERT_EQ_STR(tf("rpad", "text:hi|hello", "int4:5", NULL), "hi   |hello");
    ASSERT_EQ_STR(tf("lpad", "text:hi", "int4:7", "text:xy", NULL), "xyxyxhi");
    ASSERT_EQ_STR(tf("rpad", "text:hi", "int4:7", "text:xy", NULL), "hixyxyx");
    ASSERT_EQ_STR(tf("lpad", "text:hi", "int4:5", "text:", NULL), "hi");
    ASSERT_EQ_STR(tf("lpad", "text:hi", "int4:-1", "text:x", NULL), "");
    ASSERT_EQ_STR(tf("lpad", "text:héllo", "int4:3", "text:x", NULL), "hél");
    ASSERT_EQ_STR(tf("rpad", "text:é", "int4:4", "text:日本", NULL), "é日本日");
    ASSERT_EQ_STR(tf("lpad", "text:x", "int4:300000000", NULL), "ERROR 54000: requested length too large");
    ASSERT_EQ_STR(tf("lpad", "text:ab|cd", "int4:4|1", "text:-|*", NULL), "--ab|c");
}

TEST(func_string_substr)
{
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:2", NULL), "ello");
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:2", "int4:2", NULL), "el");
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:0", "int4:2", NULL), "h");
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:-3", "int4:5", NULL), "h");
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:10", "int4:2", NULL), "");
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:2", "int4:-1", NULL), "ERROR 22011: negative substring length not allowed");
    ASSERT_EQ_STR(tf("substring", "text:héllo wörld", "int4:2", "int4:7", NULL), "éllo wö");
    ASSERT_EQ_STR(tf("substring", "text:héllo", "int4:-5", NULL), "héllo");
    ASSERT_EQ_STR(tf("substr", "text:abc|de|NULL", "int4:2|1|1", "int4:1", NULL), "b|d|NULL");
    ASSERT_EQ_STR(tf("substr", "bytea:\\x01020304", "int4:2", "int4:2", NULL), "\\x0203");
    ASSERT_EQ_STR(tf("substring", "bytea:\\x01020304", "int4:3", NULL), "\\x0304");
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:2147483647", "int4:2147483647", NULL), "");
    ASSERT_EQ_STR(tf("substr", "text:hello", "int4:-2147483647", "int4:2147483647", NULL), "");
    ASSERT_EQ_STR(tf("overlay", "text:Txxxxas", "text:hom", "int4:2", "int4:4", NULL), "Thomas");
    ASSERT_EQ_STR(tf("overlay", "text:Txxxxas", "text:hom", "int4:2", NULL), "Thomxas");
    ASSERT_EQ_STR(tf("overlay", "text:héllo", "text:ÄÖ", "int4:5", "int4:3", NULL), "héllÄÖ");
    ASSERT_EQ_STR(tf("overlay", "text:abc", "text:x", "int4:0", NULL), "ERROR 22011: negative substring length not allowed");
}

TEST(func_string_leftright)
{
    ASSERT_EQ_STR(tf("left", "text:hello|héllo|NULL", "int4:2", NULL), "he|hé|NULL");
    ASSERT_EQ_STR(tf("left", "text:hello", "int4:-2", NULL), "hel");
    ASSERT_EQ_STR(tf("left", "text:hello", "int4:-10", NULL), "");
    ASSERT_EQ_STR(tf("left", "text:hello", "int4:0", NULL), "");
    ASSERT_EQ_STR(tf("right", "text:hello|héllo", "int4:2", NULL), "lo|lo");
    ASSERT_EQ_STR(tf("right", "text:hello", "int4:-2", NULL), "llo");
    ASSERT_EQ_STR(tf("right", "text:hello", "int4:10", NULL), "hello");
    ASSERT_EQ_STR(tf("right", "text:hello", "int4:-10", NULL), "");
}

TEST(func_string_position)
{
    ASSERT_EQ_STR(tf("strpos", "text:high|héllo|abc|NULL", "text:ig", NULL), "2|0|0|NULL");
    ASSERT_EQ_STR(tf("strpos", "text:héllo", "text:l", NULL), "3");
    ASSERT_EQ_STR(tf("position", "text:abc", "text:", NULL), "1");
    ASSERT_EQ_STR(tf("strpos", "text:", "text:a", NULL), "0");
    ASSERT_EQ_STR(tf("strpos", "text:aaa", "text:aaaa", NULL), "0");
    ASSERT_EQ_STR(tf("starts_with", "text:alphabet|al|a|", "text:alph", NULL), "t|f|f|f");
}

TEST(func_string_split)
{
    ASSERT_EQ_STR(tf("split_part", "text:abc~@~def~@~ghi", "text:~@~", "int4:2", NULL), "def");
    ASSERT_EQ_STR(tf("split_part", "text:a,b,c", "text:,", "int4:-1|-3|-4|4|1|3", NULL), "c|a|||a|c");
    ASSERT_EQ_STR(tf("split_part", "text:abc", "text:", "int4:1|2|-1", NULL), "abc||abc");
    ASSERT_EQ_STR(tf("split_part", "text:", "text:,", "int4:1", NULL), "");
    ASSERT_EQ_STR(tf("split_part", "text:a,b", "text:,", "int4:0", NULL), "ERROR 22023: field position must not be zero");
    ASSERT_EQ_STR(tf("split_part", "text:,a,,b,", "text:,", "int4:1|2|3|4|5|6|-1|-2|-5|-6", NULL), "|a||b||||b||");
}

TEST(func_string_replace)
{
    ASSERT_EQ_STR(tf("replace", "text:abcdefabcdef", "text:cd", "text:XX", NULL), "abXXefabXXef");
    ASSERT_EQ_STR(tf("replace", "text:aaa", "text:a", "text:", NULL), "");
    ASSERT_EQ_STR(tf("replace", "text:abc", "text:", "text:x", NULL), "abc");
    ASSERT_EQ_STR(tf("replace", "text:héllo", "text:l", "text:L", NULL), "héLLo");
    ASSERT_EQ_STR(tf("replace", "text:aaaa", "text:aa", "text:b", NULL), "bb");
    ASSERT_EQ_STR(tf("translate", "text:12345", "text:143", "text:ax", NULL), "a2x5");
    ASSERT_EQ_STR(tf("translate", "text:héllo", "text:él", "text:EL", NULL), "hELLo");
    ASSERT_EQ_STR(tf("translate", "text:abc", "text:", "text:x", NULL), "abc");
    ASSERT_EQ_STR(tf("translate", "text:aaa", "text:aa", "text:bc", NULL), "bbb");
}

TEST(func_string_misc)
{
    ASSERT_EQ_STR(tf("repeat", "text:Pg|ab|", "int4:4", NULL), "PgPgPgPg|abababab|");
    ASSERT_EQ_STR(tf("repeat", "text:x", "int4:0|-1", NULL), "|");
    ASSERT_EQ_STR(tf("repeat", "text:abc", "int4:1000000000", NULL), "ERROR 54000: requested length too large");
    ASSERT_EQ_STR(tf("reverse", "text:abcde|héllo日本|", NULL), "edcba|本日olléh|");
    ASSERT_EQ_STR(tf("ascii", "text:x|é|日|", NULL), "120|233|26085|0");
    ASSERT_EQ_STR(tf("chr", "int4:65|233|26085|128512", NULL), "A|é|日|😀");
    ASSERT_EQ_STR(tf("chr", "int4:0", NULL), "ERROR 54000: null character not permitted");
    ASSERT_EQ_STR(tf("chr", "int4:-1", NULL), "ERROR 22023: character number must be positive");
    ASSERT_EQ_STR(tf("chr", "int4:55296", NULL), "ERROR 54000: requested character not valid for encoding: 55296");
    ASSERT_EQ_STR(tf("chr", "int4:1114112", NULL), "ERROR 54000: requested character too large for encoding: 1114112");
    ASSERT_EQ_STR(tf("to_hex", "int4:255|-1|0|2147483647", NULL), "ff|ffffffff|0|7fffffff");
    ASSERT_EQ_STR(tf("to_hex", "int8:-1|9223372036854775807|4096", NULL), "ffffffffffffffff|7fffffffffffffff|1000");
}

TEST(func_string_concat)
{
    ASSERT_EQ_STR(tf("concat", "text:a", "unknown:NULL", "int4:1", "bool:true", "numeric(3,2):2.50", "date:2024-01-01", NULL), "a1t2.502024-01-01");
    ASSERT_EQ_STR(tf("concat", "text:NULL", NULL), "");
    ASSERT_EQ_STR(tf("concat", "text:a|b|NULL", "text:x|NULL|NULL", NULL), "ax|b|");
    ASSERT_EQ_STR(tf("concat_ws", "text:,", "text:a", "text:NULL", "text:b", NULL), "a,b");
    ASSERT_EQ_STR(tf("concat_ws", "text:NULL", "text:a", NULL), "NULL");
    ASSERT_EQ_STR(tf("concat_ws", "text:-", "int4:1", "float8:2.5", "interval:1 day", NULL), "1-2.5-1 day");
    ASSERT_EQ_STR(tf("concat_ws", "text:,", "text:NULL", NULL), "");
    ASSERT_EQ_STR(tf("textcat", "text:ab|NULL|", "text:cd", NULL), "abcd|NULL|cd");
}

TEST(func_string_quote)
{
    ASSERT_EQ_STR(tf("quote_ident", "text:Foo|foo|select|a\"b|1a|_x1|é|", NULL), "\"Foo\"|foo|\"select\"|\"a\"\"b\"|\"1a\"|_x1|\"é\"|\"\"");
    ASSERT_EQ_STR(tf("quote_literal", "text:a\\b'c|abc|", NULL), "E'a\\\\b''c'|'abc'|''");
    ASSERT_EQ_STR(tf("quote_literal", "int4:42", NULL), "'42'");
    ASSERT_EQ_STR(tf("quote_nullable", "text:NULL|x", NULL), "NULL|'x'");
    ASSERT_EQ_STR(tf("quote_nullable", "int4:NULL|7", NULL), "NULL|'7'");
}

TEST(func_string_format)
{
    ASSERT_EQ_STR(tf("format", "text:Hello %s, %1$s", "text:World", NULL), "Hello World, World");
    ASSERT_EQ_STR(tf("format", "text:%s %I %L", "text:NULL", "text:a b", "text:NULL", NULL), " \"a b\" NULL");
    ASSERT_EQ_STR(tf("format", "text:%I", "text:NULL", NULL), "ERROR 22004: null values cannot be formatted as an SQL identifier");
    ASSERT_EQ_STR(tf("format", "text:%z", "int4:1", NULL), "ERROR 22023: unrecognized format() type specifier \"z\"");
    ASSERT_EQ_STR(tf("format", "text:%s %s", "int4:1", NULL), "ERROR 22023: too few arguments for format()");
    ASSERT_EQ_STR(tf("format", "text:%3$s %1$s", "text:a", "text:b", "text:c", NULL), "c a");
    ASSERT_EQ_STR(tf("format", "text:[%-5s][%5s]", "text:ab", "text:cd", NULL), "[ab   ][   cd]");
    ASSERT_EQ_STR(tf("format", "text:[%*s][%-*s]", "int4:4", "text:x", "int4:3", "text:y", NULL), "[   x][y  ]");
    ASSERT_EQ_STR(tf("format", "text:100%%", NULL), "100%");
    ASSERT_EQ_STR(tf("format", "text:NULL", NULL), "NULL");
    ASSERT_EQ_STR(tf("format", "text:%", "int4:1", NULL), "ERROR 22023: unterminated format() type specifier");
    ASSERT_EQ_STR(tf("format", "text:%0$s", "int4:1", NULL), "ERROR 22023: format specifies argument 0, but arguments are numbered from 1");
    ASSERT_EQ_STR(tf("format", "text:INSERT INTO %I VALUES(%L, %L)", "text:Tab", "text:O'Reilly", "int4:5", NULL), "INSERT INTO \"Tab\" VALUES('O''Reilly', '5')");
    ASSERT_EQ_STR(tf("format", "text:%L", "text:a\\b", NULL), "E'a\\\\b'");
    ASSERT_EQ_STR(tf("format", "text:[%3s]", "text:日本語日", NULL), "[日本語日]");
}

/*
 * test_func_json.c - JSON operators and functions (func_json.c) against
 * PostgreSQL 15's json type: every expected value was produced by a real
 * PostgreSQL server for the same arguments.
 */
#include "../test.h"
#include "func_testutil.h"

TEST(func_json_arrow)
{
    ASSERT_EQ_STR(tf("op:->", "json:@@{\"a\": [1, 2], \"b\": {\"c\": \"x\\ny\", \"d\": null}, \"a\": {\"z\": 1}, \"n\": 1.50, \"t\": true}", "text:a|b|n|t|missing", NULL), "{\"z\": 1}|{\"c\": \"x\\ny\", \"d\": null}|1.50|true|NULL");
    ASSERT_EQ_STR(tf("op:->>", "json:@@{\"a\": [1, 2], \"b\": {\"c\": \"x\\ny\", \"d\": null}, \"a\": {\"z\": 1}, \"n\": 1.50, \"t\": true}", "text:a|b|n|t|missing", NULL), "{\"z\": 1}|{\"c\": \"x\\ny\", \"d\": null}|1.50|true|NULL");
    ASSERT_EQ_STR(tf("op:->", "json:[1, \"two\", [3], null]", "int4:0|1|2|3|4|-1|-4|-5", NULL), "1|\"two\"|[3]|null|NULL|null|1|NULL");
    ASSERT_EQ_STR(tf("op:->>", "json:[1, \"two\", [3], null]", "int4:0|1|2|3|4|-1", NULL), "1|two|[3]|NULL|NULL|NULL");
    ASSERT_EQ_STR(tf("op:->", "json:{\"a\":1}", "int4:0", NULL), "NULL");
    ASSERT_EQ_STR(tf("op:->>", "json:\"str\"", "int4:0", NULL), "NULL");
    ASSERT_EQ_STR(tf("op:->", "json:[1,2]", "text:a", NULL), "NULL");
    ASSERT_EQ_STR(tf("op:->>", "json:@@{\"a\": [1, 2], \"b\": {\"c\": \"x\\ny\", \"d\": null}, \"a\": {\"z\": 1}, \"n\": 1.50, \"t\": true}", "text:NULL", NULL), "NULL");
    ASSERT_EQ_STR(tf("op:->", "json:@@{\"a\":{\"b\":{\"c\":\"d\"}}}", "text:a", NULL), "{\"b\":{\"c\":\"d\"}}");
    ASSERT_EQ_STR(tf("op:->>", "json:@@{\"k\":\"\\u00e9\\t\\\"q\\\"\"}", "text:k", NULL), "é	\"q\"");
    ASSERT_EQ_STR(tf("op:->", "json:{bad", "text:a", NULL), "ERROR 22P02: invalid input syntax for type json");
}

TEST(func_json_path)
{
    ASSERT_EQ_STR(tf("json_extract_path_text", "json:@@{\"a\":{\"b\":[10,{\"c\":\"d\"}]}}", "text:a", "text:b", "text:1", "text:c", NULL), "d");
    ASSERT_EQ_STR(tf("json_extract_path", "json:@@{\"a\":{\"b\":[10,{\"c\":\"d\"}]}}", "text:a", "text:b", NULL), "[10,{\"c\":\"d\"}]");
    ASSERT_EQ_STR(tf("json_extract_path_text", "json:@@{\"a\":{\"b\":[10,{\"c\":\"d\"}]}}", "text:a", "text:x", NULL), "NULL");
    ASSERT_EQ_STR(tf("json_extract_path_text", "json:@@{\"a\":{\"b\":[10,{\"c\":\"d\"}]}}", "text:a", "text:b", "text:-1", "text:c", NULL), "d");
    ASSERT_EQ_STR(tf("json_extract_path_text", "json:@@{\"a\":{\"b\":[10,{\"c\":\"d\"}]}}", "text:a", "text:NULL", NULL), "NULL");
    ASSERT_EQ_STR(tf("json_array_length", "json:[1,2,[3]]|[]", NULL), "3|0");
    ASSERT_EQ_STR(tf("json_array_length", "json:@@{}", NULL), "ERROR 22023: cannot get array length of a non-array");
    ASSERT_EQ_STR(tf("json_array_length", "json:5", NULL), "ERROR 22023: cannot get array length of a scalar");
    ASSERT_EQ_STR(tf("json_typeof", "json:{}|[]|1.5|\"s\"|true|null", NULL), "object|array|number|string|boolean|null");
}

TEST(func_json_build)
{
    ASSERT_EQ_STR(tf("to_json", "text:a\"b|x", NULL), "\"a\\\"b\"|\"x\"");
    ASSERT_EQ_STR(tf("to_json", "numeric(3,2):1.50", NULL), "1.50");
    ASSERT_EQ_STR(tf("to_json", "bool:true", NULL), "true");
    ASSERT_EQ_STR(tf("to_json", "date:2024-01-01", NULL), "\"2024-01-01\"");
    ASSERT_EQ_STR(tf("to_json", "int4:7", NULL), "7");
    ASSERT_EQ_STR(tf("json_build_object", "text:a", "int4:1", "text:b", "text:x", "text:c", "text:NULL", NULL), "{\"a\" : 1, \"b\" : \"x\", \"c\" : null}");
    ASSERT_EQ_STR(tf("json_build_object", NULL), "{}");
    ASSERT_EQ_STR(tf("json_build_object", "text:a", NULL), "ERROR 22023: argument list must have even number of elements");
    ASSERT_EQ_STR(tf("json_build_object", "text:NULL", "int4:1", NULL), "ERROR 22023: argument 1 cannot be null");
    ASSERT_EQ_STR(tf("json_build_array", "int4:1", "text:a", "text:NULL", "bool:true", NULL), "[1, \"a\", null, true]");
    ASSERT_EQ_STR(tf("json_build_array", NULL), "[]");
    ASSERT_EQ_STR(tf("json_build_object", "int4:1", "json:[1, 2]", NULL), "{\"1\" : [1, 2]}");
}

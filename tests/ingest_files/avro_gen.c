/*
 * avro_gen.c - writes Avro Object Container Files with libavro-c (Apache's
 * own C implementation: an independent writer for tarn's reader), for the
 * ingest_files suite and bench/ingest_files.sh.
 *
 *   avro_gen OUT.avro CODEC FIRST_ID ROWS [evolved]
 *
 * CODEC: null | deflate | snappy (whatever this libavro was built with).
 * Rows: id long (FIRST_ID..), name ["null","string"] (NULL every 5th),
 * score double (id / 4), ts long (declared timestamp-micros, but this
 * libavro drops logicalType from the schema it writes: tarn sees a
 * bigint), tags array<string>;
 * "evolved" adds region string.  Built by the suite with gcc -lavro only:
 * libavro's jansson exports json_object_get, which libtarn also defines,
 * so the two must not share a binary.
 */
#include <avro.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SCHEMA =
    "{\"type\":\"record\",\"name\":\"event\",\"namespace\":\"tarn.test\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"name\",\"type\":[\"null\",\"string\"]},"
    "{\"name\":\"score\",\"type\":\"double\"},"
    "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
    "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}%s]}";

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: avro_gen OUT.avro CODEC FIRST_ID ROWS [evolved]\n");
        return 2;
    }
    bool evolved = argc > 5 && !strcmp(argv[5], "evolved");
    char js[2048];
    snprintf(js, sizeof js, SCHEMA, evolved ? ",{\"name\":\"region\",\"type\":\"string\"}" : "");
    avro_schema_t sc;
    if (avro_schema_from_json_length(js, strlen(js), &sc)) {
        fprintf(stderr, "schema: %s\n", avro_strerror());
        return 1;
    }
    remove(argv[1]);
    avro_file_writer_t w;
    if (avro_file_writer_create_with_codec(argv[1], sc, &w, argv[2], 64 * 1024)) {
        fprintf(stderr, "create: %s\n", avro_strerror());
        return 1;
    }
    avro_value_iface_t *iface = avro_generic_class_from_schema(sc);
    avro_value_t rec;
    avro_generic_value_new(iface, &rec);
    long long first = atoll(argv[3]), rows = atoll(argv[4]);
    for (long long i = first; i < first + rows; i++) {
        avro_value_t f, br, el;
        avro_value_reset(&rec);
        avro_value_get_by_name(&rec, "id", &f, NULL);
        avro_value_set_long(&f, i);
        avro_value_get_by_name(&rec, "name", &f, NULL);
        if (i % 5 == 0) {
            avro_value_set_branch(&f, 0, &br);
            avro_value_set_null(&br);
        } else {
            char s[32];
            snprintf(s, sizeof s, "user%lld", i);
            avro_value_set_branch(&f, 1, &br);
            avro_value_set_string(&br, s);
        }
        avro_value_get_by_name(&rec, "score", &f, NULL);
        avro_value_set_double(&f, (double)i / 4);
        avro_value_get_by_name(&rec, "ts", &f, NULL);
        avro_value_set_long(&f, 1700000000000000LL + i * 1000000LL);
        avro_value_get_by_name(&rec, "tags", &f, NULL);
        for (long long k = 0; k < i % 3; k++) {
            avro_value_append(&f, &el, NULL);
            avro_value_set_string(&el, k ? "b" : "a");
        }
        if (evolved) {
            avro_value_get_by_name(&rec, "region", &f, NULL);
            avro_value_set_string(&f, i % 2 ? "eu" : "us");
        }
        if (avro_file_writer_append_value(w, &rec)) {
            fprintf(stderr, "append: %s\n", avro_strerror());
            return 1;
        }
    }
    avro_file_writer_close(w);
    avro_value_decref(&rec);
    avro_value_iface_decref(iface);
    avro_schema_decref(sc);
    return 0;
}

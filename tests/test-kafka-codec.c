/* test-kafka-codec.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <millrace-engine.h>

static void
test_round_trip (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  MrKafkaReader reader;
  static const guint8 blob[] = { 1, 2, 3, 0, 255 };
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  g_autofree char *s3 = NULL;
  g_autofree char *s4 = NULL;
  const guint8 *b;
  gsize len;
  gsize pos;

  mr_kafka_writer_int8 (out, -5);
  mr_kafka_writer_int16 (out, -12345);
  mr_kafka_writer_int32 (out, G_MININT32);
  mr_kafka_writer_int64 (out, G_MAXINT64 - 7);
  mr_kafka_writer_uvarint (out, 0);
  mr_kafka_writer_uvarint (out, 300);
  mr_kafka_writer_uvarint (out, G_MAXUINT64);
  mr_kafka_writer_varint (out, -1);
  mr_kafka_writer_varint (out, G_MININT64);
  mr_kafka_writer_varint (out, 150);
  mr_kafka_writer_string (out, "hello");
  mr_kafka_writer_string (out, NULL);
  mr_kafka_writer_compact_string (out, "wörld");
  mr_kafka_writer_compact_string (out, NULL);
  mr_kafka_writer_bytes (out, blob, sizeof blob);
  mr_kafka_writer_bytes (out, NULL, 0);
  mr_kafka_writer_compact_bytes (out, blob, 2);
  mr_kafka_writer_array_count (out, 3);
  mr_kafka_writer_array_count (out, -1);
  mr_kafka_writer_compact_array_count (out, 2);
  mr_kafka_writer_compact_array_count (out, -1);
  /* A tag buffer with two fields, then an empty one. */
  mr_kafka_writer_uvarint (out, 2);
  mr_kafka_writer_uvarint (out, 0);
  mr_kafka_writer_uvarint (out, 3);
  g_byte_array_append (out, blob, 3);
  mr_kafka_writer_uvarint (out, 7);
  mr_kafka_writer_uvarint (out, 0);
  mr_kafka_writer_empty_tags (out);
  pos = mr_kafka_writer_begin_size (out);
  mr_kafka_writer_int32 (out, 1);
  mr_kafka_writer_int16 (out, 2);
  mr_kafka_writer_end_size (out, pos);

  mr_kafka_reader_init (&reader, out->data, out->len);
  g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, -5);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, -12345);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, G_MININT32);
  g_assert_cmpint (mr_kafka_reader_int64 (&reader), ==, G_MAXINT64 - 7);
  g_assert_cmpuint (mr_kafka_reader_uvarint (&reader), ==, 0);
  g_assert_cmpuint (mr_kafka_reader_uvarint (&reader), ==, 300);
  g_assert_cmpuint (mr_kafka_reader_uvarint (&reader), ==, G_MAXUINT64);
  g_assert_cmpint (mr_kafka_reader_varint (&reader), ==, -1);
  g_assert_cmpint (mr_kafka_reader_varint (&reader), ==, G_MININT64);
  g_assert_cmpint (mr_kafka_reader_varint (&reader), ==, 150);
  s1 = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (s1, ==, "hello");
  s2 = mr_kafka_reader_nullable_string (&reader);
  g_assert_null (s2);
  s3 = mr_kafka_reader_compact_string (&reader);
  g_assert_cmpstr (s3, ==, "wörld");
  s4 = mr_kafka_reader_compact_string (&reader);
  g_assert_null (s4);
  b = mr_kafka_reader_bytes (&reader, &len);
  g_assert_cmpmem (b, len, blob, sizeof blob);
  b = mr_kafka_reader_bytes (&reader, &len);
  g_assert_null (b);
  g_assert_cmpuint (len, ==, 0);
  b = mr_kafka_reader_compact_bytes (&reader, &len);
  g_assert_cmpmem (b, len, blob, 2);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 3);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, -1);
  g_assert_cmpint (mr_kafka_reader_compact_array_count (&reader, 1), ==, 2);
  g_assert_cmpint (mr_kafka_reader_compact_array_count (&reader, 1), ==, -1);
  mr_kafka_reader_skip_tags (&reader);
  mr_kafka_reader_skip_tags (&reader);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 6);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 1);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 2);
  g_assert_cmpuint (mr_kafka_reader_remaining (&reader), ==, 0);
  g_assert_true (mr_kafka_reader_finish (&reader, &error));
  g_assert_no_error (error);
}

/* Reads everything a request parser might, in a fixed order. */
static void
read_everything (const guint8 *data,
                 gsize         len)
{
  MrKafkaReader reader;
  g_autoptr(GError) error = NULL;
  gsize n;

  mr_kafka_reader_init (&reader, data, len);
  while (!mr_kafka_reader_failed (&reader) &&
         mr_kafka_reader_remaining (&reader) > 0)
    {
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      (void)mr_kafka_reader_int16 (&reader);
      a = mr_kafka_reader_nullable_string (&reader);
      b = mr_kafka_reader_compact_string (&reader);
      (void)mr_kafka_reader_bytes (&reader, &n);
      (void)mr_kafka_reader_compact_bytes (&reader, &n);
      (void)mr_kafka_reader_array_count (&reader, 4);
      (void)mr_kafka_reader_compact_array_count (&reader, 4);
      mr_kafka_reader_skip_tags (&reader);
      (void)mr_kafka_reader_varint (&reader);
      (void)mr_kafka_reader_int64 (&reader);
    }
  if (!mr_kafka_reader_finish (&reader, &error))
    g_assert_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_INVALID_REQUEST);
}

static void
test_truncated (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  mr_kafka_writer_int16 (out, 7);
  mr_kafka_writer_string (out, "client");
  mr_kafka_writer_compact_string (out, "x");
  mr_kafka_writer_bytes (out, (const guint8 *)"abcd", 4);
  mr_kafka_writer_compact_bytes (out, (const guint8 *)"ab", 2);
  mr_kafka_writer_array_count (out, 0);
  mr_kafka_writer_compact_array_count (out, 0);
  mr_kafka_writer_empty_tags (out);
  mr_kafka_writer_varint (out, -77777);
  mr_kafka_writer_int64 (out, 42);

  /* Every prefix, each in its own exact-size allocation so that a read
   * past the end would be caught by the allocator checks. */
  for (gsize cut = 0; cut <= out->len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (out->data, cut);

      read_everything (copy, cut);
    }

  /* Random bytes. */
  for (guint i = 0; i < 2000; i++)
    {
      gsize len = g_random_int_range (0, 64);
      g_autofree guint8 *junk = g_malloc (MAX (len, 1));

      for (gsize j = 0; j < len; j++)
        junk[j] = (guint8)g_random_int ();
      read_everything (junk, len);
    }
}

static void
test_huge_lengths (void)
{
  static const guint8 huge_string[] = { 0x7f, 0xff, 'a' };
  static const guint8 huge_bytes[] = { 0x7f, 0xff, 0xff, 0xff, 'a' };
  static const guint8 huge_array[] = { 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
  static const guint8 huge_compact[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
  static const guint8 long_varint[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0x01 };
  static const guint8 negative[] = { 0xff, 0xff, 0xff, 0xfe };
  MrKafkaReader reader;
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;
  gsize len;

  mr_kafka_reader_init (&reader, huge_string, sizeof huge_string);
  s = mr_kafka_reader_string (&reader);
  g_assert_null (s);
  g_assert_true (mr_kafka_reader_failed (&reader));

  mr_kafka_reader_init (&reader, huge_bytes, sizeof huge_bytes);
  g_assert_null (mr_kafka_reader_bytes (&reader, &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (mr_kafka_reader_failed (&reader));

  mr_kafka_reader_init (&reader, huge_array, sizeof huge_array);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 0);
  g_assert_true (mr_kafka_reader_failed (&reader));

  /* A count of 2 with only 4 bytes left and 4-byte elements fails too. */
  mr_kafka_reader_init (&reader, (const guint8 *)"\0\0\0\2abcd", 8);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 4), ==, 0);
  g_assert_true (mr_kafka_reader_failed (&reader));

  mr_kafka_reader_init (&reader, huge_compact, sizeof huge_compact);
  g_assert_null (mr_kafka_reader_compact_bytes (&reader, &len));
  g_assert_true (mr_kafka_reader_failed (&reader));

  mr_kafka_reader_init (&reader, long_varint, sizeof long_varint);
  (void)mr_kafka_reader_uvarint (&reader);
  g_assert_true (mr_kafka_reader_failed (&reader));

  mr_kafka_reader_init (&reader, negative, sizeof negative);
  g_assert_null (mr_kafka_reader_bytes (&reader, &len));
  g_assert_true (mr_kafka_reader_failed (&reader));

  /* Sticky: later reads return zero. */
  g_assert_cmpint (mr_kafka_reader_int8 (&reader), ==, 0);
  g_assert_false (mr_kafka_reader_finish (&reader, &error));
  g_assert_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_INVALID_REQUEST);
}

/* Strings that are not UTF-8 come back as Kafka's Java decoder reads
 * them, with U+FFFD for each malformed sequence: valid UTF-8 that the
 * rest of the engine can walk (a fuzz run found a group id with a lead
 * byte that promised bytes past its end). */
static void
test_malformed_utf8 (void)
{
  static const guint8 lead_at_end[] = { 0x00, 0x03, 'a', '-', 0xfb };
  static const guint8 stray[] = { 0x00, 0x04, 0xff, 'o', 'k', 0x80 };
  static const guint8 compact[] = { 0x03, 0xc3, 'x' };
  static const guint8 fine[] = { 0x00, 0x05, 'c', 'a', 'f', 0xc3, 0xa9 };
  MrKafkaReader reader;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;

  mr_kafka_reader_init (&reader, lead_at_end, sizeof lead_at_end);
  a = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (a, ==, "a-\xef\xbf\xbd");
  mr_kafka_reader_init (&reader, stray, sizeof stray);
  b = mr_kafka_reader_nullable_string (&reader);
  g_assert_cmpstr (b, ==, "\xef\xbf\xbdok\xef\xbf\xbd");
  mr_kafka_reader_init (&reader, compact, sizeof compact);
  c = mr_kafka_reader_compact_string (&reader);
  g_assert_cmpstr (c, ==, "\xef\xbf\xbdx");
  g_assert_false (mr_kafka_reader_failed (&reader));
  /* Valid UTF-8 is kept as it is. */
  mr_kafka_reader_init (&reader, fine, sizeof fine);
  d = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (d, ==, "caf\xc3\xa9");

  /* The engine's own hash of such an id stays inside it, and is the hash
   * of the decoded string. */
  g_assert_cmpint (mr_group_offsets_partition_for ("a-\xfb", 50), ==,
                   mr_group_offsets_partition_for ("a-\xef\xbf\xbd", 50));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kafka-codec/round-trip", test_round_trip);
  g_test_add_func ("/kafka-codec/truncated", test_truncated);
  g_test_add_func ("/kafka-codec/huge-lengths", test_huge_lengths);
  g_test_add_func ("/kafka-codec/malformed-utf8", test_malformed_utf8);

  return g_test_run ();
}

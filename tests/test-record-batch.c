/* test-record-batch.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

static const MrCompression all_codecs[] = {
  MR_COMPRESSION_NONE,
  MR_COMPRESSION_GZIP,
  MR_COMPRESSION_SNAPPY,
  MR_COMPRESSION_LZ4,
  MR_COMPRESSION_ZSTD,
};

/* Batches captured from librdkafka 2.0.2 (kcat producing to its mock
 * cluster, the Produce v7 request read off the socket with strace): three
 * records "k1" -> "abcdefgh" x 16, "k2" -> "value-two " x 12 and "k3" ->
 * null, each with the headers h1=v1 and h2=null, in each codec. */
static const char golden_none[] =
  "00000000000000000000016600000000022bb7e0e0000000000002000001a20f"
  "7c8d8d000001a20f7c8d8dffffffffffffffffffffffffffff00000003a60200"
  "0000046b31800261626364656667686162636465666768616263646566676861"
  "6263646566676861626364656667686162636465666768616263646566676861"
  "6263646566676861626364656667686162636465666768616263646566676861"
  "6263646566676861626364656667686162636465666768616263646566676861"
  "6263646566676804046831047631046832019602000002046b32f00176616c75"
  "652d74776f2076616c75652d74776f2076616c75652d74776f2076616c75652d"
  "74776f2076616c75652d74776f2076616c75652d74776f2076616c75652d7477"
  "6f2076616c75652d74776f2076616c75652d74776f2076616c75652d74776f20"
  "76616c75652d74776f2076616c75652d74776f20040468310476310468320124"
  "000004046b33010404683104763104683201";
static const char golden_gzip[] =
  "0000000000000000000000860000000002e017c8a2000100000002000001a20f"
  "7c8fd4000001a20f7c8fd4ffffffffffffffffffffffffffff000000031f8b08"
  "000000000000035bc6c4c0c0c0926dd8c09498949c929a969e3150340b4b8621"
  "4b99214b8611e334a0a39858b28d3e309625e694a6ea9694e72bd09785e41815"
  "60f8b0641b332209010056c12e6235010000";
static const char golden_snappy[] =
  "000000000000000000000088000000000291f32ced000200000002000001a20f"
  "7c922b000001a20f7c922bffffffffffffffffffffffffffff00000003b50244"
  "a602000000046b3180026162636465666768fe0800de08007804046831047631"
  "046832019602000002046b32f00176616c75652d74776f20fe0a00b60a001d8d"
  "4824000004046b33010404683104763104683201";
static const char golden_lz4[] =
  "0000000000000000000000930000000002a63c2559000300000002000001a20f"
  "7c961e000001a20f7c961effffffffffffffffffffffffffff0000000304224d"
  "1860408253000000ff03a602000000046b3180026162636465666768080065ff"
  "1004046831047631046832019602000002046b32f00176616c75652d74776f20"
  "0a005b078d00f00424000004046b3301040468310476310468320100000000";
static const char golden_zstd[] =
  "0000000000000000000000830000000002150e7cc5000400000002000001a20f"
  "7c986b000001a20f7c986bffffffffffffffffffffffffffff0000000328b52f"
  "fd00584d02009403a602000000046b3180026162636465666768040468310476"
  "31046832019602000002046b32f00176616c75652d74776f2024000004046b33"
  "010400368621cf08af96d4a94b4b18";

static const char *golden_batches[] = {
  golden_none,
  golden_gzip,
  golden_snappy,
  golden_lz4,
  golden_zstd,
};

/* A record as the test keeps it after the callback returns. */
typedef struct
{
  gint64     offset;
  gint64     timestamp;
  GBytes    *key;          /* NULL for a null key */
  GBytes    *value;        /* NULL for a null value */
  GPtrArray *header_keys;  /* char * */
  GPtrArray *header_values;  /* GBytes *, NULL for a null value */
} SeenRecord;

typedef struct
{
  GArray *records;  /* SeenRecord */
  guint   stop_after;
  MrRecordBatchHeader batch;
} Collector;

static void
seen_record_clear (gpointer data)
{
  SeenRecord *seen = data;

  g_clear_pointer (&seen->key, g_bytes_unref);
  g_clear_pointer (&seen->value, g_bytes_unref);
  g_clear_pointer (&seen->header_keys, g_ptr_array_unref);
  g_clear_pointer (&seen->header_values, g_ptr_array_unref);
}

static void
collector_init (Collector *c)
{
  memset (c, 0, sizeof *c);
  c->records = g_array_new (FALSE, TRUE, sizeof (SeenRecord));
  g_array_set_clear_func (c->records, seen_record_clear);
}

static void
collector_clear (Collector *c)
{
  g_clear_pointer (&c->records, g_array_unref);
}

static void
free_bytes_or_null (gpointer data)
{
  if (data != NULL)
    g_bytes_unref (data);
}

static gboolean
collect_cb (const MrRecordBatchHeader *batch,
            const MrRecord            *record,
            gpointer                   user_data)
{
  Collector *c = user_data;
  SeenRecord seen = { 0 };

  c->batch = *batch;
  seen.offset = record->offset;
  seen.timestamp = record->timestamp;
  if (record->key_len >= 0)
    seen.key = g_bytes_new (record->key, record->key_len);
  if (record->value_len >= 0)
    seen.value = g_bytes_new (record->value, record->value_len);

  seen.header_keys = g_ptr_array_new_with_free_func (g_free);
  seen.header_values = g_ptr_array_new_with_free_func (free_bytes_or_null);
  g_assert_true (record->n_headers == 0 || record->headers != NULL);
  for (guint i = 0; i < record->n_headers; i++)
    {
      const MrRecordHeader *h = &record->headers[i];

      g_ptr_array_add (seen.header_keys, g_strndup (h->key, h->key_len));
      g_ptr_array_add (seen.header_values,
                       h->value_len >= 0 ? g_bytes_new (h->value, h->value_len)
                                         : NULL);
    }

  g_array_append_val (c->records, seen);

  return c->stop_after == 0 || c->records->len < c->stop_after;
}

static SeenRecord *
seen_at (Collector *c,
         guint      i)
{
  g_assert_cmpuint (i, <, c->records->len);
  return &g_array_index (c->records, SeenRecord, i);
}

static void
assert_bytes_eq (GBytes     *bytes,
                 const char *expected,
                 gssize      expected_len)
{
  if (expected_len < 0)
    {
      g_assert_null (bytes);
      return;
    }

  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, expected_len);
}

static GBytes *
bytes_from_hex (const char *hex)
{
  gsize len = strlen (hex);
  guint8 *buf = g_malloc (len / 2);

  g_assert_cmpuint (len % 2, ==, 0);
  for (gsize i = 0; i < len / 2; i++)
    buf[i] = (guint8)((g_ascii_xdigit_value (hex[2 * i]) << 4) |
                      g_ascii_xdigit_value (hex[2 * i + 1]));

  return g_bytes_new_take (buf, len / 2);
}

static void
write_be32 (guint8  *p,
            guint32  v)
{
  p[0] = (guint8)(v >> 24);
  p[1] = (guint8)(v >> 16);
  p[2] = (guint8)(v >> 8);
  p[3] = (guint8)v;
}

static void
write_be64 (guint8  *p,
            guint64  v)
{
  write_be32 (p, (guint32)(v >> 32));
  write_be32 (p + 4, (guint32)v);
}

/* Stores the CRC32C of bytes 21..end, as a producer would. */
static void
fix_crc (guint8 *batch,
         gsize   len)
{
  write_be32 (batch + MR_RECORD_BATCH_OFFSET_CRC,
              mr_crc32c (0, batch + MR_RECORD_BATCH_OFFSET_ATTRIBUTES,
                         len - MR_RECORD_BATCH_OFFSET_ATTRIBUTES));
}

/* Claims a codec without compressing anything. */
static void
relabel_codec (GByteArray    *batch,
               MrCompression  codec)
{
  batch->data[MR_RECORD_BATCH_OFFSET_ATTRIBUTES + 1] = (guint8)codec;
  fix_crc (batch->data, batch->len);
}

static char *
repeat (const char *s,
        guint       n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (out, s);
  return g_string_free (out, FALSE);
}

static GByteArray *
copy_batch (GBytes *batch)
{
  GByteArray *copy = g_byte_array_new ();

  g_byte_array_append (copy, g_bytes_get_data (batch, NULL),
                       (guint)g_bytes_get_size (batch));
  return copy;
}

/* Raw record encoding, written independently of the builder. */
static void
put_uvarint (GByteArray *out,
             guint64     v)
{
  while (v >= 0x80)
    {
      guint8 b = (guint8)(v | 0x80);

      g_byte_array_append (out, &b, 1);
      v >>= 7;
    }
  {
    guint8 b = (guint8)v;

    g_byte_array_append (out, &b, 1);
  }
}

static void
put_varint (GByteArray *out,
            gint64      n)
{
  put_uvarint (out, n >= 0 ? (guint64)n * 2 : (guint64)(-(n + 1)) * 2 + 1);
}

static void
put_string (GByteArray *out,
            const char *s)
{
  if (s == NULL)
    {
      put_varint (out, -1);
      return;
    }
  put_varint (out, (gint64)strlen (s));
  g_byte_array_append (out, (const guint8 *)s, (guint)strlen (s));
}

/* Appends a well-formed record with no headers. */
static void
put_record (GByteArray *out,
            gint32      offset_delta,
            const char *key,
            const char *value)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint8 zero = 0;

  g_byte_array_append (body, &zero, 1);
  put_varint (body, 0);
  put_varint (body, offset_delta);
  put_string (body, key);
  put_string (body, value);
  put_varint (body, 0);

  put_varint (out, body->len);
  g_byte_array_append (out, body->data, body->len);
}

/* A batch around a hand-made records section, with a correct CRC, so that
 * only what the test put in the records can be wrong. */
static GByteArray *
craft_batch (const GByteArray *records,
             gint32            record_count,
             gint32            last_offset_delta,
             MrCompression     codec)
{
  g_autoptr(GError) error = NULL;
  GByteArray *batch = g_byte_array_new ();

  g_byte_array_set_size (batch, MR_RECORD_BATCH_HEADER_SIZE);
  memset (batch->data, 0, MR_RECORD_BATCH_HEADER_SIZE);
  g_assert_true (mr_compression_compress (codec, records->data, records->len,
                                          batch, &error));
  g_assert_no_error (error);

  write_be64 (batch->data, 42);
  write_be32 (batch->data + MR_RECORD_BATCH_OFFSET_LENGTH,
              batch->len - MR_RECORD_BATCH_LOG_OVERHEAD);
  write_be32 (batch->data + MR_RECORD_BATCH_OFFSET_LEADER_EPOCH, 7);
  batch->data[MR_RECORD_BATCH_OFFSET_MAGIC] = 2;
  batch->data[MR_RECORD_BATCH_OFFSET_ATTRIBUTES + 1] = (guint8)codec;
  write_be32 (batch->data + MR_RECORD_BATCH_OFFSET_LAST_OFFSET_DELTA,
              (guint32)last_offset_delta);
  write_be64 (batch->data + MR_RECORD_BATCH_OFFSET_BASE_TIMESTAMP, 5000);
  write_be64 (batch->data + MR_RECORD_BATCH_OFFSET_MAX_TIMESTAMP, 5000);
  write_be64 (batch->data + MR_RECORD_BATCH_OFFSET_PRODUCER_ID, G_MAXUINT64);
  batch->data[MR_RECORD_BATCH_OFFSET_PRODUCER_EPOCH] = 0xff;
  batch->data[MR_RECORD_BATCH_OFFSET_PRODUCER_EPOCH + 1] = 0xff;
  write_be32 (batch->data + MR_RECORD_BATCH_OFFSET_BASE_SEQUENCE, G_MAXUINT32);
  write_be32 (batch->data + MR_RECORD_BATCH_OFFSET_RECORD_COUNT,
              (guint32)record_count);
  fix_crc (batch->data, batch->len);

  return batch;
}

static void
assert_corrupt_records (const GByteArray *records,
                        gint32            record_count,
                        gint32            last_offset_delta,
                        const char       *fragment)
{
  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GByteArray) batch = NULL;
      g_autoptr(GError) error = NULL;
      Collector collector;

      batch = craft_batch (records, record_count, last_offset_delta,
                           all_codecs[c]);

      /* The CRC is right: only the framing lies. */
      g_assert_true (mr_record_batch_validate (batch->data, batch->len, NULL,
                                               &error));
      g_assert_no_error (error);

      collector_init (&collector);
      g_assert_false (mr_record_batch_foreach_record (batch->data, batch->len,
                                                      collect_cb, &collector,
                                                      &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
      g_test_message ("%s: %s", mr_compression_to_string (all_codecs[c]),
                      error->message);
      g_assert_nonnull (strstr (error->message, "offset 42"));
      if (fragment != NULL)
        g_assert_nonnull (strstr (error->message, fragment));
      collector_clear (&collector);
    }
}

static GBytes *
build_sample_batch (MrCompression codec,
                    gint64        base_offset)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  static const MrRecordHeader headers[] = {
    { "trace-id", 8, (const guint8 *)"abc", 3 },
    { "empty", 5, (const guint8 *)"", 0 },
    { "gone", 4, NULL, -1 },
  };
  GBytes *batch;

  builder = mr_record_batch_builder_new (codec);
  mr_record_batch_builder_set_base_offset (builder, base_offset);

  mr_record_batch_builder_add (builder, 1000, (const guint8 *)"alpha", 5,
                               (const guint8 *)"one", 3,
                               headers, G_N_ELEMENTS (headers));
  /* A null key, and a timestamp before the first one. */
  mr_record_batch_builder_add (builder, 990, NULL, -1,
                               (const guint8 *)"two", 3, NULL, 0);
  /* A tombstone. */
  mr_record_batch_builder_add (builder, 1500, (const guint8 *)"gamma", 5,
                               NULL, -1, NULL, 0);
  /* Empty, not null. */
  mr_record_batch_builder_add (builder, 1200, (const guint8 *)"", 0,
                               (const guint8 *)"", 0, headers + 2, 1);
  /* Enough repetitive data for the codecs to have something to do. */
  for (guint i = 0; i < 100; i++)
    {
      char key[16];
      char value[200];

      g_snprintf (key, sizeof key, "k%03u", i);
      memset (value, 'a' + (int)(i % 26), sizeof value);
      mr_record_batch_builder_add (builder, 1300 + i, (const guint8 *)key,
                                   4, (const guint8 *)value, sizeof value,
                                   NULL, 0);
    }

  g_assert_cmpuint (mr_record_batch_builder_get_n_records (builder), ==, 104);
  batch = mr_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (batch);
  return batch;
}

static void
assert_sample_records (Collector *c,
                       gint64     base_offset,
                       gint64     append_time)
{
  SeenRecord *r;

  g_assert_cmpuint (c->records->len, ==, 104);

#define TS(t) (append_time >= 0 ? append_time : (t))
  r = seen_at (c, 0);
  g_assert_cmpint (r->offset, ==, base_offset);
  g_assert_cmpint (r->timestamp, ==, TS (1000));
  assert_bytes_eq (r->key, "alpha", 5);
  assert_bytes_eq (r->value, "one", 3);
  g_assert_cmpuint (r->header_keys->len, ==, 3);
  g_assert_cmpstr (r->header_keys->pdata[0], ==, "trace-id");
  assert_bytes_eq (r->header_values->pdata[0], "abc", 3);
  g_assert_cmpstr (r->header_keys->pdata[1], ==, "empty");
  assert_bytes_eq (r->header_values->pdata[1], "", 0);
  g_assert_cmpstr (r->header_keys->pdata[2], ==, "gone");
  assert_bytes_eq (r->header_values->pdata[2], NULL, -1);

  r = seen_at (c, 1);
  g_assert_cmpint (r->offset, ==, base_offset + 1);
  g_assert_cmpint (r->timestamp, ==, TS (990));
  assert_bytes_eq (r->key, NULL, -1);
  assert_bytes_eq (r->value, "two", 3);
  g_assert_cmpuint (r->header_keys->len, ==, 0);

  r = seen_at (c, 2);
  g_assert_cmpint (r->offset, ==, base_offset + 2);
  g_assert_cmpint (r->timestamp, ==, TS (1500));
  assert_bytes_eq (r->key, "gamma", 5);
  assert_bytes_eq (r->value, NULL, -1);

  r = seen_at (c, 3);
  g_assert_cmpint (r->offset, ==, base_offset + 3);
  g_assert_cmpint (r->timestamp, ==, TS (1200));
  assert_bytes_eq (r->key, "", 0);
  assert_bytes_eq (r->value, "", 0);
  g_assert_cmpuint (r->header_keys->len, ==, 1);
  g_assert_cmpstr (r->header_keys->pdata[0], ==, "gone");
  assert_bytes_eq (r->header_values->pdata[0], NULL, -1);

  for (guint i = 0; i < 100; i++)
    {
      char key[16];
      char value[200];

      g_snprintf (key, sizeof key, "k%03u", i);
      memset (value, 'a' + (int)(i % 26), sizeof value);
      r = seen_at (c, 4 + i);
      g_assert_cmpint (r->offset, ==, base_offset + 4 + i);
      g_assert_cmpint (r->timestamp, ==, TS (1300 + i));
      assert_bytes_eq (r->key, key, 4);
      assert_bytes_eq (r->value, value, sizeof value);
    }
#undef TS
}

static void
test_record_batch_round_trip (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      MrCompression codec = all_codecs[c];
      g_autoptr(GBytes) batch = build_sample_batch (codec, 1000);
      g_autoptr(GError) error = NULL;
      MrRecordBatchHeader h;
      Collector collector;
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (batch, &len);

      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes",
                      mr_compression_to_string (codec), len);

      g_assert_true (mr_record_batch_validate (data, len, &h, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (mr_record_batch_header_get_size (&h), ==, len);
      g_assert_cmpint (h.base_offset, ==, 1000);
      g_assert_cmpint (h.partition_leader_epoch, ==, -1);
      g_assert_cmpint (h.magic, ==, 2);
      g_assert_cmpint (mr_record_batch_header_get_compression (&h), ==, codec);
      g_assert_cmpint (h.attributes & ~MR_RECORD_BATCH_CODEC_MASK, ==, 0);
      g_assert_cmpint (h.record_count, ==, 104);
      g_assert_cmpint (h.last_offset_delta, ==, 103);
      g_assert_cmpint (mr_record_batch_header_get_last_offset (&h), ==, 1103);
      g_assert_cmpint (h.base_timestamp, ==, 1000);
      g_assert_cmpint (h.max_timestamp, ==, 1500);
      g_assert_cmpint (h.producer_id, ==, -1);
      g_assert_cmpint (h.producer_epoch, ==, -1);
      g_assert_cmpint (h.base_sequence, ==, -1);

      if (codec != MR_COMPRESSION_NONE)
        g_assert_cmpuint (len, <, 104 * 200 / 4);

      collector_init (&collector);
      g_assert_true (mr_record_batch_foreach_record (data, len, collect_cb,
                                                     &collector, &error));
      g_assert_no_error (error);
      assert_sample_records (&collector, 1000, -1);
      g_assert_cmpint (collector.batch.record_count, ==, 104);
      collector_clear (&collector);
    }
}

static void
test_record_batch_golden_librdkafka (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (golden_batches); c++)
    {
      g_autoptr(GBytes) batch = bytes_from_hex (golden_batches[c]);
      g_autoptr(GError) error = NULL;
      g_autofree char *v1 = repeat ("abcdefgh", 16);
      g_autofree char *v2 = repeat ("value-two ", 12);
      MrRecordBatchHeader h;
      Collector collector;
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (batch, &len);

      g_assert_true (mr_record_batch_validate (data, len, &h, &error));
      g_assert_no_error (error);
      g_assert_cmpint (mr_record_batch_header_get_compression (&h),
                       ==, all_codecs[c]);
      g_assert_cmpint (h.record_count, ==, 3);
      g_assert_cmpint (h.last_offset_delta, ==, 2);
      g_assert_cmpint (h.producer_id, ==, -1);

      collector_init (&collector);
      g_assert_true (mr_record_batch_foreach_record (data, len, collect_cb,
                                                     &collector, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (collector.records->len, ==, 3);

      for (guint i = 0; i < 3; i++)
        {
          SeenRecord *r = seen_at (&collector, i);
          char key[3] = { 'k', (char)('1' + i), 0 };

          g_assert_cmpint (r->offset, ==, i);
          g_assert_cmpint (r->timestamp, ==, h.base_timestamp);
          assert_bytes_eq (r->key, key, 2);
          g_assert_cmpuint (r->header_keys->len, ==, 2);
          g_assert_cmpstr (r->header_keys->pdata[0], ==, "h1");
          assert_bytes_eq (r->header_values->pdata[0], "v1", 2);
          g_assert_cmpstr (r->header_keys->pdata[1], ==, "h2");
          assert_bytes_eq (r->header_values->pdata[1], NULL, -1);
        }
      assert_bytes_eq (seen_at (&collector, 0)->value, v1, strlen (v1));
      assert_bytes_eq (seen_at (&collector, 1)->value, v2, strlen (v2));
      assert_bytes_eq (seen_at (&collector, 2)->value, NULL, -1);
      collector_clear (&collector);

      /* Our builder writes the same bytes, apart from the leader epoch,
       * which librdkafka leaves at 0 and Kafka's Java client at -1. The
       * codecs' output differs between library versions, so the
       * comparison is for the uncompressed batch. */
      if (all_codecs[c] == MR_COMPRESSION_NONE)
        {
          g_autoptr(MrRecordBatchBuilder) builder = NULL;
          g_autoptr(GBytes) ours = NULL;
          const MrRecordHeader headers[] = {
            { "h1", 2, (const guint8 *)"v1", 2 },
            { "h2", 2, NULL, -1 },
          };
          const guint8 *ours_data;
          gsize ours_len = 0;

          builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
          mr_record_batch_builder_add (builder, h.base_timestamp,
                                       (const guint8 *)"k1", 2,
                                       (const guint8 *)v1, strlen (v1),
                                       headers, 2);
          mr_record_batch_builder_add (builder, h.base_timestamp,
                                       (const guint8 *)"k2", 2,
                                       (const guint8 *)v2, strlen (v2),
                                       headers, 2);
          mr_record_batch_builder_add (builder, h.base_timestamp,
                                       (const guint8 *)"k3", 2, NULL, -1,
                                       headers, 2);
          ours = mr_record_batch_builder_finish (builder, &error);
          g_assert_no_error (error);

          ours_data = g_bytes_get_data (ours, &ours_len);
          g_assert_cmpuint (ours_len, ==, len);
          g_assert_cmpmem (ours_data, 12, data, 12);
          g_assert_cmpmem (ours_data + 16, len - 16, data + 16, len - 16);
        }
    }
}

static void
test_record_batch_rewrite_unprotected (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GBytes) batch = build_sample_batch (all_codecs[c], 0);
      g_autoptr(GByteArray) copy = copy_batch (batch);
      g_autoptr(GError) error = NULL;
      MrRecordBatchHeader h;
      Collector collector;

      /* What the leader does on append: neither field is under the CRC. */
      mr_record_batch_set_base_offset (copy->data, 123456789012);
      mr_record_batch_set_leader_epoch (copy->data, 17);

      g_assert_true (mr_record_batch_validate (copy->data, copy->len, &h,
                                               &error));
      g_assert_no_error (error);
      g_assert_cmpint (h.base_offset, ==, 123456789012);
      g_assert_cmpint (h.partition_leader_epoch, ==, 17);
      g_assert_cmpmem (copy->data + 16, copy->len - 16,
                       (const guint8 *)g_bytes_get_data (batch, NULL) + 16,
                       copy->len - 16);

      collector_init (&collector);
      g_assert_true (mr_record_batch_foreach_record (copy->data, copy->len,
                                                     collect_cb, &collector,
                                                     &error));
      g_assert_no_error (error);
      assert_sample_records (&collector, 123456789012, -1);
      collector_clear (&collector);
    }
}

static void
test_record_batch_log_append_time (void)
{
  const gint64 append_time = 1767225600000;  /* 2026-01-01 */

  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GBytes) batch = build_sample_batch (all_codecs[c], 50);
      g_autoptr(GByteArray) copy = copy_batch (batch);
      g_autoptr(GError) error = NULL;
      MrRecordBatchHeader h;
      Collector collector;

      mr_record_batch_set_log_append_time (copy->data, copy->len,
                                           append_time);

      g_assert_true (mr_record_batch_validate (copy->data, copy->len, &h,
                                               &error));
      g_assert_no_error (error);
      g_assert_true (h.attributes & MR_RECORD_BATCH_LOG_APPEND_TIME);
      g_assert_cmpint (mr_record_batch_header_get_compression (&h),
                       ==, all_codecs[c]);
      g_assert_cmpint (h.max_timestamp, ==, append_time);
      /* The base timestamp stays: it is what the records' deltas are
       * relative to. */
      g_assert_cmpint (h.base_timestamp, ==, 1000);

      collector_init (&collector);
      g_assert_true (mr_record_batch_foreach_record (copy->data, copy->len,
                                                     collect_cb, &collector,
                                                     &error));
      g_assert_no_error (error);
      assert_sample_records (&collector, 50, append_time);
      collector_clear (&collector);

      /* Setting it again moves the time and keeps the CRC valid. */
      mr_record_batch_set_log_append_time (copy->data, copy->len,
                                           append_time + 1);
      g_assert_true (mr_record_batch_validate (copy->data, copy->len, &h,
                                               &error));
      g_assert_no_error (error);
      g_assert_cmpint (h.max_timestamp, ==, append_time + 1);
    }
}

static void
test_record_batch_bit_flips (void)
{
  g_autoptr(GBytes) batch = build_sample_batch (MR_COMPRESSION_NONE, 42);
  g_autoptr(GByteArray) copy = copy_batch (batch);

  for (guint i = 0; i < copy->len; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      copy->data[i] ^= 0x10;
      ok = mr_record_batch_validate (copy->data, copy->len, NULL, &error);

      if (i < MR_RECORD_BATCH_OFFSET_LENGTH ||
          (i >= MR_RECORD_BATCH_OFFSET_LEADER_EPOCH &&
           i < MR_RECORD_BATCH_OFFSET_MAGIC))
        {
          /* Base offset and leader epoch: outside the CRC by design. */
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else if (i == MR_RECORD_BATCH_OFFSET_MAGIC)
        {
          g_assert_error (error, MR_LOG_ERROR,
                          MR_LOG_ERROR_UNSUPPORTED_MAGIC);
          g_assert_false (ok);
        }
      else
        {
          g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
          g_assert_false (ok);
        }

      /* Damage to the covered bytes is reported as a CRC mismatch naming
       * both values and the batch, unless it breaks the header's
       * structure first. */
      if (i >= MR_RECORD_BATCH_HEADER_SIZE)
        {
          g_assert_nonnull (strstr (error->message, "CRC32C"));
          g_assert_nonnull (strstr (error->message, "expected"));
          g_assert_nonnull (strstr (error->message, "actual"));
          g_assert_nonnull (strstr (error->message, "offset 42"));
        }

      copy->data[i] ^= 0x10;
    }

  /* A flip anywhere in the covered bytes of a compressed batch too. */
  {
    g_autoptr(GBytes) zbatch = build_sample_batch (MR_COMPRESSION_ZSTD, 42);
    g_autoptr(GByteArray) zcopy = copy_batch (zbatch);

    for (guint i = MR_RECORD_BATCH_OFFSET_ATTRIBUTES; i < zcopy->len; i++)
      for (guint bit = 0; bit < 8; bit++)
        {
          g_autoptr(GError) error = NULL;

          zcopy->data[i] ^= (guint8)(1u << bit);
          g_assert_false (mr_record_batch_validate (zcopy->data, zcopy->len,
                                                    NULL, &error));
          g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
          g_assert_false (mr_record_batch_foreach_record (zcopy->data,
                                                          zcopy->len,
                                                          collect_cb, NULL,
                                                          NULL));
          zcopy->data[i] ^= (guint8)(1u << bit);
        }
  }
}

static void
test_record_batch_magic (void)
{
  g_autoptr(GBytes) batch = build_sample_batch (MR_COMPRESSION_NONE, 9);
  g_autoptr(GByteArray) copy = copy_batch (batch);
  static const guint8 magics[] = { 0, 1, 3, 0xff };

  for (guint i = 0; i < G_N_ELEMENTS (magics); i++)
    {
      g_autoptr(GError) error = NULL;
      MrRecordBatchHeader h;

      copy->data[MR_RECORD_BATCH_OFFSET_MAGIC] = magics[i];

      g_assert_false (mr_record_batch_header_parse (copy->data, copy->len,
                                                    &h, &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_UNSUPPORTED_MAGIC);
      g_clear_error (&error);

      g_assert_false (mr_record_batch_validate (copy->data, copy->len, NULL,
                                                &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_UNSUPPORTED_MAGIC);
      g_clear_error (&error);

      g_assert_false (mr_record_batch_foreach_record (copy->data, copy->len,
                                                      collect_cb, NULL,
                                                      &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_UNSUPPORTED_MAGIC);
    }

  /* A magic 1 message set entry is shorter than a v2 header: the magic
   * still decides the error. */
  {
    g_autoptr(GError) error = NULL;
    guint8 v1[34] = { 0 };

    write_be32 (v1 + 8, 22);
    v1[16] = 1;
    g_assert_false (mr_record_batch_header_parse (v1, sizeof v1, NULL,
                                                  &error));
    g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_UNSUPPORTED_MAGIC);
  }
}

static void
test_record_batch_truncated (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GBytes) batch = build_sample_batch (all_codecs[c], 7);
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (batch, &len);

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree guint8 *prefix = g_memdup2 (data, MAX (cut, 1));

          /* A copy of exactly the prefix, so that the sanitizers see any
           * read past it. */
          g_assert_false (mr_record_batch_validate (prefix, cut, NULL,
                                                    &error));
          g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
          g_clear_error (&error);

          g_assert_false (mr_record_batch_foreach_record (prefix, cut,
                                                          collect_cb, NULL,
                                                          &error));
          g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
          g_clear_error (&error);

          /* The header alone needs only its 61 bytes. */
          g_assert_cmpint (mr_record_batch_header_parse (prefix, cut, NULL,
                                                         &error),
                           ==, cut >= MR_RECORD_BATCH_HEADER_SIZE);
          if (cut < MR_RECORD_BATCH_HEADER_SIZE)
            g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
          else
            g_assert_no_error (error);
        }

      /* Trailing bytes after the batch (the next batch of a segment) are
       * not part of it. */
      {
        g_autoptr(GByteArray) longer = copy_batch (batch);
        g_autoptr(GError) error = NULL;
        Collector collector;

        g_byte_array_append (longer, (const guint8 *)"next batch", 10);
        g_assert_true (mr_record_batch_validate (longer->data, longer->len,
                                                 NULL, &error));
        g_assert_no_error (error);
        collector_init (&collector);
        g_assert_true (mr_record_batch_foreach_record (longer->data,
                                                       longer->len,
                                                       collect_cb,
                                                       &collector, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (collector.records->len, ==, 104);
        collector_clear (&collector);
      }
    }
}

static void
assert_bad_header (GByteArray *batch,
                   guint       offset,
                   guint32     value)
{
  g_autoptr(GByteArray) copy = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_byte_array_append (copy, batch->data, batch->len);
  write_be32 (copy->data + offset, value);
  fix_crc (copy->data, copy->len);

  g_assert_false (mr_record_batch_header_parse (copy->data, copy->len, NULL,
                                                &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_false (mr_record_batch_validate (copy->data, copy->len, NULL,
                                            &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
}

static void
test_record_batch_header_structure (void)
{
  g_autoptr(GByteArray) records = g_byte_array_new ();
  g_autoptr(GByteArray) batch = NULL;
  g_autoptr(GByteArray) copy = NULL;
  g_autoptr(GError) error = NULL;

  put_record (records, 0, "a", "1");
  put_record (records, 1, "b", "2");
  batch = craft_batch (records, 2, 1, MR_COMPRESSION_NONE);
  g_assert_true (mr_record_batch_validate (batch->data, batch->len, NULL,
                                           &error));
  g_assert_no_error (error);

  /* A length that does not cover the header. */
  assert_bad_header (batch, MR_RECORD_BATCH_OFFSET_LENGTH, 48);
  assert_bad_header (batch, MR_RECORD_BATCH_OFFSET_LENGTH, (guint32)-1);
  /* Negative counts, and more records than offsets. */
  assert_bad_header (batch, MR_RECORD_BATCH_OFFSET_RECORD_COUNT, (guint32)-1);
  assert_bad_header (batch, MR_RECORD_BATCH_OFFSET_LAST_OFFSET_DELTA,
                     (guint32)-1);
  assert_bad_header (batch, MR_RECORD_BATCH_OFFSET_RECORD_COUNT, 3);
  assert_bad_header (batch, MR_RECORD_BATCH_OFFSET_LAST_OFFSET_DELTA, 0);
  /* Codec 5: bits 0-2 of the attributes, at offset 21..22. */
  assert_bad_header (batch, MR_RECORD_BATCH_OFFSET_ATTRIBUTES - 2, 5);

  /* A length beyond the bytes present is a truncated batch for
   * validation, but the header itself parses. */
  copy = g_byte_array_new ();
  g_byte_array_append (copy, batch->data, batch->len);
  write_be32 (copy->data + MR_RECORD_BATCH_OFFSET_LENGTH, copy->len);
  g_assert_true (mr_record_batch_header_parse (copy->data, copy->len, NULL,
                                               &error));
  g_assert_no_error (error);
  g_assert_false (mr_record_batch_validate (copy->data, copy->len, NULL,
                                            &error));
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH);
  g_assert_nonnull (strstr (error->message, "truncated"));
}

static void
test_record_batch_malformed_records (void)
{
  /* Each case is a records section that validates (its CRC is right) but
   * whose framing lies, in every codec. */

  /* A record length past the end of the batch. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();

    put_record (records, 0, "a", "1");
    put_varint (records, 1000);
    g_byte_array_append (records, (const guint8 *)"\0\0\0\0\0\0\0", 7);
    assert_corrupt_records (records, 2, 1, "record 2 of 2");
  }

  /* A negative record length. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();

    put_varint (records, -5);
    g_byte_array_append (records, (const guint8 *)"\0\0\0\0\0\0\0", 7);
    assert_corrupt_records (records, 1, 0, "record 1 of 1");
  }

  /* A key length within the batch but past the record's own length: the
   * next record's bytes must not be read as this one's key. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 20, 'a', 2, '1', 0 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    put_record (records, 1, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "2");
    assert_corrupt_records (records, 2, 1, "record 1 of 2");
  }

  /* A varint of more than 5 bytes. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "varint");
  }

  /* A 5-byte varint with bits beyond 32. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "varint");
  }

  /* A varlong timestamp delta of 11 bytes. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                      0xff, 0xff, 0x01, 0, 0, 0, 0 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "varint");
  }

  /* A varint cut by the end of the record. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0x80 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "varint");
  }

  /* More records than the count. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();

    put_record (records, 0, "a", "1");
    put_record (records, 1, "b", "2");
    put_record (records, 2, "c", "3");
    assert_corrupt_records (records, 2, 2, "left over");
  }

  /* Fewer records than the count. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();

    put_record (records, 0, "a", "1");
    put_record (records, 1, "b", "2");
    assert_corrupt_records (records, 3, 2, "fewer records");
  }

  /* Bytes left inside a record after its fields. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 2, 'a', 2, '1', 0, 0, 0 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "left over");
  }

  /* A record shorter than its attributes. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();

    put_varint (records, 0);
    assert_corrupt_records (records, 1, 0, NULL);
  }

  /* A value length of -2. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 2, 'a', 3, 0 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "negative");
  }

  /* A negative header count, a huge one, and a null header key. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 2, 'a', 2, '1', 1 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "header count");
  }
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 2, 'a', 2, '1', 0xfe, 0xff, 0xff, 0xff, 0x07 };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "header count");
  }
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    guint8 body[] = { 0, 0, 0, 2, 'a', 2, '1', 2, 1, 2, 'v' };

    put_varint (records, sizeof body);
    g_byte_array_append (records, body, sizeof body);
    assert_corrupt_records (records, 1, 0, "negative");
  }

  /* Offset deltas that repeat, go backwards or pass the last delta. */
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();

    put_record (records, 0, "a", "1");
    put_record (records, 0, "b", "2");
    assert_corrupt_records (records, 2, 1, "offset delta");
  }
  {
    g_autoptr(GByteArray) records = g_byte_array_new ();

    put_record (records, 0, "a", "1");
    put_record (records, 5, "b", "2");
    assert_corrupt_records (records, 2, 4, "offset delta");
  }
}

static void
test_record_batch_compressed_garbage (void)
{
  g_autoptr(GByteArray) records = g_byte_array_new ();

  put_record (records, 0, "a", "1");

  /* A records section that does not decompress, under a valid CRC. */
  for (guint c = 1; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GByteArray) batch = NULL;
      g_autoptr(GError) error = NULL;

      batch = craft_batch (records, 1, 0, MR_COMPRESSION_NONE);
      relabel_codec (batch, all_codecs[c]);

      g_assert_true (mr_record_batch_validate (batch->data, batch->len, NULL,
                                               &error));
      g_assert_no_error (error);
      g_assert_false (mr_record_batch_foreach_record (batch->data, batch->len,
                                                      collect_cb, NULL,
                                                      &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_COMPRESSION);
      g_assert_nonnull (strstr (error->message, "offset 42"));
    }
}

static void
test_record_batch_random_damage (void)
{
  GRand *rand = g_rand_new_with_seed (2026);

  /* Damage with the CRC fixed afterwards, so that the record parser sees
   * it: any error is fine, a crash or a read out of bounds is not. */
  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GBytes) batch = build_sample_batch (all_codecs[c], 42);

      for (guint round = 0; round < 400; round++)
        {
          g_autoptr(GByteArray) copy = copy_batch (batch);
          g_autoptr(GError) error = NULL;
          Collector collector;
          gboolean ok;

          for (guint k = 0; k < 1 + round % 3; k++)
            {
              guint pos = (guint)g_rand_int_range (rand,
                                                   MR_RECORD_BATCH_HEADER_SIZE,
                                                   (gint32)copy->len);

              copy->data[pos] = (guint8)g_rand_int (rand);
            }
          fix_crc (copy->data, copy->len);

          collector_init (&collector);
          ok = mr_record_batch_foreach_record (copy->data, copy->len,
                                               collect_cb, &collector,
                                               &error);
          if (!ok)
            g_assert_true (g_error_matches (error, MR_LOG_ERROR,
                                            MR_LOG_ERROR_CORRUPT_BATCH) ||
                           g_error_matches (error, MR_LOG_ERROR,
                                            MR_LOG_ERROR_COMPRESSION));
          else
            g_assert_cmpuint (collector.records->len, ==, 104);
          collector_clear (&collector);
        }
    }

  g_rand_free (rand);
}

static void
test_record_batch_stop_early (void)
{
  g_autoptr(GBytes) batch = build_sample_batch (MR_COMPRESSION_LZ4, 0);
  g_autoptr(GError) error = NULL;
  Collector collector;

  collector_init (&collector);
  collector.stop_after = 2;
  g_assert_true (mr_record_batch_foreach_record (g_bytes_get_data (batch, NULL),
                                                 g_bytes_get_size (batch),
                                                 collect_cb, &collector,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpuint (collector.records->len, ==, 2);
  collector_clear (&collector);
}

static void
test_record_batch_empty (void)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) nothing = NULL;
  g_autoptr(GByteArray) records = g_byte_array_new ();

  /* The builder refuses to finish an empty batch. */
  builder = mr_record_batch_builder_new (MR_COMPRESSION_GZIP);
  g_assert_cmpuint (mr_record_batch_builder_get_size (builder),
                    ==, MR_RECORD_BATCH_HEADER_SIZE);
  nothing = mr_record_batch_builder_finish (builder, &error);
  g_assert_null (nothing);
  g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_ARGUMENT);

  /* Compaction keeps empty batches, header only, whatever their codec. */
  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GByteArray) batch = NULL;
      g_autoptr(GError) local_error = NULL;
      Collector collector;
      MrRecordBatchHeader h;

      batch = craft_batch (records, 0, 5, MR_COMPRESSION_NONE);
      relabel_codec (batch, all_codecs[c]);
      g_assert_cmpuint (batch->len, ==, MR_RECORD_BATCH_HEADER_SIZE);

      g_assert_true (mr_record_batch_validate (batch->data, batch->len, &h,
                                               &local_error));
      g_assert_no_error (local_error);
      g_assert_cmpint (h.record_count, ==, 0);
      g_assert_cmpint (mr_record_batch_header_get_last_offset (&h), ==, 47);

      collector_init (&collector);
      g_assert_true (mr_record_batch_foreach_record (batch->data, batch->len,
                                                     collect_cb, &collector,
                                                     &local_error));
      g_assert_no_error (local_error);
      g_assert_cmpuint (collector.records->len, ==, 0);
      collector_clear (&collector);
    }
}

static void
test_record_batch_builder_reuse (void)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;

  builder = mr_record_batch_builder_new (MR_COMPRESSION_SNAPPY);
  mr_record_batch_builder_set_producer (builder, 1234, 5, 100);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GBytes) batch = NULL;
      MrRecordBatchHeader h;
      gsize size_before;

      if (round == 0)
        {
          mr_record_batch_builder_set_base_offset (builder, 500);
          mr_record_batch_builder_set_last_offset_delta (builder, 9);
        }

      size_before = mr_record_batch_builder_get_size (builder);
      g_assert_cmpuint (size_before, ==, MR_RECORD_BATCH_HEADER_SIZE);
      for (guint i = 0; i < 3; i++)
        mr_record_batch_builder_add (builder, 10 * round + i,
                                     (const guint8 *)"k", 1,
                                     (const guint8 *)"v", 1, NULL, 0);
      g_assert_cmpuint (mr_record_batch_builder_get_n_records (builder), ==, 3);
      g_assert_cmpuint (mr_record_batch_builder_get_size (builder),
                        >, size_before);

      batch = mr_record_batch_builder_finish (builder, &error);
      g_assert_no_error (error);
      g_assert_true (mr_record_batch_validate (g_bytes_get_data (batch, NULL),
                                               g_bytes_get_size (batch), &h,
                                               &error));
      g_assert_no_error (error);

      /* Compression and producer stay; base offset and the last offset
       * delta are reset; the sequence continues after the last one. */
      g_assert_cmpint (mr_record_batch_header_get_compression (&h),
                       ==, MR_COMPRESSION_SNAPPY);
      g_assert_cmpint (h.producer_id, ==, 1234);
      g_assert_cmpint (h.producer_epoch, ==, 5);
      g_assert_cmpint (h.record_count, ==, 3);
      g_assert_cmpint (h.base_timestamp, ==, 10 * round);
      g_assert_cmpint (h.max_timestamp, ==, 10 * round + 2);
      switch (round)
        {
        case 0:
          g_assert_cmpint (h.base_offset, ==, 500);
          g_assert_cmpint (h.last_offset_delta, ==, 9);
          g_assert_cmpint (h.base_sequence, ==, 100);
          break;
        case 1:
          g_assert_cmpint (h.base_offset, ==, 0);
          g_assert_cmpint (h.last_offset_delta, ==, 2);
          g_assert_cmpint (h.base_sequence, ==, 110);
          break;
        default:
          g_assert_cmpint (h.base_offset, ==, 0);
          g_assert_cmpint (h.last_offset_delta, ==, 2);
          g_assert_cmpint (h.base_sequence, ==, 113);
          break;
        }
    }

  /* Sequence numbers wrap to 0 after G_MAXINT32, as Kafka's do. */
  {
    g_autoptr(GBytes) first = NULL;
    g_autoptr(GBytes) second = NULL;
    MrRecordBatchHeader h;

    mr_record_batch_builder_set_producer (builder, 1, 0, G_MAXINT32 - 1);
    for (guint i = 0; i < 3; i++)
      mr_record_batch_builder_add (builder, 0, NULL, -1, NULL, -1, NULL, 0);
    first = mr_record_batch_builder_finish (builder, &error);
    g_assert_no_error (error);
    mr_record_batch_builder_add (builder, 0, NULL, -1, NULL, -1, NULL, 0);
    second = mr_record_batch_builder_finish (builder, &error);
    g_assert_no_error (error);
    g_assert_true (mr_record_batch_header_parse (g_bytes_get_data (second,
                                                                   NULL),
                                                 g_bytes_get_size (second),
                                                 &h, &error));
    g_assert_cmpint (h.base_sequence, ==, 1);
  }

  /* Without a producer, the sequence stays -1. */
  {
    g_autoptr(MrRecordBatchBuilder) plain = NULL;
    MrRecordBatchHeader h;

    plain = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
    for (guint round = 0; round < 2; round++)
      {
        g_autoptr(GBytes) batch = NULL;

        mr_record_batch_builder_add (plain, 0, NULL, -1, NULL, -1, NULL, 0);
        batch = mr_record_batch_builder_finish (plain, &error);
        g_assert_no_error (error);
        g_assert_true (mr_record_batch_header_parse (g_bytes_get_data (batch,
                                                                       NULL),
                                                     g_bytes_get_size (batch),
                                                     &h, &error));
        g_assert_cmpint (h.base_sequence, ==, -1);
        g_assert_cmpint (h.producer_id, ==, -1);
      }
  }
}

static void
test_record_batch_add_record (void)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  static const gint64 offsets[] = { 100, 103, 107 };
  MrRecordBatchHeader h;
  Collector collector;

  /* Compaction copies surviving records with their offsets. */
  builder = mr_record_batch_builder_new (MR_COMPRESSION_GZIP);
  mr_record_batch_builder_set_base_offset (builder, 100);
  mr_record_batch_builder_set_last_offset_delta (builder, 9);
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      MrRecordHeader header = { "h", 1, (const guint8 *)"x", 1 };
      MrRecord record = {
        .offset = offsets[i],
        .timestamp = 7000 - (gint64)i,
        .key = (const guint8 *)"key",
        .key_len = 3,
        .value = (const guint8 *)"value",
        .value_len = 5,
        .headers = &header,
        .n_headers = 1,
      };

      mr_record_batch_builder_add_record (builder, &record);
    }

  batch = mr_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  g_assert_true (mr_record_batch_validate (g_bytes_get_data (batch, NULL),
                                           g_bytes_get_size (batch), &h,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpint (h.record_count, ==, 3);
  g_assert_cmpint (h.last_offset_delta, ==, 9);
  g_assert_cmpint (h.base_timestamp, ==, 7000);
  g_assert_cmpint (h.max_timestamp, ==, 7000);

  collector_init (&collector);
  g_assert_true (mr_record_batch_foreach_record (g_bytes_get_data (batch, NULL),
                                                 g_bytes_get_size (batch),
                                                 collect_cb, &collector,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpuint (collector.records->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (seen_at (&collector, i)->offset, ==, offsets[i]);
      g_assert_cmpint (seen_at (&collector, i)->timestamp, ==, 7000 - i);
    }
  collector_clear (&collector);
}

static void
test_record_batch_wide_fields (void)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = g_malloc (70000);
  MrRecordHeader headers[40];
  char names[40][8];
  Collector collector;
  /* Deltas that need long varlongs both ways. */
  static const gint64 timestamps[] = {
    0, G_MAXINT64 / 2, -(G_MAXINT64 / 2), 1, -1,
  };

  for (guint i = 0; i < 70000; i++)
    big[i] = (guint8)(i * 13);
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_snprintf (names[i], sizeof names[i], "h%02u", i);
      headers[i].key = names[i];
      headers[i].key_len = 3;
      headers[i].value = big;
      headers[i].value_len = i % 3 == 0 ? -1 : (gssize)i * 10;
    }

  builder = mr_record_batch_builder_new (MR_COMPRESSION_ZSTD);
  for (guint i = 0; i < G_N_ELEMENTS (timestamps); i++)
    mr_record_batch_builder_add (builder, timestamps[i], big, 300, big,
                                 i == 2 ? 70000 : 127 + i, headers,
                                 i == 1 ? G_N_ELEMENTS (headers) : 0);
  batch = mr_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);

  collector_init (&collector);
  g_assert_true (mr_record_batch_foreach_record (g_bytes_get_data (batch, NULL),
                                                 g_bytes_get_size (batch),
                                                 collect_cb, &collector,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpuint (collector.records->len, ==, G_N_ELEMENTS (timestamps));
  for (guint i = 0; i < G_N_ELEMENTS (timestamps); i++)
    {
      SeenRecord *r = seen_at (&collector, i);

      g_assert_cmpint (r->timestamp, ==, timestamps[i]);
      assert_bytes_eq (r->key, (const char *)big, 300);
      assert_bytes_eq (r->value, (const char *)big, i == 2 ? 70000 : 127 + i);
    }

  {
    SeenRecord *r = seen_at (&collector, 1);

    g_assert_cmpuint (r->header_keys->len, ==, G_N_ELEMENTS (headers));
    for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
      {
        g_assert_cmpstr (r->header_keys->pdata[i], ==, names[i]);
        assert_bytes_eq (r->header_values->pdata[i], (const char *)big,
                         headers[i].value_len);
      }
  }
  collector_clear (&collector);
}

static void
test_record_batch_builder_preconditions (void)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  MrRecord record = {
    .offset = 10,
    .timestamp = 1,
    .key = NULL,
    .key_len = -1,
    .value = (const guint8 *)"v",
    .value_len = 1,
  };

  builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
  mr_record_batch_builder_add_record (builder, &record);

  /* Offsets must increase: a repeated one is refused and not added. */
  g_test_expect_message ("mr-log", G_LOG_LEVEL_CRITICAL,
                         "*delta > builder->last_delta*");
  mr_record_batch_builder_add_record (builder, &record);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (mr_record_batch_builder_get_n_records (builder), ==, 1);

  batch = mr_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (batch);
}

static gboolean
count_cb (const MrRecordBatchHeader *batch,
          const MrRecord            *record,
          gpointer                   user_data)
{
  guint *count = user_data;

  g_assert_cmpint (record->offset, ==, *count);
  g_assert_cmpint (record->value_len, ==, 100);
  (*count)++;
  return TRUE;
}

static void
test_record_batch_test_util (void)
{
  /* The helper other tests and the benchmarks build their data with. */
  for (guint c = 0; c < G_N_ELEMENTS (all_codecs); c++)
    {
      g_autoptr(GBytes) batch = NULL;
      g_autoptr(GError) error = NULL;
      MrRecordBatchHeader h;
      guint count = 0;

      batch = mr_test_build_batch (150, 100, 7, 1700000000000, all_codecs[c]);
      g_assert_true (mr_record_batch_validate (g_bytes_get_data (batch, NULL),
                                               g_bytes_get_size (batch), &h,
                                               &error));
      g_assert_no_error (error);
      g_assert_cmpint (h.record_count, ==, 150);
      g_assert_cmpint (h.base_timestamp, ==, 1700000000000);
      g_assert_cmpint (h.max_timestamp, ==, 1700000000149);
      g_assert_true (mr_record_batch_foreach_record (g_bytes_get_data (batch,
                                                                       NULL),
                                                     g_bytes_get_size (batch),
                                                     count_cb, &count,
                                                     &error));
      g_assert_no_error (error);
      g_assert_cmpuint (count, ==, 150);
    }
}

/* A fetch answer's bytes: whole batches one after another, the last one
 * possibly cut short. The cursor gives the whole ones, then stops. */
static void
test_record_batch_cursor (void)
{
  g_autoptr(GBytes) first = mr_test_build_batch (3, 10, 0, 1000,
                                                 MR_COMPRESSION_NONE);
  g_autoptr(GBytes) second = mr_test_build_batch (5, 20, 3, 2000,
                                                  MR_COMPRESSION_NONE);
  g_autoptr(GByteArray) joined = g_byte_array_new ();
  MrRecordBatchHeader header;
  MrBatchCursor cursor;
  const guint8 *batch;
  gsize size;

  g_byte_array_append (joined, g_bytes_get_data (first, NULL),
                       g_bytes_get_size (first));
  g_byte_array_append (joined, g_bytes_get_data (second, NULL),
                       g_bytes_get_size (second));
  /* The start of a third batch: the cut a fetch's byte limit makes. */
  g_byte_array_append (joined, g_bytes_get_data (second, NULL), 30);

  for (gsize keep = 0; keep <= joined->len; keep++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (joined->data, keep);
      guint n = 0;

      mr_batch_cursor_init (&cursor, bytes);
      while (mr_batch_cursor_next (&cursor, &header, &batch, &size))
        {
          g_assert_true (batch == (const guint8 *)g_bytes_get_data (bytes, NULL)
                         + (n == 0 ? 0 : g_bytes_get_size (first)));
          g_assert_cmpint (header.record_count, ==, n == 0 ? 3 : 5);
          g_assert_cmpuint (size, ==, g_bytes_get_size (n == 0 ? first
                                                                : second));
          n++;
        }
      g_assert_cmpuint (n, ==, keep < g_bytes_get_size (first) ? 0
                               : keep < g_bytes_get_size (first)
                                        + g_bytes_get_size (second) ? 1 : 2);
    }

  /* No bytes at all (a fetch with nothing new). */
  mr_batch_cursor_init (&cursor, NULL);
  g_assert_false (mr_batch_cursor_next (&cursor, &header, &batch, &size));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record-batch/round-trip", test_record_batch_round_trip);
  g_test_add_func ("/record-batch/cursor", test_record_batch_cursor);
  g_test_add_func ("/record-batch/golden-librdkafka",
                   test_record_batch_golden_librdkafka);
  g_test_add_func ("/record-batch/rewrite-unprotected",
                   test_record_batch_rewrite_unprotected);
  g_test_add_func ("/record-batch/log-append-time",
                   test_record_batch_log_append_time);
  g_test_add_func ("/record-batch/bit-flips", test_record_batch_bit_flips);
  g_test_add_func ("/record-batch/magic", test_record_batch_magic);
  g_test_add_func ("/record-batch/truncated", test_record_batch_truncated);
  g_test_add_func ("/record-batch/header-structure",
                   test_record_batch_header_structure);
  g_test_add_func ("/record-batch/malformed-records",
                   test_record_batch_malformed_records);
  g_test_add_func ("/record-batch/compressed-garbage",
                   test_record_batch_compressed_garbage);
  g_test_add_func ("/record-batch/random-damage",
                   test_record_batch_random_damage);
  g_test_add_func ("/record-batch/stop-early", test_record_batch_stop_early);
  g_test_add_func ("/record-batch/empty", test_record_batch_empty);
  g_test_add_func ("/record-batch/builder-reuse",
                   test_record_batch_builder_reuse);
  g_test_add_func ("/record-batch/add-record", test_record_batch_add_record);
  g_test_add_func ("/record-batch/builder-preconditions",
                   test_record_batch_builder_preconditions);
  g_test_add_func ("/record-batch/wide-fields", test_record_batch_wide_fields);
  g_test_add_func ("/record-batch/test-util", test_record_batch_test_util);

  return g_test_run ();
}

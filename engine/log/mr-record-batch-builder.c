/* mr-record-batch-builder.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Encodes record batches (magic 2; the format is described at the top of
 * mr-record-batch.c).
 *
 * Records are encoded straight into one GByteArray that starts with room
 * for the 61-byte header. The array's length is its capacity and
 * builder->used the bytes written: each add computes the record's encoded
 * size first, makes room once (doubling) and writes the fields in place, so
 * adding a record costs no allocation and no call into GLib in the steady
 * state. _finish() compresses the records section into a second reused
 * array when a codec is set, fills in the header and the CRC, and copies
 * the result into a GBytes of exactly the batch's size. Both arrays keep
 * their capacity across batches, up to MAX_KEPT_CAPACITY.
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-record-batch-builder.h"

#include <string.h>

#include "mr-crc32c.h"
#include "mr-log-error.h"

#define INITIAL_CAPACITY  (16 * 1024)
#define MAX_KEPT_CAPACITY (4 * 1024 * 1024)

struct _MrRecordBatchBuilder
{
  MrCompression  compression;
  gint64         base_offset;
  gint64         producer_id;
  gint16         producer_epoch;
  gint32         base_sequence;
  /* From set_last_offset_delta(); -1 when unset. */
  gint32         min_last_offset_delta;

  /* The header's room, then the uncompressed records, in the first @used
   * bytes of @buffer. */
  GByteArray    *buffer;
  gsize          used;
  /* The header, then the compressed records. */
  GByteArray    *compressed;

  guint          n_records;
  gint64         last_delta;       /* -1 before the first record */
  gint64         base_timestamp;
  gint64         max_timestamp;
};

static inline guint64
zigzag (gint64 n)
{
  return ((guint64)n << 1) ^ (0 - ((guint64)n >> 63));
}

static inline gsize
uvarint_size (guint64 v)
{
  gsize size = 1;

  while (v >= 0x80)
    {
      v >>= 7;
      size++;
    }

  return size;
}

static inline gsize
varint_size (gint64 n)
{
  return uvarint_size (zigzag (n));
}

static inline guint8 *
put_varint (guint8 *p,
            gint64  n)
{
  guint64 v = zigzag (n);

  while (v >= 0x80)
    {
      *p++ = (guint8)(v | 0x80);
      v >>= 7;
    }
  *p++ = (guint8)v;

  return p;
}

/* A length-prefixed byte string; a negative length is null. */
static inline guint8 *
put_bytes (guint8       *p,
           const void   *data,
           gssize        len)
{
  if (len < 0)
    return put_varint (p, -1);

  p = put_varint (p, len);
  if (len > 0)
    memcpy (p, data, (gsize)len);

  return p + len;
}

static inline gsize
bytes_size (gssize len)
{
  return len < 0 ? 1 : varint_size (len) + (gsize)len;
}

static inline void
put_be16 (guint8  *p,
          guint16  v)
{
  p[0] = (guint8)(v >> 8);
  p[1] = (guint8)v;
}

static inline void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = (guint8)(v >> 24);
  p[1] = (guint8)(v >> 16);
  p[2] = (guint8)(v >> 8);
  p[3] = (guint8)v;
}

static inline void
put_be64 (guint8  *p,
          guint64  v)
{
  put_be32 (p, (guint32)(v >> 32));
  put_be32 (p + 4, (guint32)v);
}

static void
builder_reset (MrRecordBatchBuilder *builder)
{
  builder->base_offset = 0;
  builder->min_last_offset_delta = -1;
  builder->n_records = 0;
  builder->last_delta = -1;
  builder->base_timestamp = -1;
  builder->max_timestamp = -1;
  builder->used = MR_RECORD_BATCH_HEADER_SIZE;

  /* Do not keep the memory of one exceptionally large batch. */
  if (builder->buffer->len > MAX_KEPT_CAPACITY)
    {
      g_byte_array_unref (builder->buffer);
      builder->buffer = g_byte_array_sized_new (INITIAL_CAPACITY);
      g_byte_array_set_size (builder->buffer, INITIAL_CAPACITY);
    }
  if (builder->compressed->len > MAX_KEPT_CAPACITY)
    {
      g_byte_array_unref (builder->compressed);
      builder->compressed = g_byte_array_new ();
    }
}

static inline guint8 *
builder_reserve (MrRecordBatchBuilder *builder,
                 gsize                 n)
{
  GByteArray *buffer = builder->buffer;

  if (G_UNLIKELY (n > buffer->len - builder->used))
    g_byte_array_set_size (buffer, (guint)MAX ((gsize)buffer->len * 2,
                                               builder->used + n));

  return buffer->data + builder->used;
}

static void
builder_append (MrRecordBatchBuilder *builder,
                gint32                offset_delta,
                gint64                timestamp,
                const guint8         *key,
                gssize                key_len,
                const guint8         *value,
                gssize                value_len,
                const MrRecordHeader *headers,
                guint                 n_headers)
{
  gint64 base_timestamp;
  gint64 timestamp_delta;
  gsize body;
  gsize total;
  guint8 *p;

  /* The first record's timestamp is the base, as in the Java client and
   * librdkafka; later ones may be smaller (negative deltas). Wrapping
   * arithmetic: the delta of two real timestamps never wraps. */
  base_timestamp = builder->n_records == 0 ? timestamp
                                           : builder->base_timestamp;
  timestamp_delta = (gint64)((guint64)timestamp - (guint64)base_timestamp);

  body = 1 + varint_size (timestamp_delta) + varint_size (offset_delta) +
         bytes_size (key_len) + bytes_size (value_len) +
         varint_size (n_headers);
  for (guint i = 0; i < n_headers; i++)
    body += bytes_size ((gssize)headers[i].key_len) +
            bytes_size (headers[i].value_len);

  total = varint_size ((gint64)body) + body;
  g_return_if_fail (body <= G_MAXINT32 &&
                    total <= (gsize)G_MAXINT32 - builder->used);

  p = builder_reserve (builder, total);

  p = put_varint (p, (gint64)body);
  *p++ = 0;
  p = put_varint (p, timestamp_delta);
  p = put_varint (p, offset_delta);
  p = put_bytes (p, key, key_len);
  p = put_bytes (p, value, value_len);
  p = put_varint (p, n_headers);
  for (guint i = 0; i < n_headers; i++)
    {
      p = put_bytes (p, headers[i].key, (gssize)headers[i].key_len);
      p = put_bytes (p, headers[i].value, headers[i].value_len);
    }

  g_assert (p == builder->buffer->data + builder->used + total);

  if (builder->n_records == 0 || timestamp > builder->max_timestamp)
    builder->max_timestamp = timestamp;
  builder->base_timestamp = base_timestamp;
  builder->used += total;
  builder->n_records++;
  builder->last_delta = offset_delta;
}

MrRecordBatchBuilder *
mr_record_batch_builder_new (MrCompression compression)
{
  MrRecordBatchBuilder *builder;

  g_return_val_if_fail (compression <= MR_COMPRESSION_LAST, NULL);

  builder = g_new0 (MrRecordBatchBuilder, 1);
  builder->compression = compression;
  builder->producer_id = -1;
  builder->producer_epoch = -1;
  builder->base_sequence = -1;
  builder->buffer = g_byte_array_sized_new (INITIAL_CAPACITY);
  g_byte_array_set_size (builder->buffer, INITIAL_CAPACITY);
  builder->compressed = g_byte_array_new ();
  builder_reset (builder);

  return builder;
}

void
mr_record_batch_builder_free (MrRecordBatchBuilder *builder)
{
  if (builder == NULL)
    return;

  g_byte_array_unref (builder->buffer);
  g_byte_array_unref (builder->compressed);
  g_free (builder);
}

void
mr_record_batch_builder_set_base_offset (MrRecordBatchBuilder *builder,
                                         gint64                base_offset)
{
  g_return_if_fail (builder != NULL);

  builder->base_offset = base_offset;
}

void
mr_record_batch_builder_set_producer (MrRecordBatchBuilder *builder,
                                      gint64                producer_id,
                                      gint16                producer_epoch,
                                      gint32                base_sequence)
{
  g_return_if_fail (builder != NULL);

  builder->producer_id = producer_id;
  builder->producer_epoch = producer_epoch;
  builder->base_sequence = base_sequence;
}

void
mr_record_batch_builder_set_last_offset_delta (MrRecordBatchBuilder *builder,
                                               gint32                last_offset_delta)
{
  g_return_if_fail (builder != NULL);
  g_return_if_fail (last_offset_delta >= 0);

  builder->min_last_offset_delta = last_offset_delta;
}

void
mr_record_batch_builder_add (MrRecordBatchBuilder *builder,
                             gint64                timestamp,
                             const guint8         *key,
                             gssize                key_len,
                             const guint8         *value,
                             gssize                value_len,
                             const MrRecordHeader *headers,
                             guint                 n_headers)
{
  g_return_if_fail (builder != NULL);
  g_return_if_fail (key != NULL || key_len <= 0);
  g_return_if_fail (value != NULL || value_len <= 0);
  g_return_if_fail (key_len >= -1 && key_len <= G_MAXINT32);
  g_return_if_fail (value_len >= -1 && value_len <= G_MAXINT32);
  g_return_if_fail (headers != NULL || n_headers == 0);
  g_return_if_fail (builder->last_delta < G_MAXINT32);

  builder_append (builder, (gint32)(builder->last_delta + 1), timestamp,
                  key, key_len, value, value_len, headers, n_headers);
}

void
mr_record_batch_builder_add_record (MrRecordBatchBuilder *builder,
                                    const MrRecord       *record)
{
  gint64 delta;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (record != NULL);
  g_return_if_fail (record->key != NULL || record->key_len <= 0);
  g_return_if_fail (record->value != NULL || record->value_len <= 0);
  g_return_if_fail (record->headers != NULL || record->n_headers == 0);

  delta = record->offset - builder->base_offset;
  g_return_if_fail (delta > builder->last_delta && delta <= G_MAXINT32);

  builder_append (builder, (gint32)delta, record->timestamp,
                  record->key, record->key_len,
                  record->value, record->value_len,
                  record->headers, record->n_headers);
}

guint
mr_record_batch_builder_get_n_records (MrRecordBatchBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);

  return builder->n_records;
}

gsize
mr_record_batch_builder_get_size (MrRecordBatchBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);

  return builder->used;
}

GBytes *
mr_record_batch_builder_finish (MrRecordBatchBuilder  *builder,
                                GError               **error)
{
  gint32 last_offset_delta;
  guint8 *h;
  gsize size;
  guint32 crc;
  GBytes *bytes;

  g_return_val_if_fail (builder != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (builder->n_records == 0)
    {
      builder_reset (builder);
      g_set_error_literal (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_ARGUMENT,
                           "A record batch needs at least one record");
      return NULL;
    }

  h = builder->buffer->data;
  size = builder->used;

  if (builder->compression != MR_COMPRESSION_NONE)
    {
      GByteArray *compressed = builder->compressed;

      g_byte_array_set_size (compressed, MR_RECORD_BATCH_HEADER_SIZE);
      if (!mr_compression_compress (builder->compression,
                                    h + MR_RECORD_BATCH_HEADER_SIZE,
                                    size - MR_RECORD_BATCH_HEADER_SIZE,
                                    compressed, error))
        {
          builder_reset (builder);
          return NULL;
        }

      h = compressed->data;
      size = compressed->len;

      if (size - MR_RECORD_BATCH_LOG_OVERHEAD > G_MAXINT32)
        {
          builder_reset (builder);
          g_set_error_literal (error, MR_LOG_ERROR,
                               MR_LOG_ERROR_BATCH_TOO_LARGE,
                               "The compressed batch exceeds 2 GiB");
          return NULL;
        }
    }

  last_offset_delta = (gint32)MAX (builder->last_delta,
                                   builder->min_last_offset_delta);

  put_be64 (h + MR_RECORD_BATCH_OFFSET_BASE_OFFSET,
            (guint64)builder->base_offset);
  put_be32 (h + MR_RECORD_BATCH_OFFSET_LENGTH,
            (guint32)(size - MR_RECORD_BATCH_LOG_OVERHEAD));
  put_be32 (h + MR_RECORD_BATCH_OFFSET_LEADER_EPOCH, (guint32)-1);
  h[MR_RECORD_BATCH_OFFSET_MAGIC] = MR_RECORD_BATCH_MAGIC;
  put_be16 (h + MR_RECORD_BATCH_OFFSET_ATTRIBUTES,
            (guint16)builder->compression);
  put_be32 (h + MR_RECORD_BATCH_OFFSET_LAST_OFFSET_DELTA,
            (guint32)last_offset_delta);
  put_be64 (h + MR_RECORD_BATCH_OFFSET_BASE_TIMESTAMP,
            (guint64)builder->base_timestamp);
  put_be64 (h + MR_RECORD_BATCH_OFFSET_MAX_TIMESTAMP,
            (guint64)builder->max_timestamp);
  put_be64 (h + MR_RECORD_BATCH_OFFSET_PRODUCER_ID,
            (guint64)builder->producer_id);
  put_be16 (h + MR_RECORD_BATCH_OFFSET_PRODUCER_EPOCH,
            (guint16)builder->producer_epoch);
  put_be32 (h + MR_RECORD_BATCH_OFFSET_BASE_SEQUENCE,
            (guint32)builder->base_sequence);
  put_be32 (h + MR_RECORD_BATCH_OFFSET_RECORD_COUNT, builder->n_records);

  crc = mr_crc32c (0, h + MR_RECORD_BATCH_OFFSET_ATTRIBUTES,
                   size - MR_RECORD_BATCH_OFFSET_ATTRIBUTES);
  put_be32 (h + MR_RECORD_BATCH_OFFSET_CRC, crc);

  bytes = g_bytes_new (h, size);

  /* The next batch continues the sequence after this one's last record,
   * which is base sequence + last offset delta (Kafka's rule), wrapping at
   * G_MAXINT32 like Kafka's sequence numbers. */
  if (builder->producer_id >= 0 && builder->base_sequence >= 0)
    {
      gint64 next = (gint64)builder->base_sequence + last_offset_delta + 1;

      if (next > G_MAXINT32)
        next -= (gint64)G_MAXINT32 + 1;
      builder->base_sequence = (gint32)next;
    }

  builder_reset (builder);

  return bytes;
}

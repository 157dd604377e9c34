/* mr-kafka-codec.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The primitive types of the Kafka protocol.
 *
 * Every integer is big-endian, two's complement: INT8, INT16, INT32, INT64.
 *
 * UNSIGNED_VARINT: 7 bits per byte, least significant group first, the
 * high bit set on every byte but the last; at most 10 bytes for 64 bits
 * (a tenth byte may only carry the top bit). Protocol lengths and tag
 * counts use it. VARINT / VARLONG: the zigzag form, (n << 1) ^ (n >> 63),
 * written as an unsigned varint; record fields inside batches use it.
 *
 * STRING: int16 length then that many UTF-8 bytes; NULLABLE_STRING uses
 * length -1 for null. Bytes that are not UTF-8 are read as Kafka's Java
 * decoder reads them: each malformed sequence becomes U+FFFD, so every
 * string the reader returns is valid UTF-8. COMPACT_STRING: unsigned varint of length + 1, with
 * 0 meaning null. BYTES and RECORDS: int32 length (-1 null) then the bytes;
 * COMPACT_BYTES like COMPACT_STRING. ARRAY: int32 count (-1 null) then the
 * elements; COMPACT_ARRAY: unsigned varint count + 1 (0 null).
 *
 * A tag buffer (flexible versions, at the end of every struct) is an
 * unsigned varint count, then per field an unsigned varint tag, an unsigned
 * varint size and size bytes. This engine reads no tagged field: it skips
 * them, and writes empty tag buffers (one zero byte).
 *
 * The reader never reads past its end. A failure is sticky: after the
 * first one every read returns 0 or NULL, so a parser reads a whole
 * message and checks once. Declared lengths and counts larger than what is
 * left in the buffer fail at once, before anything is allocated. */

#define G_LOG_DOMAIN "mr-protocol"

#include "config.h"

#include "mr-kafka-codec.h"

#include <string.h>

#include "mr-kafka-error.h"

static void
reader_fail (MrKafkaReader *reader,
             const char    *why)
{
  if (!reader->failed)
    {
      reader->failed = TRUE;
      reader->failure = why;
    }
}

static const guint8 *
reader_take (MrKafkaReader *reader,
             gsize          n)
{
  const guint8 *p;

  if (reader->failed)
    return NULL;
  if (n > reader->len - reader->pos)
    {
      reader_fail (reader, "truncated message");
      return NULL;
    }
  p = reader->data + reader->pos;
  reader->pos += n;
  return p;
}

void
mr_kafka_reader_init (MrKafkaReader *reader,
                      const guint8  *data,
                      gsize          len)
{
  reader->data = data;
  reader->len = data != NULL ? len : 0;
  reader->pos = 0;
  reader->failed = FALSE;
  reader->failure = NULL;
}

gboolean
mr_kafka_reader_failed (MrKafkaReader *reader)
{
  return reader->failed;
}

gsize
mr_kafka_reader_remaining (MrKafkaReader *reader)
{
  return reader->failed ? 0 : reader->len - reader->pos;
}

gint8
mr_kafka_reader_int8 (MrKafkaReader *reader)
{
  const guint8 *p = reader_take (reader, 1);

  return p != NULL ? (gint8)p[0] : 0;
}

gint16
mr_kafka_reader_int16 (MrKafkaReader *reader)
{
  const guint8 *p = reader_take (reader, 2);

  if (p == NULL)
    return 0;
  return (gint16)(((guint16)p[0] << 8) | p[1]);
}

gint32
mr_kafka_reader_int32 (MrKafkaReader *reader)
{
  const guint8 *p = reader_take (reader, 4);

  if (p == NULL)
    return 0;
  return (gint32)(((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
                  ((guint32)p[2] << 8) | p[3]);
}

gint64
mr_kafka_reader_int64 (MrKafkaReader *reader)
{
  const guint8 *p = reader_take (reader, 8);
  guint64 v = 0;

  if (p == NULL)
    return 0;
  for (guint i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return (gint64)v;
}

guint64
mr_kafka_reader_uvarint (MrKafkaReader *reader)
{
  guint64 v = 0;

  for (guint shift = 0; shift < 70; shift += 7)
    {
      const guint8 *p = reader_take (reader, 1);

      if (p == NULL)
        return 0;
      if (shift == 63 && (p[0] & 0xfe) != 0)
        {
          reader_fail (reader, "varint overflows 64 bits");
          return 0;
        }
      v |= (guint64)(p[0] & 0x7f) << shift;
      if ((p[0] & 0x80) == 0)
        return v;
    }
  reader_fail (reader, "varint too long");
  return 0;
}

gint64
mr_kafka_reader_varint (MrKafkaReader *reader)
{
  guint64 u = mr_kafka_reader_uvarint (reader);

  return (gint64)(u >> 1) ^ -(gint64)(u & 1);
}

static char *
reader_dup_string (MrKafkaReader *reader,
                   gsize          len)
{
  const guint8 *p = reader_take (reader, len);

  if (p == NULL)
    return NULL;
  if (g_utf8_validate_len ((const char *)p, len, NULL))
    return g_strndup ((const char *)p, len);
  return g_utf8_make_valid ((const char *)p, (gssize)len);
}

char *
mr_kafka_reader_string (MrKafkaReader *reader)
{
  gint16 len = mr_kafka_reader_int16 (reader);

  if (reader->failed)
    return NULL;
  if (len < 0)
    {
      reader_fail (reader, "null or negative string length");
      return NULL;
    }
  return reader_dup_string (reader, (gsize)len);
}

char *
mr_kafka_reader_nullable_string (MrKafkaReader *reader)
{
  gint16 len = mr_kafka_reader_int16 (reader);

  if (reader->failed || len == -1)
    return NULL;
  if (len < 0)
    {
      reader_fail (reader, "negative string length");
      return NULL;
    }
  return reader_dup_string (reader, (gsize)len);
}

char *
mr_kafka_reader_compact_string (MrKafkaReader *reader)
{
  guint64 n = mr_kafka_reader_uvarint (reader);

  if (reader->failed || n == 0)
    return NULL;
  if (n - 1 > reader->len - reader->pos)
    {
      reader_fail (reader, "string longer than the message");
      return NULL;
    }
  return reader_dup_string (reader, (gsize)(n - 1));
}

const guint8 *
mr_kafka_reader_bytes (MrKafkaReader *reader,
                       gsize         *len_out)
{
  gint32 len = mr_kafka_reader_int32 (reader);

  *len_out = 0;
  if (reader->failed || len == -1)
    return NULL;
  if (len < 0)
    {
      reader_fail (reader, "negative bytes length");
      return NULL;
    }
  *len_out = (gsize)len;
  if (reader_take (reader, (gsize)len) == NULL)
    {
      *len_out = 0;
      return NULL;
    }
  return reader->data + reader->pos - (gsize)len;
}

GBytes *
mr_kafka_reader_dup_bytes (MrKafkaReader *reader)
{
  gsize len = 0;
  const guint8 *data = mr_kafka_reader_bytes (reader, &len);

  return g_bytes_new (data, data != NULL ? len : 0);
}

gint32
mr_kafka_reader_strings (MrKafkaReader *reader,
                         GPtrArray     *strings)
{
  gint32 n = mr_kafka_reader_array_count (reader, 2);

  for (gint32 i = 0; i < n && !reader->failed; i++)
    {
      char *value = mr_kafka_reader_string (reader);

      if (value != NULL)
        g_ptr_array_add (strings, value);
    }
  return n;
}

const guint8 *
mr_kafka_reader_compact_bytes (MrKafkaReader *reader,
                               gsize         *len_out)
{
  guint64 n = mr_kafka_reader_uvarint (reader);

  *len_out = 0;
  if (reader->failed || n == 0)
    return NULL;
  if (n - 1 > reader->len - reader->pos)
    {
      reader_fail (reader, "bytes longer than the message");
      return NULL;
    }
  *len_out = (gsize)(n - 1);
  reader->pos += (gsize)(n - 1);
  return reader->data + reader->pos - (gsize)(n - 1);
}

static gint32
check_count (MrKafkaReader *reader,
             guint64        count,
             gsize          min_element_size)
{
  gsize left = reader->len - reader->pos;

  if (min_element_size == 0)
    min_element_size = 1;
  if (count > G_MAXINT32 || count > left / min_element_size)
    {
      reader_fail (reader, "array count larger than the message");
      return 0;
    }
  return (gint32)count;
}

gint32
mr_kafka_reader_array_count (MrKafkaReader *reader,
                             gsize          min_element_size)
{
  gint32 n = mr_kafka_reader_int32 (reader);

  if (reader->failed)
    return 0;
  if (n == -1)
    return -1;
  if (n < 0)
    {
      reader_fail (reader, "negative array count");
      return 0;
    }
  return check_count (reader, (guint64)n, min_element_size);
}

gint32
mr_kafka_reader_compact_array_count (MrKafkaReader *reader,
                                     gsize          min_element_size)
{
  guint64 n = mr_kafka_reader_uvarint (reader);

  if (reader->failed)
    return 0;
  if (n == 0)
    return -1;
  return check_count (reader, n - 1, min_element_size);
}

void
mr_kafka_reader_skip_tags (MrKafkaReader *reader)
{
  guint64 n = mr_kafka_reader_uvarint (reader);

  if (!reader->failed && n > reader->len - reader->pos)
    {
      reader_fail (reader, "tag count larger than the message");
      return;
    }
  for (guint64 i = 0; i < n && !reader->failed; i++)
    {
      guint64 size;

      (void)mr_kafka_reader_uvarint (reader);
      size = mr_kafka_reader_uvarint (reader);
      if (reader->failed)
        return;
      if (size > reader->len - reader->pos)
        {
          reader_fail (reader, "tagged field longer than the message");
          return;
        }
      reader->pos += (gsize)size;
    }
}

gboolean
mr_kafka_reader_finish (MrKafkaReader  *reader,
                        GError        **error)
{
  if (reader->failed)
    {
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_INVALID_REQUEST,
                   "Malformed message at byte %" G_GSIZE_FORMAT ": %s",
                   reader->pos, reader->failure);
      return FALSE;
    }
  return TRUE;
}

void
mr_kafka_writer_int8 (GByteArray *out,
                      gint8       value)
{
  guint8 b = (guint8)value;

  g_byte_array_append (out, &b, 1);
}

void
mr_kafka_writer_int16 (GByteArray *out,
                       gint16      value)
{
  guint8 b[2] = { (guint8)((guint16)value >> 8), (guint8)value };

  g_byte_array_append (out, b, 2);
}

void
mr_kafka_writer_int32 (GByteArray *out,
                       gint32      value)
{
  guint32 u = (guint32)value;
  guint8 b[4] = { u >> 24, u >> 16, u >> 8, u };

  g_byte_array_append (out, b, 4);
}

void
mr_kafka_writer_int64 (GByteArray *out,
                       gint64      value)
{
  guint64 u = (guint64)value;
  guint8 b[8];

  for (guint i = 0; i < 8; i++)
    b[i] = (guint8)(u >> (56 - 8 * i));
  g_byte_array_append (out, b, 8);
}

void
mr_kafka_writer_uvarint (GByteArray *out,
                         guint64     value)
{
  guint8 b[10];
  guint n = 0;

  while (value >= 0x80)
    {
      b[n++] = (guint8)(value | 0x80);
      value >>= 7;
    }
  b[n++] = (guint8)value;
  g_byte_array_append (out, b, n);
}

void
mr_kafka_writer_varint (GByteArray *out,
                        gint64      value)
{
  mr_kafka_writer_uvarint (out, ((guint64)value << 1) ^ (guint64)(value >> 63));
}

void
mr_kafka_writer_string (GByteArray *out,
                        const char *value)
{
  gsize len;

  if (value == NULL)
    {
      mr_kafka_writer_int16 (out, -1);
      return;
    }
  len = MIN (strlen (value), (gsize)G_MAXINT16);
  mr_kafka_writer_int16 (out, (gint16)len);
  g_byte_array_append (out, (const guint8 *)value, len);
}

void
mr_kafka_writer_compact_string (GByteArray *out,
                                const char *value)
{
  gsize len;

  if (value == NULL)
    {
      mr_kafka_writer_uvarint (out, 0);
      return;
    }
  len = strlen (value);
  mr_kafka_writer_uvarint (out, (guint64)len + 1);
  g_byte_array_append (out, (const guint8 *)value, len);
}

void
mr_kafka_writer_bytes (GByteArray   *out,
                       const guint8 *data,
                       gsize         len)
{
  if (data == NULL)
    {
      mr_kafka_writer_int32 (out, -1);
      return;
    }
  mr_kafka_writer_int32 (out, (gint32)len);
  g_byte_array_append (out, data, len);
}

void
mr_kafka_writer_gbytes (GByteArray *out,
                        GBytes     *bytes)
{
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  mr_kafka_writer_bytes (out, data != NULL ? data : (const guint8 *)"", len);
}

void
mr_kafka_writer_compact_bytes (GByteArray   *out,
                               const guint8 *data,
                               gsize         len)
{
  if (data == NULL)
    {
      mr_kafka_writer_uvarint (out, 0);
      return;
    }
  mr_kafka_writer_uvarint (out, (guint64)len + 1);
  g_byte_array_append (out, data, len);
}

void
mr_kafka_writer_array_count (GByteArray *out,
                             gint32      count)
{
  mr_kafka_writer_int32 (out, count < 0 ? -1 : count);
}

void
mr_kafka_writer_compact_array_count (GByteArray *out,
                                     gint32      count)
{
  mr_kafka_writer_uvarint (out, count < 0 ? 0 : (guint64)count + 1);
}

void
mr_kafka_writer_empty_tags (GByteArray *out)
{
  mr_kafka_writer_uvarint (out, 0);
}

gsize
mr_kafka_writer_begin_size (GByteArray *out)
{
  gsize position = out->len;

  mr_kafka_writer_int32 (out, 0);
  return position;
}

void
mr_kafka_writer_end_size (GByteArray *out,
                          gsize       position)
{
  guint32 size = (guint32)(out->len - position - 4);

  out->data[position] = size >> 24;
  out->data[position + 1] = size >> 16;
  out->data[position + 2] = size >> 8;
  out->data[position + 3] = size;
}

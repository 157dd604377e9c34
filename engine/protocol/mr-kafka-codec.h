/* mr-kafka-codec.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* A bounded big-endian reader over a Kafka request body. Every read past
 * the end, every negative or oversized length and every malformed varint
 * sets a sticky failure flag: later reads return zero or NULL and the
 * caller checks once, at the end, with mr_kafka_reader_finish(). */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gboolean      failed;
  const char   *failure;          /* static text of the first failure */
} MrKafkaReader;

void          mr_kafka_reader_init                (MrKafkaReader  *reader,
                                                   const guint8   *data,
                                                   gsize           len);
gboolean      mr_kafka_reader_failed              (MrKafkaReader  *reader);
gsize         mr_kafka_reader_remaining           (MrKafkaReader  *reader);
gint8         mr_kafka_reader_int8                (MrKafkaReader  *reader);
gint16        mr_kafka_reader_int16               (MrKafkaReader  *reader);
gint32        mr_kafka_reader_int32               (MrKafkaReader  *reader);
gint64        mr_kafka_reader_int64               (MrKafkaReader  *reader);
guint64       mr_kafka_reader_uvarint             (MrKafkaReader  *reader);
gint64        mr_kafka_reader_varint              (MrKafkaReader  *reader);
/* STRING (int16 length). A null string is a failure. */
char         *mr_kafka_reader_string              (MrKafkaReader  *reader) G_GNUC_WARN_UNUSED_RESULT;
/* NULLABLE_STRING: NULL for length -1. */
char         *mr_kafka_reader_nullable_string     (MrKafkaReader  *reader) G_GNUC_WARN_UNUSED_RESULT;
/* COMPACT_(NULLABLE_)STRING: uvarint length + 1; NULL for 0. */
char         *mr_kafka_reader_compact_string      (MrKafkaReader  *reader) G_GNUC_WARN_UNUSED_RESULT;
/* BYTES / RECORDS (int32 length, -1 null): a pointer into the input, NULL
 * for null; @len_out gets the length. */
const guint8 *mr_kafka_reader_bytes               (MrKafkaReader  *reader,
                                                   gsize          *len_out);
const guint8 *mr_kafka_reader_compact_bytes       (MrKafkaReader  *reader,
                                                   gsize          *len_out);
/* BYTES as a GBytes of their own; null reads as empty. */
GBytes       *mr_kafka_reader_dup_bytes           (MrKafkaReader  *reader) G_GNUC_WARN_UNUSED_RESULT;
/* ARRAY of STRING into @strings (g_free'd by the array); a null element
 * is a failure. Returns the count: -1 for a null array. */
gint32        mr_kafka_reader_strings             (MrKafkaReader  *reader,
                                                   GPtrArray      *strings);
/* ARRAY counts: -1 for null. A count larger than the bytes left (each
 * element takes at least @min_element_size bytes) is a failure, so a
 * huge declared count never drives an allocation. */
gint32        mr_kafka_reader_array_count         (MrKafkaReader  *reader,
                                                   gsize           min_element_size);
gint32        mr_kafka_reader_compact_array_count (MrKafkaReader  *reader,
                                                   gsize           min_element_size);
/* Skips a tag buffer: uvarint count, then {uvarint tag, uvarint size,
 * bytes} per field. */
void          mr_kafka_reader_skip_tags           (MrKafkaReader  *reader);
gboolean      mr_kafka_reader_finish              (MrKafkaReader  *reader,
                                                   GError        **error);

/* The writer appends to a GByteArray. */
void          mr_kafka_writer_int8                (GByteArray     *out,
                                                   gint8           value);
void          mr_kafka_writer_int16               (GByteArray     *out,
                                                   gint16          value);
void          mr_kafka_writer_int32               (GByteArray     *out,
                                                   gint32          value);
void          mr_kafka_writer_int64               (GByteArray     *out,
                                                   gint64          value);
void          mr_kafka_writer_uvarint             (GByteArray     *out,
                                                   guint64         value);
void          mr_kafka_writer_varint              (GByteArray     *out,
                                                   gint64          value);
/* STRING, or NULLABLE_STRING when @value is NULL. */
void          mr_kafka_writer_string              (GByteArray     *out,
                                                   const char     *value);
void          mr_kafka_writer_compact_string      (GByteArray     *out,
                                                   const char     *value);
/* BYTES; @data NULL writes a null (-1). */
void          mr_kafka_writer_bytes               (GByteArray     *out,
                                                   const guint8   *data,
                                                   gsize           len);
/* BYTES from a GBytes; NULL writes empty bytes, not a null. */
void          mr_kafka_writer_gbytes              (GByteArray     *out,
                                                   GBytes         *bytes);
void          mr_kafka_writer_compact_bytes       (GByteArray     *out,
                                                   const guint8   *data,
                                                   gsize           len);
/* ARRAY count; -1 for null. */
void          mr_kafka_writer_array_count         (GByteArray     *out,
                                                   gint32          count);
void          mr_kafka_writer_compact_array_count (GByteArray     *out,
                                                   gint32          count);
void          mr_kafka_writer_empty_tags          (GByteArray     *out);
/* Reserves an int32 length prefix and returns its position; end_size
 * patches it with the number of bytes written after it. */
gsize         mr_kafka_writer_begin_size          (GByteArray     *out);
void          mr_kafka_writer_end_size            (GByteArray     *out,
                                                   gsize           position);

G_END_DECLS

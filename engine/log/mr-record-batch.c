/* mr-record-batch.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Record batches, magic 2: the unit Kafka clients produce, the broker
 * stores verbatim and consumers fetch.
 *
 * THE HEADER
 *
 * A batch starts with a fixed 61-byte header. Every integer in it is
 * big-endian two's complement:
 *
 *    offset  size  field
 *         0     8  base offset: the offset of the first record. Producers
 *                  send 0; the leader writes the offset it assigns.
 *         8     4  batch length: the number of bytes after this field, so
 *                  the whole batch is batch length + 12 bytes.
 *        12     4  partition leader epoch: clients send -1; the leader
 *                  writes its epoch.
 *        16     1  magic: 2. Magic 0 and 1 are the older "message set"
 *                  formats, which this engine neither reads nor writes.
 *        17     4  CRC: CRC-32C (Castagnoli) of bytes 21 up to the end of
 *                  the batch, i.e. from the attributes to the last record.
 *        21     2  attributes:
 *                    bits 0-2  codec of the records section: 0 none,
 *                              1 gzip, 2 snappy, 3 lz4, 4 zstd;
 *                    bit 3     timestamp type: 0 CreateTime, 1
 *                              LogAppendTime;
 *                    bit 4     transactional;
 *                    bit 5     control batch (transaction markers);
 *                    bit 6     the base timestamp holds the delete
 *                              horizon (compacted tombstones);
 *                    others    zero.
 *        23     4  last offset delta: offset of the last record minus the
 *                  base offset. Usually record count - 1, but compaction
 *                  keeps the original value when it drops records.
 *        27     8  base timestamp: the first record's timestamp (ms since
 *                  the epoch); record timestamps are deltas from it.
 *        35     8  max timestamp: the largest record timestamp, or the
 *                  append time under LogAppendTime.
 *        43     8  producer id  } -1, -1, -1 unless the producer is
 *        51     2  producer epoch } idempotent; the sequence numbers
 *        53     4  base sequence  } of the records are base sequence + the
 *                                   offset delta.
 *        57     4  record count: the number of records that follow.
 *        61        records section.
 *
 * The CRC leaves out the first 21 bytes so that the broker can rewrite the
 * base offset and the leader epoch without recomputing it: those are the
 * only fields a broker changes on the way in under CreateTime. Under
 * LogAppendTime the broker also sets attribute bit 3 and the max timestamp,
 * both covered, so it must recompute the CRC
 * (mr_record_batch_set_log_append_time()).
 *
 * THE RECORDS SECTION
 *
 * When the codec is not none, the section is one compressed blob in that
 * codec's framing (see mr-compression.c) holding the records; the header
 * is never compressed, so the broker can assign offsets without
 * decompressing. Each record is:
 *
 *    length            varint   bytes of the record after this field
 *    attributes        int8     unused, written as 0
 *    timestamp delta   varlong  timestamp - base timestamp
 *    offset delta      varint   offset - base offset
 *    key length        varint   -1 for a null key
 *    key               bytes
 *    value length      varint   -1 for a null value (a tombstone)
 *    value             bytes
 *    header count      varint
 *    headers, each:
 *      key length      varint   never negative
 *      key             bytes    UTF-8
 *      value length    varint   -1 for a null value
 *      value           bytes
 *
 * Varints are the Protocol Buffers encoding (7 bits per byte, least
 * significant group first, the high bit set on every byte but the last) of
 * the ZigZag-mapped value ((n << 1) ^ (n >> 63)), so small negative numbers
 * stay short. A varint holds at most 5 bytes (32 bits) and a varlong at
 * most 10 (64 bits); bits beyond the width are an overflow.
 *
 * WHAT MAKES A BATCH VALID
 *
 * mr_record_batch_header_parse() checks the structure, as Kafka does when
 * it reads a batch from a socket or a log file:
 *   - at least 17 bytes to reach the magic, which must be 2
 *     (MR_LOG_ERROR_UNSUPPORTED_MAGIC otherwise), then at least 61 bytes;
 *   - batch length >= 49, so the batch covers its own header;
 *   - a codec of 0 to 4;
 *   - last offset delta >= 0 and 0 <= record count <= last offset delta + 1;
 *   - base offset + last offset delta fits in an int64, so that no record
 *     offset overflows (a hostile batch, never a client's: they send 0).
 *     A count of 0 is legal: compaction keeps empty batches so that the
 *     producer state they carry survives; such a batch has no records
 *     section even when its codec is set.
 * Rules that only apply to fresh batches from producers (record count > 0
 * and equal to last offset delta + 1, base offset 0) belong to the produce
 * path, not here.
 *
 * mr_record_batch_validate() adds: all batch length + 12 bytes are present
 * and the CRC matches.
 *
 * mr_record_batch_foreach_record() adds, for every record, what Kafka's
 * record reader enforces: each length fits inside the record, the fields
 * use exactly the record's declared length, exactly record count records
 * fill the section with nothing left over, header keys are not null. It is
 * stricter than Kafka in three ways that no client can trip: a length below
 * -1 is corrupt (Kafka reads it as null), varints may not overflow their
 * width (Kafka ignores the extra bits), and offset deltas must increase
 * strictly and stay within the last offset delta.
 *
 * A decompressed records section may be at most MAX_DECOMPRESSED_SIZE
 * (64 MiB). Producers bound a batch by its uncompressed size (librdkafka's
 * batch.size of 1,000,000 bytes, the Java client's batch.size of 16 KiB
 * and its max.request.size of 1 MiB per record), so real batches inflate
 * to a few MiB at most; 64 MiB leaves room for topics configured far above
 * the defaults while bounding what one hostile batch can make the broker
 * allocate. A ratio to the compressed size would not do: zstd turns 1 MiB
 * of repeated values into a few hundred bytes.
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-record-batch.h"

#include <string.h>

#include "mr-crc32c.h"
#include "mr-log-error.h"

#define MIN_BATCH_LENGTH (MR_RECORD_BATCH_HEADER_SIZE - \
                          MR_RECORD_BATCH_LOG_OVERHEAD)

#define MAX_DECOMPRESSED_SIZE ((gsize)64 * 1024 * 1024)

/* Headers of one record fit on the stack up to this count. */
#define N_STACK_HEADERS 16

/* A cursor over [pos, end). Every read checks the bounds; the first failure
 * records a reason and later reads fail too, so callers can test once. */
typedef struct
{
  const guint8 *pos;
  const guint8 *end;
  const char   *error;
} Reader;

static inline guint16
read_be16 (const guint8 *p)
{
  return (guint16)(((guint16)p[0] << 8) | p[1]);
}

static inline guint32
read_be32 (const guint8 *p)
{
  return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
         ((guint32)p[2] << 8) | (guint32)p[3];
}

static inline guint64
read_be64 (const guint8 *p)
{
  return ((guint64)read_be32 (p) << 32) | read_be32 (p + 4);
}

static inline void
write_be32 (guint8  *p,
            guint32  v)
{
  p[0] = (guint8)(v >> 24);
  p[1] = (guint8)(v >> 16);
  p[2] = (guint8)(v >> 8);
  p[3] = (guint8)v;
}

static inline void
write_be64 (guint8  *p,
            guint64  v)
{
  write_be32 (p, (guint32)(v >> 32));
  write_be32 (p + 4, (guint32)v);
}

static inline gsize
reader_remaining (const Reader *r)
{
  return (gsize)(r->end - r->pos);
}

static inline gboolean
reader_fail (Reader     *r,
             const char *reason)
{
  if (r->error == NULL)
    r->error = reason;
  r->pos = r->end;
  return FALSE;
}

/* An unsigned varint of at most @max_bytes bytes whose value fits in
 * @bits bits. */
static inline gboolean
reader_uvarint (Reader  *r,
                guint    max_bytes,
                guint    bits,
                guint64 *out)
{
  guint64 value = 0;

  for (guint i = 0; i < max_bytes; i++)
    {
      guint8 b;

      if (r->pos >= r->end)
        return reader_fail (r, "a varint runs past the end of the record");

      b = *r->pos++;
      value |= (guint64)(b & 0x7f) << (7 * i);

      if ((b & 0x80) == 0)
        {
          /* Only the last group can carry bits beyond the width. */
          if (i == max_bytes - 1 && (b >> (bits - 7 * i)) != 0)
            return reader_fail (r, "a varint overflows its width");
          *out = value;
          return TRUE;
        }
    }

  return reader_fail (r, "a varint is longer than its width allows");
}

static inline gboolean
reader_varint (Reader *r,
               gint32 *out)
{
  guint64 u;

  if (!reader_uvarint (r, 5, 32, &u))
    return FALSE;

  *out = (gint32)((guint32)(u >> 1) ^ (0u - (guint32)(u & 1)));
  return TRUE;
}

static inline gboolean
reader_varlong (Reader *r,
                gint64 *out)
{
  guint64 u;

  if (!reader_uvarint (r, 10, 64, &u))
    return FALSE;

  *out = (gint64)((u >> 1) ^ (0 - (u & 1)));
  return TRUE;
}

/* A length-prefixed byte string; -1 is null when @nullable. */
static inline gboolean
reader_bytes (Reader        *r,
              gboolean       nullable,
              const guint8 **data,
              gssize        *len)
{
  gint32 n;

  if (!reader_varint (r, &n))
    return FALSE;

  if (n == -1 && nullable)
    {
      *data = NULL;
      *len = -1;
      return TRUE;
    }

  if (n < 0)
    return reader_fail (r, "a length is negative");

  if ((gsize)n > reader_remaining (r))
    return reader_fail (r, "a key or value runs past the end of the record");

  *data = r->pos;
  *len = n;
  r->pos += n;
  return TRUE;
}

static gboolean
check_structure (const guint8         *data,
                 gsize                 len,
                 MrRecordBatchHeader  *h,
                 GError              **error)
{
  if (len <= MR_RECORD_BATCH_OFFSET_MAGIC)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch is truncated: %" G_GSIZE_FORMAT " bytes "
                   "do not reach the magic byte", len);
      return FALSE;
    }

  h->base_offset =
    (gint64)read_be64 (data + MR_RECORD_BATCH_OFFSET_BASE_OFFSET);
  h->magic = (gint8)data[MR_RECORD_BATCH_OFFSET_MAGIC];

  if (h->magic != MR_RECORD_BATCH_MAGIC)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_UNSUPPORTED_MAGIC,
                   "Record batch at offset %" G_GINT64_FORMAT " has magic %d; "
                   "only magic %d is supported", h->base_offset, h->magic,
                   MR_RECORD_BATCH_MAGIC);
      return FALSE;
    }

  if (len < MR_RECORD_BATCH_HEADER_SIZE)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch at offset %" G_GINT64_FORMAT " is "
                   "truncated: %" G_GSIZE_FORMAT " bytes, the header needs %d",
                   h->base_offset, len, MR_RECORD_BATCH_HEADER_SIZE);
      return FALSE;
    }

  h->batch_length = (gint32)read_be32 (data + MR_RECORD_BATCH_OFFSET_LENGTH);
  h->partition_leader_epoch =
    (gint32)read_be32 (data + MR_RECORD_BATCH_OFFSET_LEADER_EPOCH);
  h->crc = read_be32 (data + MR_RECORD_BATCH_OFFSET_CRC);
  h->attributes =
    (gint16)read_be16 (data + MR_RECORD_BATCH_OFFSET_ATTRIBUTES);
  h->last_offset_delta =
    (gint32)read_be32 (data + MR_RECORD_BATCH_OFFSET_LAST_OFFSET_DELTA);
  h->base_timestamp =
    (gint64)read_be64 (data + MR_RECORD_BATCH_OFFSET_BASE_TIMESTAMP);
  h->max_timestamp =
    (gint64)read_be64 (data + MR_RECORD_BATCH_OFFSET_MAX_TIMESTAMP);
  h->producer_id =
    (gint64)read_be64 (data + MR_RECORD_BATCH_OFFSET_PRODUCER_ID);
  h->producer_epoch =
    (gint16)read_be16 (data + MR_RECORD_BATCH_OFFSET_PRODUCER_EPOCH);
  h->base_sequence =
    (gint32)read_be32 (data + MR_RECORD_BATCH_OFFSET_BASE_SEQUENCE);
  h->record_count =
    (gint32)read_be32 (data + MR_RECORD_BATCH_OFFSET_RECORD_COUNT);

  if (h->batch_length < MIN_BATCH_LENGTH)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch at offset %" G_GINT64_FORMAT " has length "
                   "%d, less than its own header", h->base_offset,
                   h->batch_length);
      return FALSE;
    }

  if ((h->attributes & MR_RECORD_BATCH_CODEC_MASK) > MR_COMPRESSION_LAST)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch at offset %" G_GINT64_FORMAT " uses unknown "
                   "compression codec %d", h->base_offset,
                   h->attributes & MR_RECORD_BATCH_CODEC_MASK);
      return FALSE;
    }

  if (h->last_offset_delta < 0 || h->record_count < 0 ||
      (gint64)h->record_count > (gint64)h->last_offset_delta + 1)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch at offset %" G_GINT64_FORMAT " has %d "
                   "records for last offset delta %d", h->base_offset,
                   h->record_count, h->last_offset_delta);
      return FALSE;
    }

  if (h->base_offset > G_MAXINT64 - h->last_offset_delta)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch at offset %" G_GINT64_FORMAT " has last "
                   "offset delta %d, past the largest offset",
                   h->base_offset, h->last_offset_delta);
      return FALSE;
    }

  return TRUE;
}

void
mr_batch_cursor_init (MrBatchCursor *cursor,
                      GBytes        *bytes)
{
  cursor->data = bytes != NULL ? g_bytes_get_data (bytes, &cursor->len) : NULL;
  if (cursor->data == NULL)
    cursor->len = 0;
  cursor->pos = 0;
}

gboolean
mr_batch_cursor_next (MrBatchCursor        *cursor,
                      MrRecordBatchHeader  *header,
                      const guint8        **batch,
                      gsize                *size)
{
  gsize left = cursor->len - cursor->pos;

  if (left < MR_RECORD_BATCH_LOG_OVERHEAD
      || !mr_record_batch_header_parse (cursor->data + cursor->pos, left,
                                        header, NULL))
    return FALSE;
  *size = mr_record_batch_header_get_size (header);
  if (*size > left)
    return FALSE;
  *batch = cursor->data + cursor->pos;
  cursor->pos += *size;
  return TRUE;
}

gboolean
mr_record_batch_header_parse (const guint8         *data,
                              gsize                 len,
                              MrRecordBatchHeader  *header,
                              GError              **error)
{
  MrRecordBatchHeader local;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_structure (data, len, header != NULL ? header : &local, error);
}

gboolean
mr_record_batch_validate (const guint8         *data,
                          gsize                 len,
                          MrRecordBatchHeader  *header,
                          GError              **error)
{
  MrRecordBatchHeader local;
  MrRecordBatchHeader *h = header != NULL ? header : &local;
  gsize size;
  guint32 actual;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_structure (data, len, h, error))
    return FALSE;

  size = mr_record_batch_header_get_size (h);
  if (size > len)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch at offset %" G_GINT64_FORMAT " is truncated: "
                   "%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes present",
                   h->base_offset, len, size);
      return FALSE;
    }

  actual = mr_crc32c (0, data + MR_RECORD_BATCH_OFFSET_ATTRIBUTES,
                      size - MR_RECORD_BATCH_OFFSET_ATTRIBUTES);
  if (actual != h->crc)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Record batch at offset %" G_GINT64_FORMAT " is corrupt: "
                   "expected CRC32C 0x%08x (stored), actual 0x%08x "
                   "(computed over %" G_GSIZE_FORMAT " bytes)",
                   h->base_offset, h->crc, actual,
                   size - MR_RECORD_BATCH_OFFSET_ATTRIBUTES);
      return FALSE;
    }

  return TRUE;
}

void
mr_record_batch_set_base_offset (guint8 *data,
                                 gint64  base_offset)
{
  g_return_if_fail (data != NULL);

  write_be64 (data + MR_RECORD_BATCH_OFFSET_BASE_OFFSET,
              (guint64)base_offset);
}

void
mr_record_batch_set_leader_epoch (guint8 *data,
                                  gint32  epoch)
{
  g_return_if_fail (data != NULL);

  write_be32 (data + MR_RECORD_BATCH_OFFSET_LEADER_EPOCH, (guint32)epoch);
}

void
mr_record_batch_set_log_append_time (guint8 *data,
                                     gsize   len,
                                     gint64  timestamp)
{
  gint32 batch_length;
  gsize size;
  guint32 crc;

  g_return_if_fail (data != NULL);
  g_return_if_fail (len >= MR_RECORD_BATCH_HEADER_SIZE);

  batch_length = (gint32)read_be32 (data + MR_RECORD_BATCH_OFFSET_LENGTH);
  g_return_if_fail (batch_length >= MIN_BATCH_LENGTH);
  size = (gsize)batch_length + MR_RECORD_BATCH_LOG_OVERHEAD;
  g_return_if_fail (size <= len);

  /* The flag lives in the low byte of the big-endian attributes. */
  data[MR_RECORD_BATCH_OFFSET_ATTRIBUTES + 1] |=
    MR_RECORD_BATCH_LOG_APPEND_TIME;
  write_be64 (data + MR_RECORD_BATCH_OFFSET_MAX_TIMESTAMP,
              (guint64)timestamp);

  crc = mr_crc32c (0, data + MR_RECORD_BATCH_OFFSET_ATTRIBUTES,
                   size - MR_RECORD_BATCH_OFFSET_ATTRIBUTES);
  write_be32 (data + MR_RECORD_BATCH_OFFSET_CRC, crc);
}

gboolean
mr_record_batch_foreach_record (const guint8  *data,
                                gsize          len,
                                MrRecordFunc   func,
                                gpointer       user_data,
                                GError       **error)
{
  MrRecordBatchHeader header;
  g_autoptr(GByteArray) inflated = NULL;
  g_autofree MrRecordHeader *heap_headers = NULL;
  MrRecordHeader stack_headers[N_STACK_HEADERS];
  gsize heap_headers_len = 0;
  MrCompression codec;
  gboolean log_append_time;
  const guint8 *section;
  gsize section_len;
  Reader r;
  gint64 prev_delta = -1;
  gint32 i;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!mr_record_batch_validate (data, len, &header, error))
    return FALSE;

  section = data + MR_RECORD_BATCH_HEADER_SIZE;
  section_len = mr_record_batch_header_get_size (&header) -
                MR_RECORD_BATCH_HEADER_SIZE;
  codec = mr_record_batch_header_get_compression (&header);
  log_append_time = (header.attributes & MR_RECORD_BATCH_LOG_APPEND_TIME) != 0;

  /* An empty batch kept by compaction has no records section at all, not
   * even an empty compressed one. */
  if (header.record_count == 0 && section_len == 0)
    return TRUE;

  if (codec != MR_COMPRESSION_NONE)
    {
      g_autoptr(GError) local_error = NULL;

      inflated = g_byte_array_sized_new ((guint)MIN (section_len * 4,
                                                     MAX_DECOMPRESSED_SIZE));
      if (!mr_compression_decompress (codec, section, section_len,
                                      MAX_DECOMPRESSED_SIZE, inflated,
                                      &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Record batch at offset %"
                                      G_GINT64_FORMAT ": ",
                                      header.base_offset);
          return FALSE;
        }

      section = inflated->data;
      section_len = inflated->len;
    }

  r.pos = section;
  r.end = section + section_len;
  r.error = NULL;

  for (i = 0; i < header.record_count; i++)
    {
      Reader body;
      MrRecord record;
      MrRecordHeader *headers = stack_headers;
      gint32 length;
      gint32 offset_delta;
      gint32 n_headers;
      gint64 timestamp_delta;

      if (reader_remaining (&r) == 0)
        {
          reader_fail (&r, "the batch holds fewer records than its count");
          goto corrupt;
        }

      /* The record's own length bounds every read inside it. */
      if (!reader_varint (&r, &length))
        goto corrupt;
      if (length < 0 || (gsize)length > reader_remaining (&r))
        {
          reader_fail (&r, "the record length runs past the end of the "
                           "batch");
          goto corrupt;
        }

      body.pos = r.pos;
      body.end = r.pos + length;
      body.error = NULL;
      r.pos = body.end;

      /* Attributes: unused. */
      if (reader_remaining (&body) < 1)
        {
          reader_fail (&body, "the record is too short for its attributes");
          goto corrupt_body;
        }
      body.pos++;

      if (!reader_varlong (&body, &timestamp_delta) ||
          !reader_varint (&body, &offset_delta) ||
          !reader_bytes (&body, TRUE, &record.key, &record.key_len) ||
          !reader_bytes (&body, TRUE, &record.value, &record.value_len) ||
          !reader_varint (&body, &n_headers))
        goto corrupt_body;

      if (offset_delta <= prev_delta ||
          offset_delta > header.last_offset_delta)
        {
          reader_fail (&body, "the offset delta is out of order or beyond "
                              "the last offset delta");
          goto corrupt_body;
        }
      prev_delta = offset_delta;

      /* Each header takes at least two bytes: this bounds the array by the
       * bytes actually present. */
      if (n_headers < 0 || (gsize)n_headers > reader_remaining (&body) / 2)
        {
          reader_fail (&body, "the header count is invalid");
          goto corrupt_body;
        }

      if (n_headers > N_STACK_HEADERS)
        {
          if ((gsize)n_headers > heap_headers_len)
            {
              heap_headers = g_renew (MrRecordHeader, heap_headers,
                                      n_headers);
              heap_headers_len = n_headers;
            }
          headers = heap_headers;
        }

      for (gint32 k = 0; k < n_headers; k++)
        {
          const guint8 *key = NULL;
          gssize key_len = 0;

          if (!reader_bytes (&body, FALSE, &key, &key_len) ||
              !reader_bytes (&body, TRUE, &headers[k].value,
                             &headers[k].value_len))
            goto corrupt_body;

          headers[k].key = (const char *)key;
          headers[k].key_len = (gsize)key_len;
        }

      if (reader_remaining (&body) != 0)
        {
          reader_fail (&body, "bytes are left over after the record's "
                              "fields");
          goto corrupt_body;
        }

      record.offset = header.base_offset + offset_delta;
      if (log_append_time)
        record.timestamp = header.max_timestamp;
      else
        record.timestamp = (gint64)((guint64)header.base_timestamp +
                                    (guint64)timestamp_delta);
      record.headers = n_headers > 0 ? headers : NULL;
      record.n_headers = (guint)n_headers;

      if (!func (&header, &record, user_data))
        return TRUE;

      continue;

    corrupt_body:
      r.error = body.error;
      goto corrupt;
    }

  if (reader_remaining (&r) != 0)
    {
      reader_fail (&r, "bytes are left over after the last record");
      goto corrupt;
    }

  return TRUE;

corrupt:
  g_assert (r.error != NULL);
  if (i < header.record_count)
    g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                 "Record batch at offset %" G_GINT64_FORMAT " is malformed "
                 "at record %d of %d: %s", header.base_offset, i + 1,
                 header.record_count, r.error);
  else
    g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                 "Record batch at offset %" G_GINT64_FORMAT " is malformed "
                 "after record %d of %d: %s", header.base_offset, i,
                 header.record_count, r.error);
  return FALSE;
}

/* mr-record-batch.h
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

#include "mr-compression.h"

G_BEGIN_DECLS

/* The 61-byte header of a record batch (magic v2), and the 12 bytes of
 * it (base offset and batch length) that come before the length counts. */
#define MR_RECORD_BATCH_HEADER_SIZE    61
#define MR_RECORD_BATCH_LOG_OVERHEAD   12
#define MR_RECORD_BATCH_MAGIC          2

#define MR_RECORD_BATCH_CODEC_MASK        0x07
#define MR_RECORD_BATCH_LOG_APPEND_TIME   0x08
#define MR_RECORD_BATCH_TRANSACTIONAL     0x10
#define MR_RECORD_BATCH_CONTROL           0x20

/* Byte offsets of the header fields the broker rewrites or reads often. */
#define MR_RECORD_BATCH_OFFSET_BASE_OFFSET       0
#define MR_RECORD_BATCH_OFFSET_LENGTH            8
#define MR_RECORD_BATCH_OFFSET_LEADER_EPOCH      12
#define MR_RECORD_BATCH_OFFSET_MAGIC             16
#define MR_RECORD_BATCH_OFFSET_CRC               17
#define MR_RECORD_BATCH_OFFSET_ATTRIBUTES        21
#define MR_RECORD_BATCH_OFFSET_LAST_OFFSET_DELTA 23
#define MR_RECORD_BATCH_OFFSET_BASE_TIMESTAMP    27
#define MR_RECORD_BATCH_OFFSET_MAX_TIMESTAMP     35
#define MR_RECORD_BATCH_OFFSET_PRODUCER_ID       43
#define MR_RECORD_BATCH_OFFSET_PRODUCER_EPOCH    51
#define MR_RECORD_BATCH_OFFSET_BASE_SEQUENCE     53
#define MR_RECORD_BATCH_OFFSET_RECORD_COUNT      57

typedef struct
{
  gint64  base_offset;
  gint32  batch_length;
  gint32  partition_leader_epoch;
  gint8   magic;
  guint32 crc;
  gint16  attributes;
  gint32  last_offset_delta;
  gint64  base_timestamp;
  gint64  max_timestamp;
  gint64  producer_id;
  gint16  producer_epoch;
  gint32  base_sequence;
  gint32  record_count;
} MrRecordBatchHeader;

/* Total size of the batch on disk and on the wire. */
static inline gsize
mr_record_batch_header_get_size (const MrRecordBatchHeader *header)
{
  return (gsize)header->batch_length + MR_RECORD_BATCH_LOG_OVERHEAD;
}

static inline gint64
mr_record_batch_header_get_last_offset (const MrRecordBatchHeader *header)
{
  return header->base_offset + header->last_offset_delta;
}

static inline MrCompression
mr_record_batch_header_get_compression (const MrRecordBatchHeader *header)
{
  return (MrCompression)(header->attributes & MR_RECORD_BATCH_CODEC_MASK);
}

typedef struct
{
  const char   *key;
  gsize         key_len;
  const guint8 *value;
  gssize        value_len;     /* -1 for a null value */
} MrRecordHeader;

/* One record, as a reader sees it. Pointers stay valid only for the
 * duration of the callback that received the record. */
typedef struct
{
  gint64                offset;
  gint64                timestamp;
  const guint8         *key;
  gssize                key_len;     /* -1 for a null key */
  const guint8         *value;
  gssize                value_len;   /* -1 for a null value (a tombstone) */
  const MrRecordHeader *headers;
  guint                 n_headers;
} MrRecord;

/* Returns FALSE to stop the iteration early. */
typedef gboolean (*MrRecordFunc) (const MrRecordBatchHeader *batch,
                                  const MrRecord            *record,
                                  gpointer                   user_data);

/* Reads the fixed header and checks its structure: enough bytes, magic 2,
 * a batch length that covers the header, a non-negative record count and
 * offset delta. Does not look at the CRC or the records. */
gboolean mr_record_batch_header_parse          (const guint8         *data,
                                                gsize                 len,
                                                MrRecordBatchHeader  *header,
                                                GError              **error);

/* Steps through the whole batches of a run of bytes as a fetch returns
 * them: a batch cut short at the end (a fetch may cut the last one), or
 * one whose header does not parse, ends the walk. */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} MrBatchCursor;

void     mr_batch_cursor_init                  (MrBatchCursor        *cursor,
                                                GBytes               *bytes);
/* The next whole batch: its header, its bytes and their size. */
gboolean mr_batch_cursor_next                  (MrBatchCursor        *cursor,
                                                MrRecordBatchHeader  *header,
                                                const guint8        **batch,
                                                gsize                *size);

/* mr_record_batch_header_parse() plus: the whole batch is present in @len
 * and its CRC32C matches. @header may be NULL. */
gboolean mr_record_batch_validate              (const guint8         *data,
                                                gsize                 len,
                                                MrRecordBatchHeader  *header,
                                                GError              **error);

/* Rewrite fields outside the CRC's coverage in place. */
void     mr_record_batch_set_base_offset       (guint8               *data,
                                                gint64                base_offset);
void     mr_record_batch_set_leader_epoch      (guint8               *data,
                                                gint32                epoch);

/* Sets the LogAppendTime bit and max timestamp to @timestamp, then
 * recomputes the CRC (both lie inside its coverage). */
void     mr_record_batch_set_log_append_time   (guint8               *data,
                                                gsize                 len,
                                                gint64                timestamp);

/* Calls @func for each record of one batch, decompressing it first when the
 * batch is compressed. Validates the CRC and every record's framing; a
 * malformed record is an MR_LOG_ERROR_CORRUPT_BATCH error (records already
 * passed to @func stay passed). */
gboolean mr_record_batch_foreach_record        (const guint8         *data,
                                                gsize                 len,
                                                MrRecordFunc          func,
                                                gpointer              user_data,
                                                GError              **error);

G_END_DECLS

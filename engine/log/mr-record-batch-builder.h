/* mr-record-batch-builder.h
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
#include "mr-record-batch.h"

G_BEGIN_DECLS

/* Builds record batches (magic v2) the way a producer does: records are
 * added one by one and _finish() returns the encoded, possibly compressed
 * batch with its CRC32C. The builder can be reused after _finish(). Used by
 * the HTTP API, the demo producer, compaction, tests and benchmarks.
 *
 * Not thread-safe: one builder per thread. */
typedef struct _MrRecordBatchBuilder MrRecordBatchBuilder;

MrRecordBatchBuilder *mr_record_batch_builder_new                   (MrCompression          compression) G_GNUC_WARN_UNUSED_RESULT;
void                  mr_record_batch_builder_free                  (MrRecordBatchBuilder  *builder);

/* Base offset written in the header (default 0; the log rewrites it). */
void                  mr_record_batch_builder_set_base_offset       (MrRecordBatchBuilder  *builder,
                                                                     gint64                 base_offset);
/* Idempotent producer fields (default -1, -1, -1). After _finish() the
 * base sequence advances by the number of records in the finished batch. */
void                  mr_record_batch_builder_set_producer          (MrRecordBatchBuilder  *builder,
                                                                     gint64                 producer_id,
                                                                     gint16                 producer_epoch,
                                                                     gint32                 base_sequence);
/* Keep a last offset delta larger than the records imply (compaction keeps
 * a cleaned batch's original offset range). */
void                  mr_record_batch_builder_set_last_offset_delta (MrRecordBatchBuilder  *builder,
                                                                     gint32                 last_offset_delta);

/* Appends a record at the next offset delta. @key_len or @value_len of -1
 * means null. @timestamp in milliseconds since the epoch. */
void                  mr_record_batch_builder_add                   (MrRecordBatchBuilder  *builder,
                                                                     gint64                 timestamp,
                                                                     const guint8          *key,
                                                                     gssize                 key_len,
                                                                     const guint8          *value,
                                                                     gssize                 value_len,
                                                                     const MrRecordHeader  *headers,
                                                                     guint                  n_headers);
/* Appends @record with offset delta @record->offset minus the base offset;
 * deltas must increase. */
void                  mr_record_batch_builder_add_record            (MrRecordBatchBuilder  *builder,
                                                                     const MrRecord        *record);

guint                 mr_record_batch_builder_get_n_records         (MrRecordBatchBuilder  *builder);
/* Bytes of the uncompressed batch so far, header included. */
gsize                 mr_record_batch_builder_get_size              (MrRecordBatchBuilder  *builder);

/* Returns the batch and resets the builder (records, base offset and last
 * offset delta; compression and producer stay). NULL with @error set only
 * when compression fails, or when no record was added. */
GBytes               *mr_record_batch_builder_finish                (MrRecordBatchBuilder  *builder,
                                                                     GError               **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrRecordBatchBuilder, mr_record_batch_builder_free)

G_END_DECLS

/* mr-record-reader.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mr-cluster.h"
#include "../log/mr-record-batch.h"

G_BEGIN_DECLS

/* Records as a browser, an exporter or a producer holds them: decoded from
 * fetched batches into owned memory, one partition's offsets at a time.
 * Everything here goes through the public cluster API (fetch, produce), so
 * it may run in any thread but the GTK main one: reading and producing
 * block on the brokers. */

typedef struct
{
  char   *key;                  /* UTF-8 is not required; NUL-terminated */
  GBytes *value;                /* NULL for a null value */
} MrRecordCopyHeader;

typedef struct
{
  gint32  partition;
  gint64  offset;
  gint64  timestamp;            /* ms since the epoch */
  GBytes *key;                  /* NULL for a null key */
  GBytes *value;                /* NULL for a null value (a tombstone) */
  GArray *headers;              /* MrRecordCopyHeader, or NULL for none */
} MrRecordCopy;

void          mr_record_copy_init          (MrRecordCopy        *copy);
/* Copies @record's bytes; @copy must be initialised or cleared. */
void          mr_record_copy_set           (MrRecordCopy        *copy,
                                            gint32               partition,
                                            const MrRecord      *record);
void          mr_record_copy_add_header    (MrRecordCopy        *copy,
                                            const char          *key,
                                            const guint8        *value,
                                            gssize               value_len);
void          mr_record_copy_clear         (MrRecordCopy        *copy);

/* What a filter compares against. */
typedef enum
{
  MR_RECORD_FIELD_KEY,
  MR_RECORD_FIELD_VALUE,
  MR_RECORD_FIELD_HEADER,
} MrRecordField;

/* A filter: @needle is looked for as a byte substring of the key or the
 * value; for headers, "name=text" matches a header called exactly "name"
 * whose value contains "text", and a needle without "=" matches a header
 * whose name or value contains it. An empty needle matches everything. */
gboolean      mr_record_matches            (const MrRecord      *record,
                                            MrRecordField        field,
                                            const char          *needle);
gboolean      mr_record_copy_matches       (const MrRecordCopy  *copy,
                                            MrRecordField        field,
                                            const char          *needle);

/* Consecutive records of one partition, immutable once read, shared by
 * reference between threads. Offsets may have gaps (compaction). */
typedef struct
{
  gint32        partition;
  gint64        from_offset;     /* what was asked for */
  gint64        end_offset;      /* exclusive: what was asked for, capped */
  gint64        high_watermark;  /* when it was read */
  gint64        log_start_offset;
  guint         n_records;
  MrRecordCopy *records;         /* by increasing offset */
} MrRecordPage;

/* Reads the committed records of @partition with offsets in [@from,
 * @end) (capped at the high watermark; @end -1: up to it), fetching from
 * the leader as a consumer does, never waiting for new records. An offset
 * below the log start reads from the log start.
 *
 * @locality: any thread but the GTK main one: it blocks on the broker. */
MrRecordPage *mr_record_page_read          (MrCluster           *cluster,
                                            const char          *topic,
                                            gint32               partition,
                                            gint64               from,
                                            gint64               end,
                                            GCancellable        *cancellable,
                                            GError             **error) G_GNUC_WARN_UNUSED_RESULT;
MrRecordPage *mr_record_page_ref           (MrRecordPage        *page);
void          mr_record_page_unref         (MrRecordPage        *page);
/* The record at @offset, or NULL when the page has none there. */
const MrRecordCopy *mr_record_page_lookup  (MrRecordPage        *page,
                                            gint64               offset);

/* Calls @func for every committed record of @partition with an offset in
 * [@from, @end) (end -1: the high watermark at the start), decoding the
 * fetched batches in place without copying. Stops early when @func returns
 * FALSE or @cancellable fires (then G_IO_ERROR_CANCELLED).
 *
 * @locality: any thread but the GTK main one. */
gboolean      mr_record_scan               (MrCluster           *cluster,
                                            const char          *topic,
                                            gint32               partition,
                                            gint64               from,
                                            gint64               end,
                                            MrRecordFunc         func,
                                            gpointer             user_data,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* One uncompressed batch holding @records in order (their offsets and
 * partitions are ignored; a timestamp of -1 means now). */
GBytes       *mr_record_build_batch        (const MrRecordCopy  *records,
                                            guint                n_records,
                                            GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* Produces @records to @partition with acks=all and returns the offset of
 * the first one in @base_offset. Kafka errors come back in the
 * MR_KAFKA_ERROR domain.
 *
 * @locality: any thread but the GTK main one. */
gboolean      mr_record_produce            (MrCluster           *cluster,
                                            const char          *topic,
                                            gint32               partition,
                                            const MrRecordCopy  *records,
                                            guint                n_records,
                                            gint64              *base_offset,
                                            GError             **error);

/* The partition Kafka's default partitioner picks for @key among
 * @n_partitions: murmur2 of the key, positive, modulo the count. */
gint32        mr_record_partition_for_key  (const guint8        *key,
                                            gsize                key_len,
                                            gint32               n_partitions);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MrRecordCopy, mr_record_copy_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrRecordPage, mr_record_page_unref)

G_END_DECLS

/* mr-partition-log.h
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

#include "mr-log-config.h"
#include "mr-log-io.h"
#include "mr-record-batch.h"

G_BEGIN_DECLS

/* The durable log of one replica of one partition: a directory of segment
 * files in Kafka's layout. See mr-partition-log.c for the disk format.
 *
 * Threads: every function may be called from any thread. Appends, truncation,
 * retention and configuration changes are serialised by the log's lock;
 * reads take the lock only to find their byte range and then read without
 * it; compaction copies outside the lock and takes it only to swap a cleaned
 * segment in. */
typedef struct _MrPartitionLog MrPartitionLog;
typedef struct _MrLogSegment   MrLogSegment;

typedef enum
{
  MR_LOG_OPEN_FLAGS_NONE      = 0,
  /* Inspect only: recovery finds what it would drop but changes no file,
   * and every change to the log fails with MR_LOG_ERROR_READ_ONLY. */
  MR_LOG_OPEN_FLAGS_READ_ONLY = 1 << 0,
} MrLogOpenFlags;

typedef enum
{
  MR_APPEND_FLAGS_NONE           = 0,
  /* Leader appends: each batch gets base offset = log end offset. Without
   * this flag the batches keep their offsets (a follower copying its leader)
   * and must start at or after the log end offset. */
  MR_APPEND_FLAGS_ASSIGN_OFFSETS = 1 << 0,
  /* Skip the CRC32C check: for in-process copies of batches that a leader
   * already checked. */
  MR_APPEND_FLAGS_TRUSTED        = 1 << 1,
} MrAppendFlags;

typedef struct
{
  gint64 first_offset;     /* base offset of the first appended batch */
  gint64 last_offset;      /* last offset of the last appended batch */
  gint64 max_timestamp;    /* largest max timestamp among the batches */
  gint64 log_append_time;  /* the time stamped on LogAppendTime topics, or -1 */
  guint  n_batches;
  guint  n_records;
  gsize  n_bytes;
} MrAppendInfo;

/* What the recovery on open found and did. */
typedef struct
{
  guint  n_segments;
  gint64 n_batches;            /* valid batches kept */
  gint64 truncated_bytes;      /* bytes dropped from a torn or corrupt tail */
  gint64 truncated_at_offset;  /* offset where the dropped range began, or -1 */
  guint  deleted_segments;     /* whole segments dropped after a corrupt one */
  guint  rebuilt_indexes;      /* index files rewritten */
} MrLogRecoveryReport;

typedef struct
{
  guint  deleted_segments;
  gint64 deleted_bytes;
} MrRetentionResult;

typedef struct
{
  guint  cleaned_segments;
  gint64 records_before;
  gint64 records_after;
  gint64 tombstones_removed;
  gint64 bytes_before;
  gint64 bytes_after;
} MrCompactionStats;

/* A byte range of one segment file that holds whole batches, ready to be
 * sent with sendfile() or read with pread(). Holds a reference on its
 * segment, so the bytes stay readable even if the segment is deleted
 * meanwhile. Clear it with mr_log_slice_clear(). */
typedef struct
{
  MrLogSegment *segment;
  int           fd;
  goffset       position;
  gsize         length;
  gint64        first_offset;   /* base offset of the first batch */
  gint64        next_offset;    /* where the next read starts: past the last
                                 * batch of the slice */
} MrLogSlice;

#define MR_LOG_SLICE_INIT { NULL, -1, 0, 0, -1, -1 }

MrPartitionLog *mr_partition_log_open                   (const char            *directory,
                                                         const MrLogConfig     *config,
                                                         const MrLogIo         *io,
                                                         MrLogOpenFlags         flags,
                                                         GError               **error) G_GNUC_WARN_UNUSED_RESULT;
MrPartitionLog *mr_partition_log_ref                    (MrPartitionLog        *log);
void            mr_partition_log_unref                  (MrPartitionLog        *log);
/* Flushes, writes the indexes and marks the shutdown as clean. Later calls
 * on the log fail; the memory goes with the last unref. */
gboolean        mr_partition_log_close                  (MrPartitionLog        *log,
                                                         GError               **error);
/* Ends the log as a power cut would: every segment loses what was not yet
 * synced with fdatasync(), and the log closes without writing anything.
 * For the cluster's crash fault with "simulate power loss" on, and tests. */
gboolean        mr_partition_log_simulate_power_loss    (MrPartitionLog        *log,
                                                         GError               **error);
/* Closes the log and removes its directory (topic deletion). */
gboolean        mr_partition_log_delete                 (MrPartitionLog        *log,
                                                         GError               **error);

const char     *mr_partition_log_get_directory          (MrPartitionLog        *log);
void            mr_partition_log_get_config             (MrPartitionLog        *log,
                                                         MrLogConfig           *config);
void            mr_partition_log_set_config             (MrPartitionLog        *log,
                                                         const MrLogConfig     *config);
void            mr_partition_log_get_recovery_report    (MrPartitionLog        *log,
                                                         MrLogRecoveryReport   *report);

gint64          mr_partition_log_get_log_start_offset   (MrPartitionLog        *log);
gint64          mr_partition_log_get_log_end_offset     (MrPartitionLog        *log);
/* Offset below which every batch has reached the disk with fdatasync(). */
gint64          mr_partition_log_get_flushed_offset     (MrPartitionLog        *log);
gint64          mr_partition_log_get_size               (MrPartitionLog        *log);
guint           mr_partition_log_get_n_segments         (MrPartitionLog        *log);

/* Appends one or more whole batches (a produce request's record set).
 * All are validated before any is written: the append is all or nothing.
 * @leader_epoch is stamped into each batch unless it is -1.
 *
 * @batches is also the write buffer: once validation has passed, the log
 * rewrites each batch's base offset and leader epoch in place (and on
 * LogAppendTime topics its max timestamp, attributes and CRC), then writes
 * the whole buffer with one system call, as Kafka writes a produce request's
 * buffer. Writing it whole, rather than splicing rewritten headers in,
 * keeps the page cache in large pieces: reads of the log run at the speed
 * of plain reads. */
gboolean        mr_partition_log_append                 (MrPartitionLog        *log,
                                                         guint8                *batches,
                                                         gsize                  len,
                                                         gint32                 leader_epoch,
                                                         MrAppendFlags          flags,
                                                         MrAppendInfo          *info,
                                                         GError               **error);

/* Finds whole batches starting with the one that holds @offset, up to
 * @max_bytes (but always at least one whole batch), stopping before any
 * batch that starts at or after @max_offset (-1: no bound; the high
 * watermark for consumers). Reading at the log end gives an empty slice. */
gboolean        mr_partition_log_read                   (MrPartitionLog        *log,
                                                         gint64                 offset,
                                                         gsize                  max_bytes,
                                                         gint64                 max_offset,
                                                         MrLogSlice            *slice,
                                                         GError               **error);

/* The first offset whose record timestamp is at or after @timestamp, and
 * that record's timestamp; -1 and -1 when there is none. */
gboolean        mr_partition_log_offset_for_timestamp   (MrPartitionLog        *log,
                                                         gint64                 timestamp,
                                                         gint64                *offset,
                                                         gint64                *found_timestamp,
                                                         GError               **error);

/* Removes every batch that holds an offset at or after @offset: the batch
 * holding @offset goes whole. Returns the new log end offset. */
gboolean        mr_partition_log_truncate_to            (MrPartitionLog        *log,
                                                         gint64                 offset,
                                                         gint64                *new_log_end,
                                                         GError               **error);
/* Empties the log and restarts it at @offset (a follower whose leader's log
 * starts after this log's end). */
gboolean        mr_partition_log_truncate_fully_and_start_at (MrPartitionLog   *log,
                                                         gint64                 offset,
                                                         GError               **error);
/* Moves the log start to @offset (DeleteRecords), deleting the segments
 * that fall wholly below it. The new start is persisted. */
gboolean        mr_partition_log_delete_records_before  (MrPartitionLog        *log,
                                                         gint64                 offset,
                                                         GError               **error);

/* Starts a new segment at the log end offset. */
gboolean        mr_partition_log_roll                   (MrPartitionLog        *log,
                                                         GError               **error);
/* fdatasync()s everything appended so far; concurrent callers share one
 * sync (group commit). */
gboolean        mr_partition_log_flush                  (MrPartitionLog        *log,
                                                         GError               **error);
/* Periodic housekeeping for the log's owner: the flush.ms flush and the
 * segment.ms roll. */
gboolean        mr_partition_log_tick                   (MrPartitionLog        *log,
                                                         GError               **error);

/* Deletes whole segments past retention.ms or retention.bytes (only when
 * cleanup.policy has "delete"). The active segment goes only when every
 * record in it has expired, and then a new empty one replaces it. */
gboolean        mr_partition_log_enforce_retention      (MrPartitionLog        *log,
                                                         MrRetentionResult     *result,
                                                         GError               **error);

/* Compacts the closed segments below @max_offset (-1: all closed segments):
 * keeps the latest record per key, drops tombstones older than
 * delete.retention.ms. Runs without holding the log's lock except to swap
 * each cleaned segment in; appends go on meanwhile. Records without a key
 * are kept. Does nothing unless cleanup.policy has "compact". */
gboolean        mr_partition_log_compact                (MrPartitionLog        *log,
                                                         gint64                 max_offset,
                                                         MrCompactionStats     *stats,
                                                         GError               **error);

/* Calls @func for every batch header from the batch holding @from_offset to
 * the log end, in order (rebuilding producer state, leader epochs). */
typedef gboolean (*MrBatchHeaderFunc) (const MrRecordBatchHeader *header,
                                       gpointer                   user_data);
gboolean        mr_partition_log_foreach_batch          (MrPartitionLog        *log,
                                                         gint64                 from_offset,
                                                         MrBatchHeaderFunc      func,
                                                         gpointer               user_data,
                                                         GError               **error);

void            mr_log_slice_clear                      (MrLogSlice            *slice);
/* Reads the slice's bytes into memory. */
GBytes         *mr_log_slice_read_bytes                 (const MrLogSlice      *slice,
                                                         GError               **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrPartitionLog, mr_partition_log_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MrLogSlice, mr_log_slice_clear)

G_END_DECLS

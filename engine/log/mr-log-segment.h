/* mr-log-segment.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Private to the log module: the partition log owns its segments and is the
 * only code that touches their fields. */

#include <glib.h>

#include "mr-log-io.h"
#include "mr-partition-log.h"
#include "mr-record-batch.h"

G_BEGIN_DECLS

typedef struct
{
  guint32 relative_offset;
  guint32 position;
} MrOffsetIndexEntry;

typedef struct
{
  gint64  timestamp;
  guint32 relative_offset;
  guint32 position;           /* in memory only: where that batch starts */
} MrTimeIndexEntry;

/* One segment: a .log file of whole batches plus its two sparse indexes.
 *
 * @locks: fd, paths, base_offset and io never change after creation. Every
 * other field belongs to the owning MrPartitionLog and is read or written
 * only with that log's lock held; readers copy what they need (size) under
 * the lock and then use the fd without it. */
struct _MrLogSegment
{
  gatomicrefcount  ref_count;
  const MrLogIo   *io;
  char            *log_path;
  char            *index_path;
  char            *timeindex_path;
  int              fd;
  gint64           base_offset;
  gboolean         read_only;

  goffset          size;
  gint64           next_offset;
  gint64           max_timestamp;
  gint64           n_batches;
  gint64           n_records;
  gint64           created_ms;
  GArray          *offset_index;
  GArray          *time_index;
  guint            offset_index_on_disk;
  guint            time_index_on_disk;
  gsize            bytes_since_index;
  goffset          flushed_size;

  /* The newest bytes of the active segment, bytes [tail_start, tail_start
   * + tail->len) of the file, kept in memory so that reads at the end of
   * the log (followers and consumers that keep up) cost no pread(). Only
   * appends that reached the file are kept; a truncation cuts the copy
   * too. @locks tail_lock, a leaf lock taken after the log's. */
  GMutex           tail_lock;
  GByteArray      *tail;
  goffset          tail_start;
};

typedef struct
{
  goffset truncated_bytes;
  gint64  truncated_at_offset;   /* -1 when nothing was dropped */
  gboolean index_rebuilt;
} MrSegmentRecovery;

/* Reads batch headers sequentially through a small buffer, so walking many
 * small batches costs one pread() per buffer, not one per batch. */
typedef struct
{
  MrLogSegment *segment;
  goffset       position;      /* of the next batch */
  goffset       end;
  guint8        buffer[16384];
  goffset       buffer_start;
  gsize         buffer_len;
  gsize         last_size;     /* of the batch last returned */
} MrBatchWalker;

char         *mr_log_segment_file_name           (gint64                 base_offset,
                                                  const char            *suffix) G_GNUC_WARN_UNUSED_RESULT;

/* An empty segment with @segment's file names, base offset, I/O and age,
 * writing to @fd (taken): compaction's output before it is swapped in. */
MrLogSegment *mr_log_segment_new_replacement     (MrLogSegment          *segment,
                                                  int                    fd) G_GNUC_WARN_UNUSED_RESULT;
MrLogSegment *mr_log_segment_create              (const char            *directory,
                                                  gint64                 base_offset,
                                                  const MrLogIo         *io,
                                                  gint64                 now_ms,
                                                  GError               **error) G_GNUC_WARN_UNUSED_RESULT;
MrLogSegment *mr_log_segment_open                (const char            *directory,
                                                  gint64                 base_offset,
                                                  const MrLogIo         *io,
                                                  gboolean               read_only,
                                                  GError               **error) G_GNUC_WARN_UNUSED_RESULT;
MrLogSegment *mr_log_segment_ref                 (MrLogSegment          *segment);
void          mr_log_segment_unref               (MrLogSegment          *segment);

/* Verifies every batch (framing, CRC32C, offsets increasing, inside
 * [base_offset, @limit_offset)), rebuilds the in-memory indexes and cuts a
 * torn or corrupt tail (only in memory when read-only). */
gboolean      mr_log_segment_recover             (MrLogSegment          *segment,
                                                  gint64                 limit_offset,
                                                  gint32                 index_interval_bytes,
                                                  MrSegmentRecovery     *recovery,
                                                  GError               **error);

/* Accounts for a batch just written at @position. */
void          mr_log_segment_note_batch          (MrLogSegment          *segment,
                                                  const MrRecordBatchHeader *header,
                                                  goffset                position,
                                                  gint32                 index_interval_bytes);

/* Writes index entries not yet on disk; with @rewrite, replaces both index
 * files whole. */
gboolean      mr_log_segment_write_indexes       (MrLogSegment          *segment,
                                                  gboolean               rewrite,
                                                  GError               **error);

/* Position to start a scan for @offset: the last indexed batch at or below
 * it. */
goffset       mr_log_segment_lookup_offset       (MrLogSegment          *segment,
                                                  gint64                 offset);
/* The start of the last indexed batch at or before @position, or -1. */
goffset       mr_log_segment_lookup_position     (MrLogSegment          *segment,
                                                  goffset                position);
/* Position to start a scan for the first record at or after @timestamp. */
goffset       mr_log_segment_lookup_timestamp    (MrLogSegment          *segment,
                                                  gint64                 timestamp);

/* Cuts the segment at @position (a batch boundary) and recomputes its
 * statistics and indexes. */
gboolean      mr_log_segment_truncate            (MrLogSegment          *segment,
                                                  goffset                position,
                                                  gint32                 index_interval_bytes,
                                                  GError               **error);
gboolean      mr_log_segment_sync                (MrLogSegment          *segment,
                                                  GError               **error);
void          mr_log_segment_remove_files        (MrLogSegment          *segment);

void          mr_batch_walker_init               (MrBatchWalker         *walker,
                                                  MrLogSegment          *segment,
                                                  goffset                start,
                                                  goffset                end);
/* The next batch's header and position. FALSE at the end (no error) or on
 * a read error or a malformed header. */
gboolean      mr_batch_walker_next               (MrBatchWalker         *walker,
                                                  MrRecordBatchHeader   *header,
                                                  goffset               *position,
                                                  GError               **error);
/* Keeps a copy of @len bytes just written at @position for reads at the
 * tail; a write that does not continue the kept bytes starts them anew,
 * and a big one empties them. */
void          mr_log_segment_keep_tail           (MrLogSegment          *segment,
                                                  goffset                position,
                                                  const guint8          *data,
                                                  gsize                  len);
/* Forgets the kept bytes from @position on: a truncation, or 0 when the
 * segment stops being the active one. */
void          mr_log_segment_cut_tail            (MrLogSegment          *segment,
                                                  goffset                position);
/* Reads the whole batch at @position of size @size into @out. */
gboolean      mr_log_segment_read_batch          (MrLogSegment          *segment,
                                                  goffset                position,
                                                  gsize                  size,
                                                  GByteArray            *out,
                                                  GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLogSegment, mr_log_segment_unref)

G_END_DECLS

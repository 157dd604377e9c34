/* mr-log-segment.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-log-segment.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mr-log-error.h"

/* The index files' formats are written out at the top of
 * mr-partition-log.c, beside the segment format they index. */

#define OFFSET_INDEX_ENTRY_SIZE 8
#define TIME_INDEX_ENTRY_SIZE   12

/* The tail kept in memory: at least TAIL_KEEP bytes once the segment has
 * them (more than an index interval and a batch, so a seek from the sparse
 * index lands in it), trimmed back to that when it reaches twice as much:
 * under 64 KiB per active segment, which a laptop can keep for hundreds of
 * partitions. Only small appends are copied: a big one would cost more in
 * memcpy than it saves in pread(), and whoever reads it reads it whole
 * from the file. */
#define TAIL_KEEP       (16 * 1024)
#define TAIL_MAX_APPEND (8 * 1024)

static void
set_io_error (GError     **error,
              int          saved_errno,
              const char  *what,
              const char  *path)
{
  g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
               "Could not %s “%s”: %s", what, path,
               g_strerror (saved_errno));
}

char *
mr_log_segment_file_name (gint64      base_offset,
                          const char *suffix)
{
  return g_strdup_printf ("%020" G_GINT64_FORMAT "%s", base_offset, suffix);
}

static gboolean write_index_file (const char    *path,
                                  const guint8  *data,
                                  gsize          len,
                                  goffset        at,
                                  gboolean       rewrite,
                                  GError       **error);

static MrLogSegment *
segment_new (const char    *directory,
             gint64         base_offset,
             const MrLogIo *io)
{
  MrLogSegment *segment = g_new0 (MrLogSegment, 1);
  g_autofree char *log_name = mr_log_segment_file_name (base_offset, ".log");
  g_autofree char *index_name = mr_log_segment_file_name (base_offset,
                                                          ".index");
  g_autofree char *time_name = mr_log_segment_file_name (base_offset,
                                                         ".timeindex");

  g_atomic_ref_count_init (&segment->ref_count);
  segment->io = io;
  segment->log_path = g_build_filename (directory, log_name, NULL);
  segment->index_path = g_build_filename (directory, index_name, NULL);
  segment->timeindex_path = g_build_filename (directory, time_name, NULL);
  segment->fd = -1;
  segment->base_offset = base_offset;
  segment->next_offset = base_offset;
  segment->max_timestamp = -1;
  segment->created_ms = -1;
  segment->offset_index = g_array_new (FALSE, FALSE,
                                       sizeof (MrOffsetIndexEntry));
  segment->time_index = g_array_new (FALSE, FALSE, sizeof (MrTimeIndexEntry));
  g_mutex_init (&segment->tail_lock);
  segment->tail = g_byte_array_new ();

  return segment;
}

MrLogSegment *
mr_log_segment_create (const char     *directory,
                       gint64          base_offset,
                       const MrLogIo  *io,
                       gint64          now_ms,
                       GError        **error)
{
  g_autoptr(MrLogSegment) segment = segment_new (directory, base_offset, io);

  /* A leftover file of that name can only be stale: the log truncated past
   * it or is restarting at this offset. */
  segment->fd = open (segment->log_path,
                      O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (segment->fd < 0)
    {
      set_io_error (error, errno, "create segment", segment->log_path);
      return NULL;
    }

  /* Empty index files from the start, as Kafka has them: a missing one
   * later means it was lost. */
  if (!write_index_file (segment->index_path, NULL, 0, 0, TRUE, error)
      || !write_index_file (segment->timeindex_path, NULL, 0, 0, TRUE, error))
    return NULL;
  segment->created_ms = now_ms;

  return g_steal_pointer (&segment);
}

MrLogSegment *
mr_log_segment_new_replacement (MrLogSegment *segment,
                                int           fd)
{
  g_autofree char *directory = g_path_get_dirname (segment->log_path);
  MrLogSegment *replacement = segment_new (directory, segment->base_offset,
                                           segment->io);

  replacement->fd = fd;
  replacement->created_ms = segment->created_ms;
  return replacement;
}

MrLogSegment *
mr_log_segment_open (const char     *directory,
                     gint64          base_offset,
                     const MrLogIo  *io,
                     gboolean        read_only,
                     GError        **error)
{
  g_autoptr(MrLogSegment) segment = segment_new (directory, base_offset, io);
  struct stat st;

  segment->read_only = read_only;
  segment->fd = open (segment->log_path,
                      (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (segment->fd < 0)
    {
      set_io_error (error, errno, "open segment", segment->log_path);
      return NULL;
    }

  if (fstat (segment->fd, &st) != 0)
    {
      set_io_error (error, errno, "inspect segment", segment->log_path);
      return NULL;
    }

  segment->size = st.st_size;
  segment->flushed_size = st.st_size;
  segment->created_ms = (gint64)st.st_mtime * 1000;

  return g_steal_pointer (&segment);
}

MrLogSegment *
mr_log_segment_ref (MrLogSegment *segment)
{
  g_return_val_if_fail (segment != NULL, NULL);

  g_atomic_ref_count_inc (&segment->ref_count);
  return segment;
}

void
mr_log_segment_unref (MrLogSegment *segment)
{
  g_return_if_fail (segment != NULL);

  if (!g_atomic_ref_count_dec (&segment->ref_count))
    return;

  if (segment->fd >= 0)
    close (segment->fd);
  g_array_unref (segment->offset_index);
  g_array_unref (segment->time_index);
  g_byte_array_unref (segment->tail);
  g_mutex_clear (&segment->tail_lock);
  g_free (segment->log_path);
  g_free (segment->index_path);
  g_free (segment->timeindex_path);
  g_free (segment);
}

static void
reset_stats (MrLogSegment *segment)
{
  segment->next_offset = segment->base_offset;
  segment->max_timestamp = -1;
  segment->n_batches = 0;
  segment->n_records = 0;
  segment->bytes_since_index = 0;
  g_array_set_size (segment->offset_index, 0);
  g_array_set_size (segment->time_index, 0);
}

void
mr_log_segment_note_batch (MrLogSegment              *segment,
                           const MrRecordBatchHeader *header,
                           goffset                    position,
                           gint32                     index_interval_bytes)
{
  gsize size = mr_record_batch_header_get_size (header);
  gint64 last_offset = mr_record_batch_header_get_last_offset (header);

  g_assert (header->base_offset >= segment->base_offset);
  g_assert (last_offset - segment->base_offset <= G_MAXUINT32);

  /* Kafka's rule: an entry for the batch that crosses the interval, keyed by
   * the batch's last offset and pointing at the batch's start. */
  if (segment->bytes_since_index > (gsize)index_interval_bytes)
    {
      MrOffsetIndexEntry entry;
      guint32 relative = (guint32)(last_offset - segment->base_offset);

      entry.relative_offset = relative;
      entry.position = (guint32)position;
      g_array_append_val (segment->offset_index, entry);

      if (header->max_timestamp > segment->max_timestamp
          && segment->max_timestamp >= 0)
        {
          MrTimeIndexEntry time_entry;

          /* The running maximum before this batch, so that every batch up to
           * and including the indexed one has timestamps at or below it. */
          time_entry.timestamp = segment->max_timestamp;
          time_entry.relative_offset = relative;
          time_entry.position = (guint32)position;
          g_array_append_val (segment->time_index, time_entry);
        }

      segment->bytes_since_index = 0;
    }

  segment->bytes_since_index += size;
  segment->size = position + size;
  segment->next_offset = last_offset + 1;
  segment->n_batches++;
  segment->n_records += header->record_count;
  if (header->max_timestamp > segment->max_timestamp)
    segment->max_timestamp = header->max_timestamp;
}

void
mr_log_segment_keep_tail (MrLogSegment *segment,
                          goffset       position,
                          const guint8 *data,
                          gsize         len)
{
  g_mutex_lock (&segment->tail_lock);
  if (len > TAIL_MAX_APPEND)
    {
      g_byte_array_set_size (segment->tail, 0);
      segment->tail_start = position + (goffset)len;
      g_mutex_unlock (&segment->tail_lock);
      return;
    }
  if (position != segment->tail_start + (goffset)segment->tail->len)
    {
      g_byte_array_set_size (segment->tail, 0);
      segment->tail_start = position;
    }
  g_byte_array_append (segment->tail, data, len);
  if (segment->tail->len >= 2 * TAIL_KEEP)
    {
      guint drop = segment->tail->len - TAIL_KEEP;

      g_byte_array_remove_range (segment->tail, 0, drop);
      segment->tail_start += drop;
    }
  g_mutex_unlock (&segment->tail_lock);
}

void
mr_log_segment_cut_tail (MrLogSegment *segment,
                         goffset       position)
{
  g_mutex_lock (&segment->tail_lock);
  if (position <= segment->tail_start)
    {
      g_byte_array_set_size (segment->tail, 0);
      segment->tail_start = position;
    }
  else if (position < segment->tail_start + (goffset)segment->tail->len)
    g_byte_array_set_size (segment->tail,
                           (guint)(position - segment->tail_start));
  g_mutex_unlock (&segment->tail_lock);
}

/* Reads @len bytes at @position: from the kept tail when it holds them
 * all, else from the file. Returns FALSE with errno set on failure. */
static gboolean
read_bytes (MrLogSegment *segment,
            guint8       *buffer,
            gsize         len,
            goffset       position)
{
  gboolean kept;

  g_mutex_lock (&segment->tail_lock);
  kept = position >= segment->tail_start
         && position + (goffset)len
            <= segment->tail_start + (goffset)segment->tail->len;
  if (kept)
    memcpy (buffer, segment->tail->data + (position - segment->tail_start),
            len);
  g_mutex_unlock (&segment->tail_lock);

  return kept || mr_log_io_pread_all (segment->io, segment->fd, buffer, len,
                                      position);
}

void
mr_batch_walker_init (MrBatchWalker *walker,
                      MrLogSegment  *segment,
                      goffset        start,
                      goffset        end)
{
  walker->segment = segment;
  walker->position = start;
  walker->end = end;
  walker->buffer_start = 0;
  walker->buffer_len = 0;
  walker->last_size = 0;
}

gboolean
mr_batch_walker_next (MrBatchWalker        *walker,
                      MrRecordBatchHeader  *header,
                      goffset              *position,
                      GError              **error)
{
  MrLogSegment *segment = walker->segment;
  goffset in_buffer;
  gsize size;

  if (walker->position >= walker->end)
    return FALSE;

  if (walker->end - walker->position < MR_RECORD_BATCH_HEADER_SIZE)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Torn batch header at byte %" G_GOFFSET_FORMAT " of “%s”",
                   walker->position, segment->log_path);
      return FALSE;
    }

  in_buffer = walker->position - walker->buffer_start;
  if (walker->position < walker->buffer_start
      || in_buffer + MR_RECORD_BATCH_HEADER_SIZE > (goffset)walker->buffer_len)
    {
      gsize want = MIN ((goffset)sizeof walker->buffer,
                        walker->end - walker->position);

      /* Large batches: the next header is all that fits, so read only it
       * rather than read the batch's bytes twice. Before the first batch,
       * its size is unknown: read a little. */
      if (walker->last_size > sizeof walker->buffer / 2)
        want = MR_RECORD_BATCH_HEADER_SIZE;
      else if (walker->last_size == 0)
        want = MIN (want, 4096);

      if (!read_bytes (segment, walker->buffer, want, walker->position))
        {
          set_io_error (error, errno, "read segment", segment->log_path);
          return FALSE;
        }
      walker->buffer_start = walker->position;
      walker->buffer_len = want;
      in_buffer = 0;
    }

  if (!mr_record_batch_header_parse (walker->buffer + in_buffer,
                                     walker->buffer_len - in_buffer,
                                     header, error))
    {
      g_prefix_error (error, "At byte %" G_GOFFSET_FORMAT " of “%s”: ",
                      walker->position, segment->log_path);
      return FALSE;
    }

  size = mr_record_batch_header_get_size (header);
  if ((goffset)size > walker->end - walker->position)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                   "Batch at byte %" G_GOFFSET_FORMAT " of “%s” runs past "
                   "the end of the segment", walker->position,
                   segment->log_path);
      return FALSE;
    }

  *position = walker->position;
  walker->position += size;
  walker->last_size = size;
  return TRUE;
}

gboolean
mr_log_segment_read_batch (MrLogSegment  *segment,
                           goffset        position,
                           gsize          size,
                           GByteArray    *out,
                           GError       **error)
{
  g_byte_array_set_size (out, size);
  if (!read_bytes (segment, out->data, size, position))
    {
      set_io_error (error, errno, "read segment", segment->log_path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_offset_index (MrLogSegment *segment,
                   GArray       *entries)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (segment->index_path, &contents, &len, NULL))
    return FALSE;
  if (len % OFFSET_INDEX_ENTRY_SIZE != 0)
    return FALSE;

  for (gsize i = 0; i < len; i += OFFSET_INDEX_ENTRY_SIZE)
    {
      MrOffsetIndexEntry entry;
      guint32 be[2];

      memcpy (be, contents + i, sizeof be);
      entry.relative_offset = GUINT32_FROM_BE (be[0]);
      entry.position = GUINT32_FROM_BE (be[1]);
      g_array_append_val (entries, entry);
    }

  return TRUE;
}

static gboolean
load_time_index (MrLogSegment *segment,
                 GArray       *entries)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (segment->timeindex_path, &contents, &len, NULL))
    return FALSE;
  if (len % TIME_INDEX_ENTRY_SIZE != 0)
    return FALSE;

  for (gsize i = 0; i < len; i += TIME_INDEX_ENTRY_SIZE)
    {
      MrTimeIndexEntry entry = { 0, };
      guint64 ts;
      guint32 rel;

      memcpy (&ts, contents + i, sizeof ts);
      memcpy (&rel, contents + i + 8, sizeof rel);
      entry.timestamp = (gint64)GUINT64_FROM_BE (ts);
      entry.relative_offset = GUINT32_FROM_BE (rel);
      g_array_append_val (entries, entry);
    }

  return TRUE;
}

/* Whether the index files on disk say exactly what the scan of the log
 * found. */
static gboolean
indexes_match_disk (MrLogSegment *segment)
{
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE,
                                           sizeof (MrOffsetIndexEntry));
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE,
                                         sizeof (MrTimeIndexEntry));

  if (!load_offset_index (segment, offsets)
      || !load_time_index (segment, times))
    return FALSE;
  if (offsets->len != segment->offset_index->len
      || times->len != segment->time_index->len)
    return FALSE;

  for (guint i = 0; i < offsets->len; i++)
    {
      MrOffsetIndexEntry *a = &g_array_index (offsets, MrOffsetIndexEntry, i);
      MrOffsetIndexEntry *b = &g_array_index (segment->offset_index,
                                              MrOffsetIndexEntry, i);

      if (a->relative_offset != b->relative_offset
          || a->position != b->position)
        return FALSE;
    }

  for (guint i = 0; i < times->len; i++)
    {
      MrTimeIndexEntry *a = &g_array_index (times, MrTimeIndexEntry, i);
      MrTimeIndexEntry *b = &g_array_index (segment->time_index,
                                            MrTimeIndexEntry, i);

      if (a->timestamp != b->timestamp
          || a->relative_offset != b->relative_offset)
        return FALSE;
    }

  return TRUE;
}

gboolean
mr_log_segment_recover (MrLogSegment       *segment,
                        gint64              limit_offset,
                        gint32              index_interval_bytes,
                        MrSegmentRecovery  *recovery,
                        GError            **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  goffset file_size = segment->size;
  goffset position = 0;
  gint64 expected_min = segment->base_offset;

  recovery->truncated_bytes = 0;
  recovery->truncated_at_offset = -1;
  recovery->index_rebuilt = FALSE;

  reset_stats (segment);

  /* Read in large chunks; a batch larger than the chunk is read whole. */
  while (position < file_size)
    {
      g_autoptr(GError) local_error = NULL;
      MrRecordBatchHeader header;
      guint8 head[MR_RECORD_BATCH_HEADER_SIZE];
      gsize size;

      if (file_size - position < MR_RECORD_BATCH_HEADER_SIZE)
        {
          g_set_error (&local_error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                       "torn batch header");
          goto invalid;
        }

      if (!mr_log_io_pread_all (segment->io, segment->fd, head, sizeof head,
                                position))
        {
          set_io_error (error, errno, "read segment", segment->log_path);
          return FALSE;
        }

      if (!mr_record_batch_header_parse (head, sizeof head, &header,
                                         &local_error))
        goto invalid;

      size = mr_record_batch_header_get_size (&header);
      if ((goffset)size > file_size - position)
        {
          g_set_error (&local_error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                       "torn batch: %" G_GSIZE_FORMAT " bytes announced, %"
                       G_GOFFSET_FORMAT " present", size,
                       file_size - position);
          goto invalid;
        }

      if (header.base_offset < expected_min
          || (limit_offset >= 0
              && mr_record_batch_header_get_last_offset (&header)
                 >= limit_offset)
          || mr_record_batch_header_get_last_offset (&header)
             - segment->base_offset > G_MAXUINT32)
        {
          g_set_error (&local_error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                       "batch offsets %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT
                       " out of order", header.base_offset,
                       mr_record_batch_header_get_last_offset (&header));
          goto invalid;
        }

      if (!mr_log_segment_read_batch (segment, position, size, buffer, error))
        return FALSE;
      if (!mr_record_batch_validate (buffer->data, size, NULL, &local_error))
        goto invalid;

      mr_log_segment_note_batch (segment, &header, position,
                                 index_interval_bytes);
      expected_min = mr_record_batch_header_get_last_offset (&header) + 1;
      position += size;
      continue;

    invalid:
      recovery->truncated_bytes = file_size - position;
      recovery->truncated_at_offset = segment->next_offset;
      /* Inspecting a log read-only changes nothing, so it only informs. */
      g_log (G_LOG_DOMAIN,
             segment->read_only ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_WARNING,
             "Segment “%s”: %s %" G_GOFFSET_FORMAT " bytes from byte %"
             G_GOFFSET_FORMAT " (offset %" G_GINT64_FORMAT " on): %s",
             segment->log_path,
             segment->read_only ? "would drop" : "dropping",
             file_size - position, position, segment->next_offset,
             local_error->message);
      break;
    }

  segment->size = position;
  segment->flushed_size = position;

  if (segment->read_only)
    return TRUE;

  if (recovery->truncated_bytes > 0
      && segment->io->ftruncate (segment->io, segment->fd, position) != 0)
    {
      set_io_error (error, errno, "truncate segment", segment->log_path);
      return FALSE;
    }

  if (!indexes_match_disk (segment))
    {
      recovery->index_rebuilt = TRUE;
      g_debug ("Rebuilding the indexes of “%s”", segment->log_path);
      return mr_log_segment_write_indexes (segment, TRUE, error);
    }

  segment->offset_index_on_disk = segment->offset_index->len;
  segment->time_index_on_disk = segment->time_index->len;
  return TRUE;
}

static gboolean
write_index_file (const char     *path,
                  const guint8   *data,
                  gsize           len,
                  goffset         at,
                  gboolean        rewrite,
                  GError        **error)
{
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (rewrite ? O_TRUNC : 0);
  int fd = open (path, flags, 0644);
  gboolean ok = TRUE;

  if (fd < 0)
    {
      set_io_error (error, errno, "open index", path);
      return FALSE;
    }

  /* A shorter file than expected means the entries after it are lost with a
   * crash; recovery rebuilds them, so a plain pwrite() is enough. */
  if (len > 0)
    {
      const guint8 *p = data;
      gsize left = len;

      while (left > 0)
        {
          gssize n = pwrite (fd, p, left, at);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              set_io_error (error, n < 0 ? errno : ENOSPC, "write index",
                            path);
              ok = FALSE;
              break;
            }
          p += n;
          left -= n;
          at += n;
        }
    }

  close (fd);
  return ok;
}

gboolean
mr_log_segment_write_indexes (MrLogSegment  *segment,
                              gboolean       rewrite,
                              GError       **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint first;

  if (segment->read_only)
    return TRUE;

  first = rewrite ? 0 : segment->offset_index_on_disk;
  for (guint i = first; i < segment->offset_index->len; i++)
    {
      MrOffsetIndexEntry *entry = &g_array_index (segment->offset_index,
                                                  MrOffsetIndexEntry, i);
      guint32 be[2] = { GUINT32_TO_BE (entry->relative_offset),
                        GUINT32_TO_BE (entry->position) };

      g_byte_array_append (bytes, (const guint8 *)be, sizeof be);
    }

  if ((rewrite || bytes->len > 0)
      && !write_index_file (segment->index_path, bytes->data, bytes->len,
                            (goffset)first * OFFSET_INDEX_ENTRY_SIZE,
                            rewrite, error))
    return FALSE;
  segment->offset_index_on_disk = segment->offset_index->len;

  g_byte_array_set_size (bytes, 0);
  first = rewrite ? 0 : segment->time_index_on_disk;
  for (guint i = first; i < segment->time_index->len; i++)
    {
      MrTimeIndexEntry *entry = &g_array_index (segment->time_index,
                                                MrTimeIndexEntry, i);
      guint64 ts = GUINT64_TO_BE ((guint64)entry->timestamp);
      guint32 rel = GUINT32_TO_BE (entry->relative_offset);

      g_byte_array_append (bytes, (const guint8 *)&ts, sizeof ts);
      g_byte_array_append (bytes, (const guint8 *)&rel, sizeof rel);
    }

  if ((rewrite || bytes->len > 0)
      && !write_index_file (segment->timeindex_path, bytes->data, bytes->len,
                            (goffset)first * TIME_INDEX_ENTRY_SIZE,
                            rewrite, error))
    return FALSE;
  segment->time_index_on_disk = segment->time_index->len;

  return TRUE;
}

goffset
mr_log_segment_lookup_offset (MrLogSegment *segment,
                              gint64        offset)
{
  GArray *index = segment->offset_index;
  gint64 relative = offset - segment->base_offset;
  guint lo = 0;
  guint hi = index->len;

  if (relative < 0 || index->len == 0)
    return 0;

  /* Last entry whose key (a batch's last offset) is below the target: the
   * batch holding the target starts at or after that entry's batch. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if ((gint64)g_array_index (index, MrOffsetIndexEntry, mid).relative_offset
          < relative)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo == 0)
    return 0;
  return g_array_index (index, MrOffsetIndexEntry, lo - 1).position;
}

goffset
mr_log_segment_lookup_position (MrLogSegment *segment,
                                goffset       position)
{
  GArray *index = segment->offset_index;
  guint lo = 0;
  guint hi = index->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if ((goffset)g_array_index (index, MrOffsetIndexEntry, mid).position
          <= position)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo == 0)
    return -1;
  return g_array_index (index, MrOffsetIndexEntry, lo - 1).position;
}

goffset
mr_log_segment_lookup_timestamp (MrLogSegment *segment,
                                 gint64        timestamp)
{
  GArray *index = segment->time_index;
  guint lo = 0;
  guint hi = index->len;

  /* Last entry whose running maximum is below the target: nothing up to its
   * batch can match, so the scan starts at that batch. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (index, MrTimeIndexEntry, mid).timestamp < timestamp)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo == 0)
    return 0;
  return g_array_index (index, MrTimeIndexEntry, lo - 1).position;
}

gboolean
mr_log_segment_truncate (MrLogSegment  *segment,
                         goffset        position,
                         gint32         index_interval_bytes,
                         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  MrBatchWalker *walker = NULL;
  MrRecordBatchHeader header;
  goffset at = 0;

  g_assert (position <= segment->size);

  if (segment->io->ftruncate (segment->io, segment->fd, position) != 0)
    {
      set_io_error (error, errno, "truncate segment", segment->log_path);
      return FALSE;
    }
  mr_log_segment_cut_tail (segment, position);

  /* Truncation is rare (a follower after a leader change): rescanning the
   * headers that stay is simpler than undoing the statistics. */
  reset_stats (segment);
  walker = g_new (MrBatchWalker, 1);
  mr_batch_walker_init (walker, segment, 0, position);
  while (mr_batch_walker_next (walker, &header, &at, &local_error))
    mr_log_segment_note_batch (segment, &header, at, index_interval_bytes);
  g_free (walker);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  segment->size = position;
  segment->flushed_size = MIN (segment->flushed_size, position);
  return mr_log_segment_write_indexes (segment, TRUE, error);
}

gboolean
mr_log_segment_sync (MrLogSegment  *segment,
                     GError       **error)
{
  if (segment->io->fdatasync (segment->io, segment->fd) != 0)
    {
      set_io_error (error, errno, "sync segment", segment->log_path);
      return FALSE;
    }
  return TRUE;
}

void
mr_log_segment_remove_files (MrLogSegment *segment)
{
  g_unlink (segment->log_path);
  g_unlink (segment->index_path);
  g_unlink (segment->timeindex_path);
}

/* mr-partition-log.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-partition-log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mr-log-error.h"
#include "mr-log-segment.h"
#include "mr-record-batch-builder.h"

/* The disk format of a partition log
 * ==================================
 *
 * A partition log is one directory, <data-dir>/broker-<id>/<topic>-<n>/, laid
 * out as Kafka lays out its logs, so the bytes can be inspected with Kafka's
 * own tools.
 *
 * Segments. The log is a sequence of segments, each a file named by the
 * offset of its first possible record, written as 20 decimal digits with
 * leading zeros: 00000000000000000000.log, 00000000000000052133.log. A
 * segment file is nothing but record batches (magic 2, see
 * mr-record-batch.c) one after another, with no file header and no padding.
 * Each batch is stored exactly as the producer sent it, except for the two
 * fields outside its CRC32C: the base offset (bytes 0-7), which the log
 * rewrites to the offset it assigns, and the partition leader epoch
 * (bytes 12-15), which the leader stamps. A topic with
 * message.timestamp.type=LogAppendTime also gets its max timestamp and
 * attribute bit 3 rewritten, and its CRC recomputed. Offsets increase
 * strictly from batch to batch and from segment to segment; compaction
 * leaves gaps, never reorders. Every batch of a segment has offsets at or
 * above the segment's base offset and below the next segment's, and at most
 * 2^32 - 1 above its own segment's base (the indexes store 32-bit relative
 * offsets). The last segment is the active one: appends go only there. A
 * new active segment starts ("rolls") at the log end offset when the next
 * append would take the active one past segment.bytes, when it is older than
 * segment.ms, or on demand.
 *
 * Offset index (<base>.index). Sparse, 8 bytes per entry, big-endian: the
 * batch's last offset minus the segment's base offset (uint32), then the
 * byte position of the batch's start in the .log file (uint32). An entry is
 * written for the first batch appended after more than index.interval.bytes
 * (default 4096) bytes since the previous entry. To find offset O: take the
 * last entry whose key is below O and walk batch headers forward from its
 * position.
 *
 * Time index (<base>.timeindex). Sparse, 12 bytes per entry, big-endian: a
 * timestamp in milliseconds (int64), then a relative offset (uint32).
 * Written alongside an offset index entry when the segment's largest
 * timestamp has grown: the entry says that no record in a batch up to and
 * including the one ending at that offset has a timestamp above it. To find
 * the first record at or after time T: take the last entry whose timestamp
 * is below T and walk from that batch.
 *
 * Both indexes are derived data. They are kept in memory, appended to their
 * files lazily (on roll, flush and close), and rebuilt whenever what the
 * files say differs from a scan of the .log file, so a missing, short or
 * stale index is never trusted.
 *
 * Log start offset (log-start-offset). Text: a format version ("0"), a
 * newline, the offset in decimal, a newline. Written atomically (a
 * temporary file renamed over the old one) when DeleteRecords moves the
 * start inside a segment; otherwise the start is the base offset of the
 * first segment. Records below it are never served.
 *
 * Leftovers. Files ending in ".cleaned" are compaction output that was not
 * swapped in before a crash; they are deleted on open. Index files without
 * their .log are deleted too.
 *
 * Recovery. Opening a log reads every segment from start to end and checks
 * each batch: a whole 61-byte header, magic 2, a length that fits the file,
 * a CRC32C that matches, offsets that increase and stay inside the
 * segment's range. At the first batch that fails, the segment is truncated
 * at that batch's first byte (a torn or corrupt tail) and every later
 * segment is deleted, since a log must not have holes that readers would
 * skip silently; what was dropped is logged with its offset and size and
 * reported by mr_partition_log_get_recovery_report(). Bytes that failed
 * their CRC are therefore never served. In a replicated cluster the
 * follower then fetches what it lost from the leader.
 *
 * Durability. By default an append returns once its bytes are in the page
 * cache (Kafka's semantics). flush.messages and flush.ms make the log
 * fdatasync() the segment files after that many records or that much time;
 * appenders that need a flush wait for the next sync instead of starting
 * their own, so one sync covers every append before it (group commit).
 */

struct _MrPartitionLog
{
  gatomicrefcount  ref_count;
  char            *directory;
  char            *start_checkpoint_path;
  const MrLogIo   *io;
  gboolean         read_only;

  /* @locks lock protects every field below up to the flush section. */
  GMutex           lock;
  MrLogConfig      config;
  GPtrArray       *segments;
  gint64           log_start_offset;
  gint64           log_end_offset;
  gint64           records_appended;
  gint64           records_flush_requested;
  gint64           last_flush_ms;
  gboolean         directory_dirty;
  gboolean         closed;
  MrLogRecoveryReport recovery;

  /* @locks flush_lock: group commit. */
  GMutex           flush_lock;
  GCond            flush_cond;
  gboolean         flush_running;
  gint64           flushed_offset;

  /* Held for the whole of one compaction, so two never overlap. */
  GMutex           compact_lock;
};

#define START_CHECKPOINT_NAME "log-start-offset"

static gboolean
check_usable_locked (MrPartitionLog  *log,
                     gboolean         for_change,
                     GError         **error)
{
  if (log->closed)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CLOSED,
                   "The log in “%s” is closed", log->directory);
      return FALSE;
    }
  if (for_change && log->read_only)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_READ_ONLY,
                   "The log in “%s” was opened read-only", log->directory);
      return FALSE;
    }
  return TRUE;
}

static MrLogSegment *
active_segment (MrPartitionLog *log)
{
  return g_ptr_array_index (log->segments, log->segments->len - 1);
}

/* Index of the segment that would hold @offset: the last one whose base
 * offset is at or below it (0 when @offset is below every segment). */
static guint
floor_segment_index (MrPartitionLog *log,
                     gint64          offset)
{
  guint lo = 0;
  guint hi = log->segments->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      MrLogSegment *segment = g_ptr_array_index (log->segments, mid);

      if (segment->base_offset <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo == 0 ? 0 : lo - 1;
}

static gint64
now_ms (MrPartitionLog *log)
{
  return log->io->now_ms (log->io);
}

static gboolean
read_start_checkpoint (MrPartitionLog  *log,
                       gint64          *offset,
                       GError         **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;

  *offset = -1;

  if (!g_file_get_contents (log->start_checkpoint_path, &contents, NULL,
                            &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not read “%s”: %s", log->start_checkpoint_path,
                   local_error->message);
      return FALSE;
    }

  lines = g_strsplit (contents, "\n", 3);
  if (g_strv_length (lines) < 2 || strcmp (lines[0], "0") != 0
      || !g_ascii_string_to_signed (lines[1], 10, 0, G_MAXINT64, offset,
                                    NULL))
    {
      /* The checkpoint is an optimisation over the segment names; a damaged
       * one costs nothing but the DeleteRecords position inside a segment. */
      g_warning ("Ignoring unreadable log start checkpoint “%s”",
                 log->start_checkpoint_path);
      *offset = -1;
    }

  return TRUE;
}

static gboolean
write_start_checkpoint (MrPartitionLog  *log,
                        gint64           offset,
                        GError         **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  contents = g_strdup_printf ("0\n%" G_GINT64_FORMAT "\n", offset);
  if (!g_file_set_contents (log->start_checkpoint_path, contents, -1,
                            &local_error))
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not write “%s”: %s", log->start_checkpoint_path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gint
compare_offsets (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

static gboolean
parse_segment_name (const char *name,
                    const char *suffix,
                    gint64     *base_offset)
{
  gsize len = strlen (name);
  gsize suffix_len = strlen (suffix);
  char digits[21];

  if (len != 20 + suffix_len || strcmp (name + 20, suffix) != 0)
    return FALSE;
  memcpy (digits, name, 20);
  digits[20] = '\0';
  return g_ascii_string_to_signed (digits, 10, 0, G_MAXINT64, base_offset,
                                   NULL);
}

/* Lists the segment base offsets in the directory and clears away what a
 * crash left behind. */
static GArray *
scan_directory (MrPartitionLog  *log,
                GError         **error)
{
  g_autoptr(GArray) bases = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) index_files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (log->directory, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not open log directory: %s", local_error->message);
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gint64 base = 0;

      if (parse_segment_name (name, ".log", &base))
        g_array_append_val (bases, base);
      else if (g_str_has_suffix (name, ".cleaned"))
        {
          g_autofree char *path = g_build_filename (log->directory, name,
                                                    NULL);

          if (!log->read_only)
            {
              g_debug ("Removing unfinished compaction output “%s”", path);
              g_unlink (path);
            }
        }
      else if (parse_segment_name (name, ".index", &base)
               || parse_segment_name (name, ".timeindex", &base))
        g_ptr_array_add (index_files, g_strdup (name));
    }

  g_array_sort (bases, compare_offsets);

  for (guint i = 0; i < index_files->len && !log->read_only; i++)
    {
      const char *index_name = g_ptr_array_index (index_files, i);
      gint64 base = 0;
      gboolean found = FALSE;

      if (!parse_segment_name (index_name, ".index", &base))
        parse_segment_name (index_name, ".timeindex", &base);
      for (guint j = 0; j < bases->len && !found; j++)
        found = g_array_index (bases, gint64, j) == base;

      if (!found)
        {
          g_autofree char *path = g_build_filename (log->directory,
                                                    index_name, NULL);
          g_debug ("Removing orphan index “%s”", path);
          g_unlink (path);
        }
    }

  return g_steal_pointer (&bases);
}

static void
remove_segments (GPtrArray *removed)
{
  for (guint i = 0; i < removed->len; i++)
    mr_log_segment_remove_files (g_ptr_array_index (removed, i));
}

static gboolean
roll_locked (MrPartitionLog  *log,
             GError         **error)
{
  MrLogSegment *active = active_segment (log);
  MrLogSegment *segment = NULL;

  if (active->size == 0 && active->base_offset == log->log_end_offset)
    return TRUE;

  if (!mr_log_segment_write_indexes (active, FALSE, error))
    return FALSE;

  segment = mr_log_segment_create (log->directory, log->log_end_offset,
                                   log->io, now_ms (log), error);
  if (segment == NULL)
    return FALSE;

  mr_log_segment_cut_tail (active, 0);
  g_ptr_array_add (log->segments, segment);
  log->directory_dirty = TRUE;
  g_debug ("Rolled “%s” at offset %" G_GINT64_FORMAT, log->directory,
           log->log_end_offset);
  return TRUE;
}

/* Drops every segment and starts an empty one at @offset. */
static gboolean
reset_locked (MrPartitionLog  *log,
              gint64           offset,
              GError         **error)
{
  g_autoptr(GPtrArray) removed = NULL;
  MrLogSegment *segment = NULL;

  if (offset > log->log_start_offset
      && !write_start_checkpoint (log, offset, error))
    return FALSE;

  segment = mr_log_segment_create (log->directory, offset, log->io,
                                   now_ms (log), error);
  if (segment == NULL)
    return FALSE;

  removed = log->segments;
  log->segments = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  /* A segment of the same name is the one just created: keep its files. */
  for (guint i = 0; i < removed->len; i++)
    {
      MrLogSegment *old = g_ptr_array_index (removed, i);

      if (old->base_offset != offset)
        mr_log_segment_remove_files (old);
    }
  g_ptr_array_add (log->segments, segment);

  log->log_start_offset = offset;
  log->log_end_offset = offset;
  log->directory_dirty = TRUE;

  g_mutex_lock (&log->flush_lock);
  log->flushed_offset = offset;
  g_mutex_unlock (&log->flush_lock);

  return TRUE;
}

static gboolean
recover_segments (MrPartitionLog  *log,
                  GArray          *bases,
                  GError         **error)
{
  MrLogRecoveryReport *report = &log->recovery;
  gint32 interval = log->config.index_interval_bytes;

  report->truncated_at_offset = -1;

  for (guint i = 0; i < bases->len; i++)
    {
      gint64 base = g_array_index (bases, gint64, i);
      gint64 limit = i + 1 < bases->len ? g_array_index (bases, gint64, i + 1)
                                        : -1;
      MrSegmentRecovery recovery;
      MrLogSegment *segment = NULL;

      segment = mr_log_segment_open (log->directory, base, log->io,
                                     log->read_only, error);
      if (segment == NULL)
        return FALSE;
      g_ptr_array_add (log->segments, segment);

      if (!mr_log_segment_recover (segment, limit, interval, &recovery,
                                   error))
        return FALSE;

      report->n_batches += segment->n_batches;
      if (recovery.index_rebuilt)
        report->rebuilt_indexes++;

      if (recovery.truncated_at_offset >= 0)
        {
          report->truncated_bytes += recovery.truncated_bytes;
          report->truncated_at_offset = recovery.truncated_at_offset;

          /* Nothing after a bad batch can be trusted to follow on from it. */
          for (guint j = i + 1; j < bases->len; j++)
            {
              gint64 later = g_array_index (bases, gint64, j);
              g_autoptr(MrLogSegment) dropped = NULL;

              dropped = mr_log_segment_open (log->directory, later, log->io,
                                             TRUE, NULL);
              if (dropped == NULL)
                continue;
              report->truncated_bytes += dropped->size;
              report->deleted_segments++;
              g_log (G_LOG_DOMAIN,
                     log->read_only ? G_LOG_LEVEL_MESSAGE
                                    : G_LOG_LEVEL_WARNING,
                     "%s segment “%s” (%" G_GOFFSET_FORMAT " bytes) that "
                     "follows a corrupt one",
                     log->read_only ? "Would delete" : "Deleting",
                     dropped->log_path, dropped->size);
              if (!log->read_only)
                mr_log_segment_remove_files (dropped);
            }
          break;
        }
    }

  /* An empty last segment that starts past the end of the one before it
   * (a roll whose data never reached the disk) would make the log end jump
   * over offsets that no longer exist: drop it. */
  while (log->segments->len > 1)
    {
      MrLogSegment *last = active_segment (log);
      MrLogSegment *before = g_ptr_array_index (log->segments,
                                                log->segments->len - 2);

      if (last->size > 0 || last->base_offset <= before->next_offset)
        break;

      g_log (G_LOG_DOMAIN,
             log->read_only ? G_LOG_LEVEL_DEBUG : G_LOG_LEVEL_MESSAGE,
             "Removing empty segment “%s”: the log ends at %" G_GINT64_FORMAT,
             last->log_path, before->next_offset);
      if (!log->read_only)
        mr_log_segment_remove_files (last);
      g_ptr_array_remove_index (log->segments, log->segments->len - 1);
    }

  report->n_segments = log->segments->len;
  return TRUE;
}

MrPartitionLog *
mr_partition_log_open (const char         *directory,
                       const MrLogConfig  *config,
                       const MrLogIo      *io,
                       MrLogOpenFlags      flags,
                       GError            **error)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(GArray) bases = NULL;
  gint64 checkpoint = -1;
  MrLogSegment *first = NULL;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  log = g_new0 (MrPartitionLog, 1);
  g_atomic_ref_count_init (&log->ref_count);
  log->directory = g_strdup (directory);
  log->start_checkpoint_path = g_build_filename (directory,
                                                 START_CHECKPOINT_NAME, NULL);
  log->io = io != NULL ? io : mr_log_io_get_default ();
  log->read_only = (flags & MR_LOG_OPEN_FLAGS_READ_ONLY) != 0;
  log->config = *config;
  log->segments = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  g_mutex_init (&log->lock);
  g_mutex_init (&log->flush_lock);
  g_cond_init (&log->flush_cond);
  g_mutex_init (&log->compact_lock);

  if (!log->read_only && g_mkdir_with_parents (directory, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not create log directory “%s”: %s", directory,
                   g_strerror (saved_errno));
      return NULL;
    }

  bases = scan_directory (log, error);
  if (bases == NULL)
    return NULL;

  if (!read_start_checkpoint (log, &checkpoint, error))
    return NULL;

  if (!recover_segments (log, bases, error))
    return NULL;

  if (log->segments->len == 0)
    {
      MrLogSegment *segment = NULL;

      if (log->read_only)
        {
          /* An empty log: nothing to create on disk, nothing to read. */
          log->log_start_offset = MAX (checkpoint, 0);
          log->log_end_offset = log->log_start_offset;
          log->flushed_offset = log->log_end_offset;
          return g_steal_pointer (&log);
        }

      segment = mr_log_segment_create (directory, MAX (checkpoint, 0),
                                       log->io, now_ms (log), error);
      if (segment == NULL)
        return NULL;
      g_ptr_array_add (log->segments, segment);
      log->directory_dirty = TRUE;
    }

  first = g_ptr_array_index (log->segments, 0);
  log->log_end_offset = MAX (active_segment (log)->next_offset,
                             active_segment (log)->base_offset);
  log->log_start_offset = MAX (checkpoint, first->base_offset);

  if (log->log_start_offset > log->log_end_offset)
    {
      g_warning ("Log “%s” ends at %" G_GINT64_FORMAT " before its start %"
                 G_GINT64_FORMAT "; restarting it empty at its start",
                 directory, log->log_end_offset, log->log_start_offset);
      if (log->read_only)
        log->log_end_offset = log->log_start_offset;
      else if (!reset_locked (log, log->log_start_offset, error))
        return NULL;
    }

  log->flushed_offset = log->log_end_offset;
  log->last_flush_ms = now_ms (log);

  g_debug ("Opened “%s”: offsets %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT
           " in %u segments", directory, log->log_start_offset,
           log->log_end_offset, log->segments->len);

  return g_steal_pointer (&log);
}

MrPartitionLog *
mr_partition_log_ref (MrPartitionLog *log)
{
  g_return_val_if_fail (log != NULL, NULL);

  g_atomic_ref_count_inc (&log->ref_count);
  return log;
}

void
mr_partition_log_unref (MrPartitionLog *log)
{
  g_return_if_fail (log != NULL);

  if (!g_atomic_ref_count_dec (&log->ref_count))
    return;

  if (!log->closed && !log->read_only)
    {
      for (guint i = 0; i < log->segments->len; i++)
        mr_log_segment_write_indexes (g_ptr_array_index (log->segments, i),
                                      FALSE, NULL);
    }

  g_ptr_array_unref (log->segments);
  g_mutex_clear (&log->lock);
  g_mutex_clear (&log->flush_lock);
  g_cond_clear (&log->flush_cond);
  g_mutex_clear (&log->compact_lock);
  g_free (log->start_checkpoint_path);
  g_free (log->directory);
  g_free (log);
}

static gboolean
sync_directory (MrPartitionLog  *log,
                GError         **error)
{
  int fd = open (log->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not open “%s”: %s", log->directory,
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (log->io->fdatasync (log->io, fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not sync “%s”: %s", log->directory,
                   g_strerror (saved_errno));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

/* One sync of everything appended before it started; returns the offset it
 * covered. @locality: any thread; @locks: takes lock twice, never held
 * across the syncs. */
static gboolean
sync_once (MrPartitionLog  *log,
           gint64          *covered,
           GError         **error)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (goffset));
  gboolean sync_dir;
  gboolean ok = TRUE;

  g_mutex_lock (&log->lock);
  for (guint i = 0; i < log->segments->len; i++)
    {
      MrLogSegment *segment = g_ptr_array_index (log->segments, i);

      if (segment->flushed_size < segment->size)
        {
          g_ptr_array_add (pending, mr_log_segment_ref (segment));
          g_array_append_val (sizes, segment->size);
        }
    }
  *covered = log->log_end_offset;
  sync_dir = log->directory_dirty;
  log->directory_dirty = FALSE;
  log->records_flush_requested = log->records_appended;
  log->last_flush_ms = now_ms (log);
  g_mutex_unlock (&log->lock);

  for (guint i = 0; i < pending->len && ok; i++)
    ok = mr_log_segment_sync (g_ptr_array_index (pending, i), error);
  if (ok && sync_dir)
    ok = sync_directory (log, error);

  g_mutex_lock (&log->lock);
  if (ok)
    {
      for (guint i = 0; i < pending->len; i++)
        {
          MrLogSegment *segment = g_ptr_array_index (pending, i);
          goffset size = g_array_index (sizes, goffset, i);

          segment->flushed_size = MAX (segment->flushed_size, size);
        }
    }
  else
    {
      log->directory_dirty |= sync_dir;
      log->records_flush_requested = 0;
    }
  g_mutex_unlock (&log->lock);

  return ok;
}

/* Waits until everything below @target is synced, joining a sync already
 * running or starting the next one (group commit). */
static gboolean
flush_to (MrPartitionLog  *log,
          gint64           target,
          GError         **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&log->flush_lock);
  while (ok && log->flushed_offset < target)
    {
      gint64 covered = 0;

      if (log->flush_running)
        {
          g_cond_wait (&log->flush_cond, &log->flush_lock);
          continue;
        }

      log->flush_running = TRUE;
      g_mutex_unlock (&log->flush_lock);

      ok = sync_once (log, &covered, error);

      g_mutex_lock (&log->flush_lock);
      log->flush_running = FALSE;
      if (ok && covered > log->flushed_offset)
        log->flushed_offset = covered;
      g_cond_broadcast (&log->flush_cond);
    }
  g_mutex_unlock (&log->flush_lock);

  return ok;
}

static gboolean
needs_flush_locked (MrPartitionLog *log,
                    gint64          now)
{
  gint64 unflushed = log->records_appended - log->records_flush_requested;

  if (unflushed <= 0)
    return FALSE;
  if (unflushed >= log->config.flush_messages)
    return TRUE;
  return log->config.flush_ms != G_MAXINT64
         && now - log->last_flush_ms >= log->config.flush_ms;
}

typedef struct
{
  guint8              *data;
  MrRecordBatchHeader  header;
} PendingBatch;

static gboolean
parse_batches (MrPartitionLog  *log,
               guint8          *data,
               gsize            len,
               MrAppendFlags    flags,
               gint32           max_message_bytes,
               GArray          *batches,
               GError         **error)
{
  gsize position = 0;
  gint64 previous_last = -1;

  while (position < len)
    {
      PendingBatch batch;
      gboolean ok;
      gsize size;

      batch.data = data + position;
      if (flags & MR_APPEND_FLAGS_TRUSTED)
        ok = mr_record_batch_header_parse (batch.data, len - position,
                                           &batch.header, error);
      else
        ok = mr_record_batch_validate (batch.data, len - position,
                                       &batch.header, error);
      if (!ok)
        {
          g_prefix_error (error, "Batch %u of the append: ", batches->len);
          return FALSE;
        }

      size = mr_record_batch_header_get_size (&batch.header);
      if (size > len - position)
        {
          g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                       "Batch %u of the append is truncated: %" G_GSIZE_FORMAT
                       " bytes announced, %" G_GSIZE_FORMAT " present",
                       batches->len, size, len - position);
          return FALSE;
        }

      if (size > (gsize)max_message_bytes)
        {
          g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_BATCH_TOO_LARGE,
                       "Batch of %" G_GSIZE_FORMAT " bytes is larger than "
                       "max.message.bytes (%d)", size, max_message_bytes);
          return FALSE;
        }

      if (flags & MR_APPEND_FLAGS_ASSIGN_OFFSETS)
        {
          if (batch.header.record_count <= 0
              || batch.header.record_count
                 != batch.header.last_offset_delta + 1)
            {
              g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_CORRUPT_BATCH,
                           "Batch %u of the append has %d records but an "
                           "offset delta of %d", batches->len,
                           batch.header.record_count,
                           batch.header.last_offset_delta);
              return FALSE;
            }
        }
      else if (batch.header.base_offset <= previous_last)
        {
          g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_ARGUMENT,
                       "Batch offsets go backwards at %" G_GINT64_FORMAT,
                       batch.header.base_offset);
          return FALSE;
        }

      previous_last = mr_record_batch_header_get_last_offset (&batch.header);
      g_array_append_val (batches, batch);
      position += size;
    }

  if (batches->len == 0)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_ARGUMENT,
                   "Nothing to append");
      return FALSE;
    }

  return TRUE;
}

gboolean
mr_partition_log_append (MrPartitionLog  *log,
                         guint8          *data,
                         gsize            len,
                         gint32           leader_epoch,
                         MrAppendFlags    flags,
                         MrAppendInfo    *info,
                         GError         **error)
{
  g_autoptr(GArray) batches = NULL;
  MrLogConfig config;
  MrLogSegment *active = NULL;
  struct iovec iov;
  gboolean assign = (flags & MR_APPEND_FLAGS_ASSIGN_OFFSETS) != 0;
  gboolean need_flush = FALSE;
  gint64 append_time = -1;
  gint64 first_offset;
  gint64 next;
  gint64 target = 0;
  gint64 now;
  goffset position;
  guint n_records = 0;
  gint64 max_timestamp = -1;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&log->lock);
  config = log->config;
  g_mutex_unlock (&log->lock);

  /* Validation (CRC32C included) runs before the lock is taken. */
  batches = g_array_sized_new (FALSE, FALSE, sizeof (PendingBatch), 1);
  if (!parse_batches (log, data, len, flags, config.max_message_bytes,
                      batches, error))
    return FALSE;

  g_mutex_lock (&log->lock);

  if (!check_usable_locked (log, TRUE, error))
    goto fail;

  config = log->config;
  now = now_ms (log);
  first_offset = assign ? log->log_end_offset
                        : g_array_index (batches, PendingBatch, 0)
                            .header.base_offset;

  if (!assign && first_offset < log->log_end_offset)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_ARGUMENT,
                   "Batch at offset %" G_GINT64_FORMAT " is below the log "
                   "end offset %" G_GINT64_FORMAT, first_offset,
                   log->log_end_offset);
      goto fail;
    }

  if (config.timestamp_type == MR_TIMESTAMP_TYPE_LOG_APPEND_TIME)
    append_time = now;

  /* Offsets first: the roll decision needs the request's whole span. */
  next = first_offset;
  for (guint i = 0; i < batches->len; i++)
    {
      PendingBatch *batch = &g_array_index (batches, PendingBatch, i);

      if (assign)
        {
          batch->header.base_offset = next;
          next += batch->header.last_offset_delta + 1;
        }
      else
        next = mr_record_batch_header_get_last_offset (&batch->header) + 1;
      if (leader_epoch != -1)
        batch->header.partition_leader_epoch = leader_epoch;
      if (append_time >= 0)
        batch->header.max_timestamp = append_time;
    }

  active = active_segment (log);
  if (active->size > 0
      && ((gint64)(active->size + len) > config.segment_bytes
          || now - active->created_ms >= config.segment_ms
          || next - 1 - active->base_offset > G_MAXUINT32))
    {
      /* Rolling starts the new segment at the log end offset; a follower's
       * batches may start past it (compacted gaps), so start it at the
       * first batch instead. */
      gint64 saved_end = log->log_end_offset;

      log->log_end_offset = first_offset;
      if (!roll_locked (log, error))
        {
          log->log_end_offset = saved_end;
          goto fail;
        }
      active = active_segment (log);
    }

  /* Only now, with nothing left to refuse, is the caller's buffer
   * rewritten. */
  for (guint i = 0; i < batches->len; i++)
    {
      PendingBatch *batch = &g_array_index (batches, PendingBatch, i);
      guint8 *bytes = batch->data;

      mr_record_batch_set_base_offset (bytes, batch->header.base_offset);
      mr_record_batch_set_leader_epoch (bytes,
                                        batch->header.partition_leader_epoch);
      if (append_time >= 0)
        mr_record_batch_set_log_append_time (
          bytes, mr_record_batch_header_get_size (&batch->header),
          append_time);
    }

  position = active->size;
  iov.iov_base = data;
  iov.iov_len = len;
  if (!mr_log_io_pwritev_all (log->io, active->fd, &iov, 1, position))
    {
      int saved_errno = errno;

      /* Leave the file as it was: a partial write must not become a torn
       * batch that only recovery would notice. */
      if (log->io->ftruncate (log->io, active->fd, position) != 0)
        g_warning ("Could not cut a failed append from “%s”: %s",
                   active->log_path, g_strerror (errno));
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not append to “%s”: %s", active->log_path,
                   g_strerror (saved_errno));
      goto fail;
    }
  mr_log_segment_keep_tail (active, position, data, len);

  for (guint i = 0; i < batches->len; i++)
    {
      PendingBatch *batch = &g_array_index (batches, PendingBatch, i);

      mr_log_segment_note_batch (active, &batch->header, position,
                                 config.index_interval_bytes);
      position += mr_record_batch_header_get_size (&batch->header);
      n_records += batch->header.record_count;
      max_timestamp = MAX (max_timestamp, batch->header.max_timestamp);
    }

  if (active->created_ms < 0)
    active->created_ms = now;
  log->log_end_offset = active->next_offset;
  log->records_appended += n_records;
  need_flush = needs_flush_locked (log, now);
  target = log->log_end_offset;

  if (info != NULL)
    {
      PendingBatch *last = &g_array_index (batches, PendingBatch,
                                           batches->len - 1);

      info->first_offset = first_offset;
      info->last_offset = mr_record_batch_header_get_last_offset (&last->header);
      info->max_timestamp = max_timestamp;
      info->log_append_time = append_time;
      info->n_batches = batches->len;
      info->n_records = n_records;
      info->n_bytes = len;
    }

  g_mutex_unlock (&log->lock);

  if (need_flush)
    return flush_to (log, target, error);

  return TRUE;

fail:
  g_mutex_unlock (&log->lock);
  return FALSE;
}

/* Finds the batch that holds @offset, or the first one after it, walking
 * forward from @segment into later segments. On success *segment holds a new
 * reference and the walker stands after the found batch. *found is FALSE
 * when no batch at or after @offset exists below the log end.
 * @locality: any thread; @locks: takes lock briefly to step segments. */
static gboolean
seek_batch (MrPartitionLog       *log,
            gint64                offset,
            MrLogSegment        **segment_out,
            goffset              *segment_end,
            gint64               *segment_next,
            MrBatchWalker        *walker,
            MrRecordBatchHeader  *header,
            goffset              *position,
            gboolean             *found,
            GError              **error)
{
  MrLogSegment *segment = NULL;
  gint64 next_offset;
  goffset start;
  goffset end;

  *found = FALSE;
  *segment_out = NULL;

  g_mutex_lock (&log->lock);
  segment = mr_log_segment_ref (g_ptr_array_index (
    log->segments, floor_segment_index (log, offset)));
  start = mr_log_segment_lookup_offset (segment, offset);
  end = segment->size;
  next_offset = segment->next_offset;
  g_mutex_unlock (&log->lock);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      guint index;
      gboolean stepped = FALSE;

      mr_batch_walker_init (walker, segment, start, end);
      while (mr_batch_walker_next (walker, header, position, &local_error))
        {
          if (mr_record_batch_header_get_last_offset (header) >= offset)
            {
              *found = TRUE;
              *segment_out = segment;
              *segment_end = end;
              *segment_next = next_offset;
              return TRUE;
            }
        }

      if (local_error != NULL)
        {
          mr_log_segment_unref (segment);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Nothing left in this segment: try the next one. */
      g_mutex_lock (&log->lock);
      for (index = 0; index < log->segments->len; index++)
        {
          MrLogSegment *next = g_ptr_array_index (log->segments, index);

          if (next->base_offset > segment->base_offset)
            {
              mr_log_segment_unref (segment);
              segment = mr_log_segment_ref (next);
              start = 0;
              end = next->size;
              next_offset = next->next_offset;
              stepped = TRUE;
              break;
            }
        }
      g_mutex_unlock (&log->lock);

      if (!stepped)
        {
          mr_log_segment_unref (segment);
          return TRUE;
        }
    }
}

gboolean
mr_partition_log_read (MrPartitionLog  *log,
                       gint64           offset,
                       gsize            max_bytes,
                       gint64           max_offset,
                       MrLogSlice      *slice,
                       GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  MrBatchWalker *walker = NULL;
  MrLogSegment *segment = NULL;
  MrRecordBatchHeader header;
  goffset position = 0;
  goffset segment_end = 0;
  goffset limit;
  goffset jump;
  gint64 segment_next = 0;
  gboolean found = FALSE;
  gint64 start;
  gint64 end;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (slice != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *slice = (MrLogSlice)MR_LOG_SLICE_INIT;
  slice->first_offset = offset;
  slice->next_offset = offset;

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, FALSE, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }
  start = log->log_start_offset;
  end = log->log_end_offset;
  g_mutex_unlock (&log->lock);

  if (offset < start || offset > end)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_OFFSET_OUT_OF_RANGE,
                   "Offset %" G_GINT64_FORMAT " is outside the log’s range %"
                   G_GINT64_FORMAT "–%" G_GINT64_FORMAT, offset, start, end);
      return FALSE;
    }

  if (offset == end || (max_offset >= 0 && offset >= max_offset))
    return TRUE;

  walker = g_new (MrBatchWalker, 1);
  if (!seek_batch (log, offset, &segment, &segment_end, &segment_next, walker,
                   &header, &position, &found, error))
    {
      g_free (walker);
      return FALSE;
    }

  if (!found
      || (max_offset >= 0
          && mr_record_batch_header_get_last_offset (&header) >= max_offset))
    {
      if (segment != NULL)
        mr_log_segment_unref (segment);
      g_free (walker);
      return TRUE;
    }

  /* The first batch goes whole, whatever its size. */
  slice->segment = segment;
  slice->fd = segment->fd;
  slice->position = position;
  slice->length = mr_record_batch_header_get_size (&header);
  slice->first_offset = header.base_offset;
  slice->next_offset = mr_record_batch_header_get_last_offset (&header) + 1;

  limit = position + MAX ((goffset)max_bytes, (goffset)slice->length);

  if (max_offset < 0 || segment_next <= max_offset)
    {
      /* Every batch of the segment may be served: the end of the slice only
       * has to fall on a batch boundary. Past the segment's end, it is the
       * end; otherwise jump to the last indexed batch start before the
       * limit and walk the few batches after it. */
      if (limit >= segment_end)
        {
          slice->length = segment_end - position;
          slice->next_offset = segment_next;
          g_free (walker);
          return TRUE;
        }

      g_mutex_lock (&log->lock);
      jump = mr_log_segment_lookup_position (segment, limit);
      g_mutex_unlock (&log->lock);

      if (jump > position + (goffset)slice->length)
        {
          gsize first_size = slice->length;

          slice->length = jump - position;
          mr_batch_walker_init (walker, segment, jump, segment_end);
          /* Batches tend to be alike: size the walker's reads by the first. */
          walker->last_size = first_size;
        }
    }

  /* Walk batch by batch: to the limit, and never past @max_offset. */
  for (;;)
    {
      goffset at = 0;
      gsize size;

      if (!mr_batch_walker_next (walker, &header, &at, &local_error))
        {
          if (local_error == NULL)
            slice->next_offset = segment_next;
          break;
        }

      size = mr_record_batch_header_get_size (&header);
      if (at + (goffset)size > limit
          || (max_offset >= 0
              && mr_record_batch_header_get_last_offset (&header)
                 >= max_offset))
        {
          slice->next_offset = header.base_offset;
          break;
        }

      slice->length = at + size - position;
      slice->next_offset = mr_record_batch_header_get_last_offset (&header) + 1;
    }

  g_free (walker);
  return TRUE;
}

void
mr_log_slice_clear (MrLogSlice *slice)
{
  if (slice->segment != NULL)
    mr_log_segment_unref (slice->segment);
  *slice = (MrLogSlice)MR_LOG_SLICE_INIT;
}

GBytes *
mr_log_slice_read_bytes (const MrLogSlice  *slice,
                         GError           **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  g_return_val_if_fail (slice != NULL, NULL);

  if (slice->length == 0)
    return g_bytes_new (NULL, 0);

  if (!mr_log_segment_read_batch (slice->segment, slice->position,
                                  slice->length, bytes, error))
    return NULL;

  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

typedef struct
{
  gint64 timestamp;
  gint64 min_offset;
  gint64 offset;
  gint64 found_timestamp;
} TimestampSearch;

static gboolean
find_timestamp_cb (const MrRecordBatchHeader *batch,
                   const MrRecord            *record,
                   gpointer                   user_data)
{
  TimestampSearch *search = user_data;

  if (record->offset >= search->min_offset
      && record->timestamp >= search->timestamp)
    {
      search->offset = record->offset;
      search->found_timestamp = record->timestamp;
      return FALSE;
    }
  return TRUE;
}

gboolean
mr_partition_log_offset_for_timestamp (MrPartitionLog  *log,
                                       gint64           timestamp,
                                       gint64          *offset,
                                       gint64          *found_timestamp,
                                       GError         **error)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  TimestampSearch search = { timestamp, 0, -1, -1 };
  MrBatchWalker *walker = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (offset != NULL, FALSE);

  *offset = -1;
  if (found_timestamp != NULL)
    *found_timestamp = -1;

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, FALSE, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }
  search.min_offset = log->log_start_offset;
  for (guint i = 0; i < log->segments->len; i++)
    {
      MrLogSegment *segment = g_ptr_array_index (log->segments, i);
      goffset start;

      if (segment->max_timestamp < timestamp || segment->size == 0)
        continue;
      start = mr_log_segment_lookup_timestamp (segment, timestamp);
      g_ptr_array_add (candidates, mr_log_segment_ref (segment));
      g_array_append_val (starts, start);
      g_array_append_val (ends, segment->size);
    }
  g_mutex_unlock (&log->lock);

  walker = g_new (MrBatchWalker, 1);
  for (guint i = 0; i < candidates->len && ok && search.offset < 0; i++)
    {
      MrLogSegment *segment = g_ptr_array_index (candidates, i);
      MrRecordBatchHeader header;
      goffset at = 0;

      mr_batch_walker_init (walker, segment, g_array_index (starts, goffset, i),
                            g_array_index (ends, goffset, i));
      while (search.offset < 0
             && (ok = mr_batch_walker_next (walker, &header, &at, error)))
        {
          if (header.max_timestamp < timestamp
              || mr_record_batch_header_get_last_offset (&header)
                 < search.min_offset)
            continue;

          ok = mr_log_segment_read_batch (segment, at,
                                          mr_record_batch_header_get_size (&header),
                                          bytes, error)
               && mr_record_batch_foreach_record (bytes->data, bytes->len,
                                                  find_timestamp_cb, &search,
                                                  error);
          if (!ok)
            break;
        }

      /* The walker ends with FALSE and no error at the segment's end. */
      if (!ok && (error == NULL || *error == NULL))
        ok = TRUE;
    }
  g_free (walker);

  if (!ok)
    return FALSE;

  *offset = search.offset;
  if (found_timestamp != NULL)
    *found_timestamp = search.found_timestamp;
  return TRUE;
}

gboolean
mr_partition_log_truncate_to (MrPartitionLog  *log,
                              gint64           offset,
                              gint64          *new_log_end,
                              GError         **error)
{
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  MrBatchWalker *walker = NULL;
  MrLogSegment *segment = NULL;
  MrRecordBatchHeader header;
  goffset cut;
  goffset at = 0;
  gint64 new_end;
  gboolean ok = TRUE;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (offset >= 0, FALSE);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    goto fail;

  if (offset >= log->log_end_offset)
    {
      if (new_log_end != NULL)
        *new_log_end = log->log_end_offset;
      g_mutex_unlock (&log->lock);
      return TRUE;
    }

  if (offset <= log->log_start_offset)
    {
      if (!reset_locked (log, offset, error))
        goto fail;
      if (new_log_end != NULL)
        *new_log_end = offset;
      g_mutex_unlock (&log->lock);
      return TRUE;
    }

  /* Whole segments at or above the offset go; one segment always stays, as
   * the start is below the offset. */
  while (log->segments->len > 1 && active_segment (log)->base_offset >= offset)
    g_ptr_array_add (removed,
                     g_ptr_array_steal_index (log->segments,
                                              log->segments->len - 1));

  segment = active_segment (log);
  cut = segment->size;
  new_end = offset;

  walker = g_new (MrBatchWalker, 1);
  mr_batch_walker_init (walker, segment,
                        mr_log_segment_lookup_offset (segment, offset),
                        segment->size);
  while ((ok = mr_batch_walker_next (walker, &header, &at, error)))
    {
      if (mr_record_batch_header_get_last_offset (&header) >= offset)
        {
          cut = at;
          new_end = MIN (offset, header.base_offset);
          break;
        }
    }
  g_free (walker);
  if (!ok && error != NULL && *error != NULL)
    goto restore;

  if (!mr_log_segment_truncate (segment, cut, log->config.index_interval_bytes,
                                error))
    goto restore;

  log->log_end_offset = new_end;
  remove_segments (removed);

  g_mutex_lock (&log->flush_lock);
  log->flushed_offset = MIN (log->flushed_offset, new_end);
  g_mutex_unlock (&log->flush_lock);

  if (new_log_end != NULL)
    *new_log_end = new_end;
  g_debug ("Truncated “%s” to offset %" G_GINT64_FORMAT, log->directory,
           new_end);
  g_mutex_unlock (&log->lock);
  return TRUE;

restore:
  while (removed->len > 0)
    g_ptr_array_add (log->segments,
                     g_ptr_array_steal_index (removed, removed->len - 1));
fail:
  g_mutex_unlock (&log->lock);
  return FALSE;
}

gboolean
mr_partition_log_truncate_fully_and_start_at (MrPartitionLog  *log,
                                              gint64           offset,
                                              GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (offset >= 0, FALSE);

  g_mutex_lock (&log->lock);
  ok = check_usable_locked (log, TRUE, error) && reset_locked (log, offset,
                                                               error);
  g_mutex_unlock (&log->lock);

  return ok;
}

gboolean
mr_partition_log_delete_records_before (MrPartitionLog  *log,
                                        gint64           offset,
                                        GError         **error)
{
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);

  g_return_val_if_fail (log != NULL, FALSE);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    goto fail;

  if (offset < 0 || offset > log->log_end_offset)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_OFFSET_OUT_OF_RANGE,
                   "Cannot delete records before %" G_GINT64_FORMAT ": the "
                   "log ends at %" G_GINT64_FORMAT, offset,
                   log->log_end_offset);
      goto fail;
    }

  if (offset <= log->log_start_offset)
    {
      g_mutex_unlock (&log->lock);
      return TRUE;
    }

  if (!write_start_checkpoint (log, offset, error))
    goto fail;

  if (offset == log->log_end_offset && !roll_locked (log, error))
    goto fail;

  log->log_start_offset = offset;
  while (log->segments->len > 1
         && ((MrLogSegment *)g_ptr_array_index (log->segments, 1))->base_offset
            <= offset)
    g_ptr_array_add (removed, g_ptr_array_steal_index (log->segments, 0));

  remove_segments (removed);
  g_mutex_unlock (&log->lock);
  return TRUE;

fail:
  g_mutex_unlock (&log->lock);
  return FALSE;
}

gboolean
mr_partition_log_roll (MrPartitionLog  *log,
                       GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (log != NULL, FALSE);

  g_mutex_lock (&log->lock);
  ok = check_usable_locked (log, TRUE, error) && roll_locked (log, error);
  g_mutex_unlock (&log->lock);

  return ok;
}

gboolean
mr_partition_log_flush (MrPartitionLog  *log,
                        GError         **error)
{
  gint64 target;

  g_return_val_if_fail (log != NULL, FALSE);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }
  for (guint i = 0; i < log->segments->len; i++)
    if (!mr_log_segment_write_indexes (g_ptr_array_index (log->segments, i),
                                       FALSE, error))
      {
        g_mutex_unlock (&log->lock);
        return FALSE;
      }
  target = log->log_end_offset;
  g_mutex_unlock (&log->lock);

  return flush_to (log, target, error);
}

gboolean
mr_partition_log_tick (MrPartitionLog  *log,
                       GError         **error)
{
  MrLogSegment *active = NULL;
  gboolean need_flush;
  gint64 target;
  gint64 now;

  g_return_val_if_fail (log != NULL, FALSE);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }

  now = now_ms (log);
  active = active_segment (log);
  if (active->size > 0 && active->created_ms >= 0
      && now - active->created_ms >= log->config.segment_ms
      && !roll_locked (log, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }

  need_flush = needs_flush_locked (log, now);
  target = log->log_end_offset;
  g_mutex_unlock (&log->lock);

  return !need_flush || flush_to (log, target, error);
}

gboolean
mr_partition_log_enforce_retention (MrPartitionLog     *log,
                                    MrRetentionResult  *result,
                                    GError            **error)
{
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  guint n_delete = 0;
  gint64 now;

  g_return_val_if_fail (log != NULL, FALSE);

  if (result != NULL)
    *result = (MrRetentionResult){ 0, 0 };

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    goto fail;

  if (!(log->config.cleanup_policy & MR_CLEANUP_POLICY_DELETE))
    {
      g_mutex_unlock (&log->lock);
      return TRUE;
    }

  now = now_ms (log);

  if (log->config.retention_ms >= 0)
    {
      for (guint i = 0; i < log->segments->len; i++)
        {
          MrLogSegment *segment = g_ptr_array_index (log->segments, i);
          gint64 newest = segment->max_timestamp >= 0 ? segment->max_timestamp
                                                      : segment->created_ms;

          if (segment->size == 0 || now - newest <= log->config.retention_ms)
            break;
          n_delete = i + 1;
        }
    }

  if (log->config.retention_bytes >= 0)
    {
      gint64 excess = -log->config.retention_bytes;

      for (guint i = 0; i < log->segments->len; i++)
        excess += ((MrLogSegment *)g_ptr_array_index (log->segments, i))->size;

      for (guint i = 0; i < log->segments->len; i++)
        {
          MrLogSegment *segment = g_ptr_array_index (log->segments, i);

          if (segment->size == 0 || excess - segment->size < 0)
            break;
          excess -= segment->size;
          n_delete = MAX (n_delete, i + 1);
        }
    }

  if (n_delete == 0)
    {
      g_mutex_unlock (&log->lock);
      return TRUE;
    }

  /* The active segment can only go once a new one has replaced it. */
  if (n_delete == log->segments->len && !roll_locked (log, error))
    goto fail;

  for (guint i = 0; i < n_delete; i++)
    {
      MrLogSegment *segment = g_ptr_array_steal_index (log->segments, 0);

      if (result != NULL)
        {
          result->deleted_segments++;
          result->deleted_bytes += segment->size;
        }
      g_ptr_array_add (removed, segment);
    }

  log->log_start_offset = MAX (log->log_start_offset,
                               ((MrLogSegment *)g_ptr_array_index (
                                 log->segments, 0))->base_offset);
  remove_segments (removed);

  g_debug ("Retention removed %u segments of “%s”; the log now starts at %"
           G_GINT64_FORMAT, removed->len, log->directory,
           log->log_start_offset);
  g_mutex_unlock (&log->lock);
  return TRUE;

fail:
  g_mutex_unlock (&log->lock);
  return FALSE;
}

gboolean
mr_partition_log_foreach_batch (MrPartitionLog     *log,
                                gint64              from_offset,
                                MrBatchHeaderFunc   func,
                                gpointer            user_data,
                                GError            **error)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (goffset));
  MrBatchWalker *walker = NULL;
  goffset first_start = 0;
  gboolean ok = TRUE;
  gboolean go_on = TRUE;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, FALSE, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }
  for (guint i = floor_segment_index (log, from_offset);
       i < log->segments->len; i++)
    {
      MrLogSegment *segment = g_ptr_array_index (log->segments, i);

      if (segments->len == 0)
        first_start = mr_log_segment_lookup_offset (segment, from_offset);
      g_ptr_array_add (segments, mr_log_segment_ref (segment));
      g_array_append_val (ends, segment->size);
    }
  g_mutex_unlock (&log->lock);

  walker = g_new (MrBatchWalker, 1);
  for (guint i = 0; i < segments->len && ok && go_on; i++)
    {
      g_autoptr(GError) local_error = NULL;
      MrRecordBatchHeader header;
      goffset at = 0;

      mr_batch_walker_init (walker, g_ptr_array_index (segments, i),
                            i == 0 ? first_start : 0,
                            g_array_index (ends, goffset, i));
      while (go_on && mr_batch_walker_next (walker, &header, &at, &local_error))
        {
          if (mr_record_batch_header_get_last_offset (&header) < from_offset)
            continue;
          go_on = func (&header, user_data);
        }

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }
  g_free (walker);

  return ok;
}

/* Compaction
 * ----------
 * Pass one reads the closed segments and maps each key to the offset of its
 * latest record. Pass two rewrites each segment into <base>.log.cleaned,
 * keeping a record when it is the latest for its key (or has no key) and is
 * not a tombstone older than delete.retention.ms. A batch that keeps all its
 * records is copied byte for byte; one that keeps some is rebuilt with the
 * same codec, offsets, producer fields and epoch, and keeps its original
 * offset range; one that keeps none is dropped. The cleaned file is synced
 * and then, under the log's lock and only if the segment is still the same
 * (no truncation or retention took it meanwhile), renamed over the .log. A
 * crash before the rename leaves a .cleaned file that open deletes; one
 * after it leaves the new .log with stale or missing indexes, which open
 * rebuilds. */

typedef struct
{
  GHashTable *latest;          /* GBytes key → gint64 offset (boxed) */
} OffsetMap;

static gboolean
map_record_cb (const MrRecordBatchHeader *batch,
               const MrRecord            *record,
               gpointer                   user_data)
{
  OffsetMap *map = user_data;
  gint64 *value = NULL;
  GBytes *key = NULL;

  if (record->key_len < 0)
    return TRUE;

  key = g_bytes_new (record->key, record->key_len);
  value = g_hash_table_lookup (map->latest, key);
  if (value != NULL)
    {
      *value = MAX (*value, record->offset);
      g_bytes_unref (key);
    }
  else
    {
      value = g_new (gint64, 1);
      *value = record->offset;
      g_hash_table_insert (map->latest, key, value);
    }
  return TRUE;
}

typedef struct
{
  OffsetMap            *map;
  MrRecordBatchBuilder *builder;
  gint64                tombstone_horizon;
  guint                 kept;
  guint                 total;
  gint64                tombstones_removed;
} CleanBatch;

static gboolean
keep_record (CleanBatch     *clean,
             const MrRecord *record)
{
  GBytes *key = NULL;
  gint64 *latest = NULL;

  if (record->key_len < 0)
    return TRUE;

  key = g_bytes_new_static (record->key, record->key_len);
  latest = g_hash_table_lookup (clean->map->latest, key);
  g_bytes_unref (key);

  if (latest != NULL && *latest > record->offset)
    return FALSE;

  if (record->value_len < 0 && record->timestamp < clean->tombstone_horizon)
    {
      clean->tombstones_removed++;
      return FALSE;
    }

  return TRUE;
}

static gboolean
count_kept_cb (const MrRecordBatchHeader *batch,
               const MrRecord            *record,
               gpointer                   user_data)
{
  CleanBatch *clean = user_data;

  clean->total++;
  if (keep_record (clean, record))
    clean->kept++;
  return TRUE;
}

static gboolean
rebuild_cb (const MrRecordBatchHeader *batch,
            const MrRecord            *record,
            gpointer                   user_data)
{
  CleanBatch *clean = user_data;

  if (keep_record (clean, record))
    mr_record_batch_builder_add_record (clean->builder, record);
  return TRUE;
}

/* Rewrites one batch; appends the result (if any) to @out. */
static gboolean
clean_batch (CleanBatch                *clean,
             const MrRecordBatchHeader *header,
             const guint8              *data,
             gsize                      size,
             GByteArray                *out,
             GError                   **error)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GBytes) rebuilt = NULL;
  gint64 removed_before = clean->tombstones_removed;
  guint8 *bytes = NULL;
  gsize len = 0;

  /* Control and transactional batches keep their markers as they are. */
  if (header->attributes & (MR_RECORD_BATCH_CONTROL
                            | MR_RECORD_BATCH_TRANSACTIONAL))
    {
      g_byte_array_append (out, data, size);
      return TRUE;
    }

  clean->kept = 0;
  clean->total = 0;
  if (!mr_record_batch_foreach_record (data, size, count_kept_cb, clean,
                                       error))
    return FALSE;

  if (clean->kept == clean->total)
    {
      /* Counted only once: the rebuild pass is not needed. */
      g_byte_array_append (out, data, size);
      return TRUE;
    }
  if (clean->kept == 0)
    return TRUE;

  /* The counting pass already counted the dropped tombstones. */
  clean->tombstones_removed = removed_before;

  builder = mr_record_batch_builder_new (
    mr_record_batch_header_get_compression (header));
  mr_record_batch_builder_set_base_offset (builder, header->base_offset);
  mr_record_batch_builder_set_producer (builder, header->producer_id,
                                        header->producer_epoch,
                                        header->base_sequence);
  mr_record_batch_builder_set_last_offset_delta (builder,
                                                 header->last_offset_delta);
  clean->builder = builder;
  if (!mr_record_batch_foreach_record (data, size, rebuild_cb, clean, error))
    return FALSE;
  clean->builder = NULL;

  rebuilt = mr_record_batch_builder_finish (builder, error);
  if (rebuilt == NULL)
    return FALSE;

  bytes = g_bytes_unref_to_data (g_steal_pointer (&rebuilt), &len);
  mr_record_batch_set_base_offset (bytes, header->base_offset);
  mr_record_batch_set_leader_epoch (bytes, header->partition_leader_epoch);
  if (header->attributes & MR_RECORD_BATCH_LOG_APPEND_TIME)
    mr_record_batch_set_log_append_time (bytes, len, header->max_timestamp);
  g_byte_array_append (out, bytes, len);
  g_free (bytes);

  return TRUE;
}

/* Rewrites @segment into a .cleaned file and returns the new segment,
 * not yet swapped in. @locality: the compacting thread, without the log's
 * lock. */
static MrLogSegment *
clean_segment (MrPartitionLog     *log,
               MrLogSegment       *segment,
               goffset             end,
               CleanBatch         *clean,
               gint32              index_interval,
               MrCompactionStats  *stats,
               GError            **error)
{
  g_autoptr(MrLogSegment) cleaned = NULL;
  g_autoptr(GByteArray) batch = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *cleaned_path = g_strconcat (segment->log_path, ".cleaned",
                                               NULL);
  g_autoptr(GError) local_error = NULL;
  MrBatchWalker *walker = NULL;
  MrRecordBatchHeader header;
  goffset position = 0;
  goffset written = 0;
  int fd;

  fd = open (cleaned_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not create “%s”: %s", cleaned_path,
                   g_strerror (saved_errno));
      return NULL;
    }

  cleaned = mr_log_segment_new_replacement (segment, fd);

  walker = g_new (MrBatchWalker, 1);
  mr_batch_walker_init (walker, segment, 0, end);
  while (mr_batch_walker_next (walker, &header, &position, &local_error))
    {
      gsize size = mr_record_batch_header_get_size (&header);
      gsize before = out->len;

      stats->records_before += header.record_count;
      if (!mr_log_segment_read_batch (segment, position, size, batch,
                                      &local_error)
          || !clean_batch (clean, &header, batch->data, size, out,
                           &local_error))
        break;

      if (out->len > before)
        {
          MrRecordBatchHeader kept;

          mr_record_batch_header_parse (out->data + before, out->len - before,
                                        &kept, NULL);
          mr_log_segment_note_batch (cleaned, &kept, written + before,
                                     index_interval);
          stats->records_after += kept.record_count;
        }

      /* Write in large pieces. */
      if (out->len >= 1024 * 1024)
        {
          struct iovec iov = { out->data, out->len };

          if (!mr_log_io_pwritev_all (log->io, fd, &iov, 1, written))
            {
              int saved_errno = errno;

              g_set_error (&local_error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                           "Could not write “%s”: %s", cleaned_path,
                           g_strerror (saved_errno));
              break;
            }
          written += out->len;
          g_byte_array_set_size (out, 0);
        }
    }
  g_free (walker);

  if (local_error == NULL && out->len > 0)
    {
      struct iovec iov = { out->data, out->len };

      if (!mr_log_io_pwritev_all (log->io, fd, &iov, 1, written))
        {
          int saved_errno = errno;

          g_set_error (&local_error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                       "Could not write “%s”: %s", cleaned_path,
                       g_strerror (saved_errno));
        }
      written += out->len;
    }

  if (local_error == NULL && log->io->fdatasync (log->io, fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (&local_error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not sync “%s”: %s", cleaned_path,
                   g_strerror (saved_errno));
    }

  if (local_error != NULL)
    {
      g_unlink (cleaned_path);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  cleaned->size = written;
  cleaned->flushed_size = written;
  stats->bytes_before += end;
  stats->bytes_after += written;
  return g_steal_pointer (&cleaned);
}

gboolean
mr_partition_log_compact (MrPartitionLog     *log,
                          gint64              max_offset,
                          MrCompactionStats  *stats,
                          GError            **error)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_log_segment_unref);
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autoptr(GByteArray) batch = g_byte_array_new ();
  MrCompactionStats local_stats = { 0, };
  OffsetMap map;
  CleanBatch clean = { 0, };
  MrLogConfig config;
  MrBatchWalker *walker = NULL;
  gboolean ok = TRUE;
  gint64 now;

  g_return_val_if_fail (log != NULL, FALSE);

  if (stats == NULL)
    stats = &local_stats;
  *stats = (MrCompactionStats){ 0, };

  g_mutex_lock (&log->compact_lock);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    {
      g_mutex_unlock (&log->lock);
      g_mutex_unlock (&log->compact_lock);
      return FALSE;
    }
  config = log->config;
  now = now_ms (log);
  if (config.cleanup_policy & MR_CLEANUP_POLICY_COMPACT)
    {
      for (guint i = 0; i + 1 < log->segments->len; i++)
        {
          MrLogSegment *segment = g_ptr_array_index (log->segments, i);

          if (max_offset >= 0 && segment->next_offset > max_offset)
            break;
          /* min.compaction.lag.ms: leave recent records alone. */
          if (config.min_compaction_lag_ms > 0
              && segment->max_timestamp > now - config.min_compaction_lag_ms)
            break;
          g_ptr_array_add (segments, mr_log_segment_ref (segment));
          g_array_append_val (ends, segment->size);
        }
    }
  g_mutex_unlock (&log->lock);

  if (segments->len == 0)
    {
      g_mutex_unlock (&log->compact_lock);
      return TRUE;
    }

  map.latest = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                      (GDestroyNotify)g_bytes_unref, g_free);

  walker = g_new (MrBatchWalker, 1);
  for (guint i = 0; i < segments->len && ok; i++)
    {
      MrLogSegment *segment = g_ptr_array_index (segments, i);
      g_autoptr(GError) local_error = NULL;
      MrRecordBatchHeader header;
      goffset at = 0;

      mr_batch_walker_init (walker, segment, 0, g_array_index (ends, goffset, i));
      while (mr_batch_walker_next (walker, &header, &at, &local_error))
        {
          if (!mr_log_segment_read_batch (segment, at,
                                          mr_record_batch_header_get_size (&header),
                                          batch, &local_error)
              || !mr_record_batch_foreach_record (batch->data, batch->len,
                                                  map_record_cb, &map,
                                                  &local_error))
            break;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }
  g_free (walker);

  clean.map = &map;
  clean.tombstone_horizon = now - config.delete_retention_ms;

  for (guint i = 0; i < segments->len && ok; i++)
    {
      MrLogSegment *segment = g_ptr_array_index (segments, i);
      goffset end = g_array_index (ends, goffset, i);
      g_autoptr(MrLogSegment) cleaned = NULL;
      g_autofree char *cleaned_path = NULL;
      gboolean swapped = FALSE;
      guint index;

      cleaned = clean_segment (log, segment, end, &clean,
                               config.index_interval_bytes, stats, error);
      if (cleaned == NULL)
        {
          ok = FALSE;
          break;
        }

      cleaned_path = g_strconcat (segment->log_path, ".cleaned", NULL);

      g_mutex_lock (&log->lock);
      for (index = 0; index < log->segments->len; index++)
        if (g_ptr_array_index (log->segments, index) == segment)
          break;

      if (index < log->segments->len && segment->size == end && !log->closed)
        {
          /* The indexes go first: a crash between the two steps then leaves
           * a new .log without indexes, which open rebuilds. */
          g_unlink (segment->index_path);
          g_unlink (segment->timeindex_path);
          if (g_rename (cleaned_path, segment->log_path) == 0)
            {
              g_autoptr(GError) index_error = NULL;

              if (!mr_log_segment_write_indexes (cleaned, TRUE, &index_error))
                g_debug ("Indexes of “%s” left for recovery: %s",
                         cleaned->log_path, index_error->message);
              log->segments->pdata[index] = mr_log_segment_ref (cleaned);
              mr_log_segment_unref (segment);
              log->directory_dirty = TRUE;
              stats->cleaned_segments++;
              swapped = TRUE;
            }
          else
            {
              int saved_errno = errno;

              g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                           "Could not swap in “%s”: %s", cleaned_path,
                           g_strerror (saved_errno));
              mr_log_segment_write_indexes (segment, TRUE, NULL);
              ok = FALSE;
            }
        }
      g_mutex_unlock (&log->lock);

      if (!swapped)
        g_unlink (cleaned_path);
    }

  stats->tombstones_removed = clean.tombstones_removed;
  g_hash_table_unref (map.latest);
  g_mutex_unlock (&log->compact_lock);

  if (ok)
    g_debug ("Compacted %u segments of “%s”: %" G_GINT64_FORMAT " records "
             "to %" G_GINT64_FORMAT, stats->cleaned_segments, log->directory,
             stats->records_before, stats->records_after);
  return ok;
}

const char *
mr_partition_log_get_directory (MrPartitionLog *log)
{
  g_return_val_if_fail (log != NULL, NULL);

  return log->directory;
}

void
mr_partition_log_get_config (MrPartitionLog *log,
                             MrLogConfig    *config)
{
  g_return_if_fail (log != NULL);

  g_mutex_lock (&log->lock);
  *config = log->config;
  g_mutex_unlock (&log->lock);
}

void
mr_partition_log_set_config (MrPartitionLog    *log,
                             const MrLogConfig *config)
{
  g_return_if_fail (log != NULL);

  g_mutex_lock (&log->lock);
  log->config = *config;
  g_mutex_unlock (&log->lock);
}

void
mr_partition_log_get_recovery_report (MrPartitionLog      *log,
                                      MrLogRecoveryReport *report)
{
  g_return_if_fail (log != NULL);

  g_mutex_lock (&log->lock);
  *report = log->recovery;
  g_mutex_unlock (&log->lock);
}

#define LOCKED_GETTER(type, name, expr)            \
  type                                             \
  mr_partition_log_get_##name (MrPartitionLog *log) \
  {                                                \
    type value;                                    \
                                                   \
    g_return_val_if_fail (log != NULL, 0);         \
                                                   \
    g_mutex_lock (&log->lock);                     \
    value = (expr);                                \
    g_mutex_unlock (&log->lock);                   \
    return value;                                  \
  }

LOCKED_GETTER (gint64, log_start_offset, log->log_start_offset)
LOCKED_GETTER (gint64, log_end_offset, log->log_end_offset)
LOCKED_GETTER (guint, n_segments, log->segments->len)

gint64
mr_partition_log_get_size (MrPartitionLog *log)
{
  gint64 size = 0;

  g_return_val_if_fail (log != NULL, 0);

  g_mutex_lock (&log->lock);
  for (guint i = 0; i < log->segments->len; i++)
    size += ((MrLogSegment *)g_ptr_array_index (log->segments, i))->size;
  g_mutex_unlock (&log->lock);

  return size;
}

gint64
mr_partition_log_get_flushed_offset (MrPartitionLog *log)
{
  gint64 offset;

  g_return_val_if_fail (log != NULL, 0);

  g_mutex_lock (&log->flush_lock);
  offset = log->flushed_offset;
  g_mutex_unlock (&log->flush_lock);

  return offset;
}

gboolean
mr_partition_log_close (MrPartitionLog  *log,
                        GError         **error)
{
  gboolean ok = TRUE;
  gint64 target;

  g_return_val_if_fail (log != NULL, FALSE);

  g_mutex_lock (&log->lock);
  if (log->closed)
    {
      g_mutex_unlock (&log->lock);
      return TRUE;
    }
  if (!log->read_only)
    {
      for (guint i = 0; i < log->segments->len && ok; i++)
        ok = mr_log_segment_write_indexes (g_ptr_array_index (log->segments,
                                                              i),
                                           FALSE, error);
    }
  target = log->log_end_offset;
  g_mutex_unlock (&log->lock);

  if (ok && !log->read_only)
    ok = flush_to (log, target, error);

  g_mutex_lock (&log->lock);
  log->closed = TRUE;
  g_mutex_unlock (&log->lock);

  return ok;
}

gboolean
mr_partition_log_simulate_power_loss (MrPartitionLog  *log,
                                      GError         **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (log != NULL, FALSE);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }
  log->closed = TRUE;

  /* A segment created since the last directory sync may not survive either;
   * keeping its (empty or synced) file is the kinder reading of a power
   * cut, and recovery handles both. */
  for (guint i = 0; i < log->segments->len && ok; i++)
    {
      MrLogSegment *segment = g_ptr_array_index (log->segments, i);

      if (segment->flushed_size < segment->size
          && log->io->ftruncate (log->io, segment->fd,
                                 segment->flushed_size) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                       "Could not cut “%s”: %s", segment->log_path,
                       g_strerror (saved_errno));
          ok = FALSE;
        }
      segment->size = segment->flushed_size;
      mr_log_segment_cut_tail (segment, segment->size);
    }
  g_mutex_unlock (&log->lock);

  return ok;
}

gboolean
mr_partition_log_delete (MrPartitionLog  *log,
                         GError         **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (log != NULL, FALSE);

  g_mutex_lock (&log->lock);
  if (!check_usable_locked (log, TRUE, error))
    {
      g_mutex_unlock (&log->lock);
      return FALSE;
    }
  log->closed = TRUE;
  g_mutex_unlock (&log->lock);

  /* Wait for a compaction in progress to notice the close. */
  g_mutex_lock (&log->compact_lock);
  g_mutex_unlock (&log->compact_lock);

  dir = g_dir_open (log->directory, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not delete log: %s", local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (log->directory, name, NULL);

      g_unlink (path);
    }

  if (g_rmdir (log->directory) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not delete “%s”: %s", log->directory,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

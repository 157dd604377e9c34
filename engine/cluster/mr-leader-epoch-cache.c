/* mr-leader-epoch-cache.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-leader-epoch-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "mr-log-error.h"

/* The leader epoch checkpoint
 * ===========================
 *
 * File. <partition-dir>/leader-epoch-checkpoint, the same file and format
 * as Kafka's LeaderEpochCheckpointFile, so Kafka's tools read ours. ASCII
 * text, lines ended by "\n":
 *
 *   line 1: the format version, "0";
 *   line 2: the number of entries N, in decimal;
 *   lines 3 to N + 2: one entry each, "<epoch> <start offset>": the leader
 *           epoch (0 to 2^31 - 1) and the first offset written in it
 *           (0 to 2^63 - 1), in decimal, separated by one space.
 *
 * Nothing follows the last entry. An empty cache is "0\n0\n". Entries are
 * in order, and both their epochs and their start offsets increase
 * strictly. Example, epochs 0, 1 and 3 starting at offsets 0, 5 and 12:
 *
 *   0\n3\n0 0\n1 5\n3 12\n
 *
 * Reading accepts what Kafka's reader accepts: a missing file or an empty
 * one (Kafka creates the file empty) is an empty cache; a last line
 * without its "\n", "\r\n" line ends, and runs of spaces or tabs between
 * the two numbers are tolerated. Anything else is malformed and refused
 * with the number of the line at fault: another version, a count that does
 * not match the lines, a line that is not two numbers, a number out of
 * range, epochs or offsets that do not increase. Kafka takes a malformed
 * checkpoint as a storage failure; starting empty instead would silently
 * lose the history that keeps replicas from diverging.
 *
 * Writing. Every change rewrites the whole file: a temporary file in the
 * same directory is written and fsync()ed, renamed over the old one, and
 * then the directory is fsync()ed, so a crash leaves either the old or the
 * new file, never a torn one. The change reaches memory only once the file
 * is written.
 *
 * What the cache answers
 * ======================
 *
 * Each replica stamps the leader epoch into every batch it appends as
 * leader, and records (epoch, first offset) here when an epoch starts;
 * followers record the same when they copy a batch of a newer epoch.
 *
 * OffsetsForLeaderEpoch, on the leader (Kafka's endOffsetFor): asked for
 * epoch E with its log ending at LEO,
 *
 *  - E undefined (-1), or no entry at all: (undefined, undefined);
 *  - E is the latest epoch: (E, LEO), since the epoch is still being
 *    written to;
 *  - no entry has an epoch above E: (undefined, undefined); this cannot
 *    happen when E is below the latest epoch;
 *  - no entry has an epoch at or below E (E predates the oldest entry,
 *    whose data retention removed): (E, start of the oldest entry). Kafka
 *    admits this may be inaccurate, but the data is gone anyway and the
 *    follower will copy from the leader's log start;
 *  - otherwise: (the largest epoch at or below E, start of the smallest
 *    epoch above E). That is where E, or the last epoch before it that this
 *    replica knows, ended here. Answering with the epoch actually found,
 *    rather than echoing E, is KIP-279's change to KIP-101: it tells the
 *    follower that this leader never saw E.
 *
 * Truncation, on the follower (KIP-279). A follower that starts following
 * a new leader runs this loop before it fetches:
 *
 *   1. If its cache is empty, it truncates to its high watermark (the
 *      pre-KIP-101 rule; there is no history to compare) and stops.
 *   2. It sends OffsetsForLeaderEpoch with the latest epoch of its cache.
 *   3. The leader answers (E', O') as above.
 *   4. mr_leader_epoch_cache_follower_truncation_offset() gives the offset
 *      T to truncate to, and whether the search is complete:
 *       - O' undefined: the leader has no history; fall back to the high
 *         watermark, complete;
 *       - E' undefined: min (O', LEO), complete;
 *       - the follower's own answer for E' is (F, FO), computed with the
 *         same endOffsetFor rules on its own cache and log end;
 *         FO undefined: the follower's history starts after E', so
 *         min (O', LEO), complete;
 *         F == E': both know E', and E' ends at O' on the leader and at FO
 *         here; they agree up to min (O', FO): truncate there, complete;
 *         F != E': the follower never had E', so its epochs after F cannot
 *         be trusted either; truncate to min (FO, LEO), where its first
 *         epoch after F started, incomplete.
 *   5. It truncates its log to T (the batch holding T goes whole) and its
 *      cache with mr_leader_epoch_cache_truncate_from_end (T).
 *   6. Incomplete: back to 1 with the now smaller latest epoch. Complete:
 *      fetch from T.
 *
 * Each incomplete round removes at least the follower's latest epoch, so
 * the loop ends. When it ends, the follower's log is a prefix of the
 * leader's: the rapid double failover of KIP-279, where the leader answers
 * with an epoch the follower never had, no longer leaves the two logs
 * differing below the follower's log end.
 */

struct _MrLeaderEpochCache
{
  char   *directory;   /* NULL: memory only */
  char   *path;
  GArray *entries;     /* MrLeaderEpochEntry, oldest first */
};

static GArray *
entries_new (guint reserved)
{
  return g_array_sized_new (FALSE, FALSE, sizeof (MrLeaderEpochEntry),
                            reserved);
}

static gboolean
entries_equal (GArray *a,
               GArray *b)
{
  if (a->len != b->len)
    return FALSE;

  /* Field by field: the struct has padding. */
  for (guint i = 0; i < a->len; i++)
    {
      const MrLeaderEpochEntry *x = &g_array_index (a, MrLeaderEpochEntry, i);
      const MrLeaderEpochEntry *y = &g_array_index (b, MrLeaderEpochEntry, i);

      if (x->epoch != y->epoch || x->start_offset != y->start_offset)
        return FALSE;
    }

  return TRUE;
}

static const MrLeaderEpochEntry *
entries_last (GArray *entries)
{
  if (entries->len == 0)
    return NULL;
  return &g_array_index (entries, MrLeaderEpochEntry, entries->len - 1);
}

static char *
format_checkpoint (GArray *entries)
{
  GString *text = g_string_new ("0\n");

  g_string_append_printf (text, "%u\n", entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      const MrLeaderEpochEntry *entry = &g_array_index (entries,
                                                        MrLeaderEpochEntry,
                                                        i);

      g_string_append_printf (text, "%d %" G_GINT64_FORMAT "\n",
                              entry->epoch, entry->start_offset);
    }

  return g_string_free (text, FALSE);
}

static gboolean
sync_directory (const char  *directory,
                GError     **error)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }

  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
               "Could not sync “%s”: %s", directory,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_checkpoint (MrLeaderEpochCache  *cache,
                  GArray              *entries,
                  GError             **error)
{
  g_autofree char *contents = format_checkpoint (entries);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (cache->path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT
                                 | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local_error))
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not write “%s”: %s", cache->path,
                   local_error->message);
      return FALSE;
    }

  return sync_directory (cache->directory, error);
}

/* Makes @next (owned) the cache's entries, writing the checkpoint first
 * when they differ from the current ones. */
static gboolean
commit_entries (MrLeaderEpochCache  *cache,
                GArray              *next,
                GError             **error)
{
  g_autoptr(GArray) owned = next;

  if (entries_equal (cache->entries, owned))
    return TRUE;

  if (cache->path != NULL && !write_checkpoint (cache, owned, error))
    return FALSE;

  g_array_unref (cache->entries);
  cache->entries = g_steal_pointer (&owned);
  return TRUE;
}

static gboolean
set_malformed (GError     **error,
               const char  *path,
               guint        line,
               const char  *format,
               ...) G_GNUC_PRINTF (4, 5);

static gboolean
set_malformed (GError     **error,
               const char  *path,
               guint        line,
               const char  *format,
               ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "Malformed leader epoch checkpoint “%s”, line %u: %s",
               path, line, reason);
  return FALSE;
}

static gboolean
parse_entry (char               *line,
             MrLeaderEpochEntry *entry)
{
  g_auto(GStrv) fields = g_strsplit_set (line, " \t", -1);
  const char *numbers[2] = { NULL, NULL };
  guint n_numbers = 0;
  gint64 epoch = 0;
  guint64 offset = 0;

  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (fields[i][0] == '\0')
        continue;
      if (n_numbers == 2)
        return FALSE;
      numbers[n_numbers++] = fields[i];
    }

  if (n_numbers != 2
      || !g_ascii_string_to_signed (numbers[0], 10, 0, G_MAXINT32, &epoch,
                                    NULL)
      || !g_ascii_string_to_unsigned (numbers[1], 10, 0, G_MAXINT64, &offset,
                                      NULL))
    return FALSE;

  entry->epoch = (gint32)epoch;
  entry->start_offset = (gint64)offset;
  return TRUE;
}

/* Fills @entries from the file's contents; see the format above. */
static gboolean
parse_checkpoint (const char  *path,
                  char        *contents,
                  gsize        length,
                  GArray      *entries,
                  GError     **error)
{
  g_auto(GStrv) lines = NULL;
  gint64 version = 0;
  gint64 count = 0;
  guint n_lines;

  if (length == 0)
    return TRUE;

  if (strlen (contents) != length)
    return set_malformed (error, path, 1, "the file holds a NUL byte");

  if (contents[length - 1] == '\n')
    contents[length - 1] = '\0';
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  if (n_lines == 0)
    return set_malformed (error, path, 1, "no version");
  for (guint i = 0; i < n_lines; i++)
    {
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }

  if (!g_ascii_string_to_signed (lines[0], 10, 0, G_MAXINT32, &version,
                                 NULL))
    return set_malformed (error, path, 1, "“%s” is not a version",
                          lines[0]);
  if (version != 0)
    return set_malformed (error, path, 1, "unsupported version %"
                          G_GINT64_FORMAT, version);

  if (n_lines < 2
      || !g_ascii_string_to_signed (lines[1], 10, 0, G_MAXINT32, &count,
                                    NULL))
    return set_malformed (error, path, 2, "no entry count");

  for (guint i = 0; i < count; i++)
    {
      guint line_number = i + 3;
      const MrLeaderEpochEntry *previous = entries_last (entries);
      MrLeaderEpochEntry entry;

      if (line_number > n_lines)
        return set_malformed (error, path, line_number,
                              "expected %" G_GINT64_FORMAT " entries, "
                              "found %u", count, i);
      if (!parse_entry (lines[line_number - 1], &entry))
        return set_malformed (error, path, line_number,
                              "“%s” is not “<epoch> <start offset>”",
                              lines[line_number - 1]);
      if (previous != NULL
          && (entry.epoch <= previous->epoch
              || entry.start_offset <= previous->start_offset))
        return set_malformed (error, path, line_number,
                              "epoch %d at %" G_GINT64_FORMAT " does not "
                              "follow epoch %d at %" G_GINT64_FORMAT,
                              entry.epoch, entry.start_offset,
                              previous->epoch, previous->start_offset);

      g_array_append_val (entries, entry);
    }

  if (n_lines > count + 2)
    return set_malformed (error, path, (guint)count + 3,
                          "more lines than the %" G_GINT64_FORMAT
                          " entries announced", count);

  return TRUE;
}

static gboolean
rebuild_cb (const MrRecordBatchHeader *header,
            gpointer                   user_data)
{
  GArray *entries = user_data;
  const MrLeaderEpochEntry *last = entries_last (entries);
  MrLeaderEpochEntry entry;

  /* As Kafka's segment recovery does: only a batch that opens a newer
   * epoch makes an entry. */
  if (header->partition_leader_epoch < 0
      || (last != NULL && header->partition_leader_epoch <= last->epoch))
    return TRUE;

  entry.epoch = header->partition_leader_epoch;
  entry.start_offset = header->base_offset;
  g_array_append_val (entries, entry);
  return TRUE;
}

/* Kafka's truncateFromStart on a copy: entries at or below @start_offset
 * go, and the last of them comes back starting at @start_offset. */
static GArray *
entries_truncated_from_start (GArray *entries,
                              gint64  start_offset)
{
  GArray *next = entries_new (entries->len);
  gboolean have_covering = FALSE;
  MrLeaderEpochEntry covering = { 0, 0 };

  for (guint i = 0; i < entries->len; i++)
    {
      const MrLeaderEpochEntry *entry = &g_array_index (entries,
                                                        MrLeaderEpochEntry,
                                                        i);

      if (entry->start_offset <= start_offset)
        {
          covering = *entry;
          have_covering = TRUE;
          continue;
        }

      if (have_covering)
        {
          covering.start_offset = start_offset;
          g_array_append_val (next, covering);
          have_covering = FALSE;
        }
      g_array_append_val (next, *entry);
    }

  if (have_covering)
    {
      covering.start_offset = start_offset;
      g_array_append_val (next, covering);
    }

  return next;
}

/* @locality any thread; blocks on the disk. */
MrLeaderEpochCache *
mr_leader_epoch_cache_open (const char  *partition_dir,
                            GError     **error)
{
  g_autoptr(MrLeaderEpochCache) cache = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (partition_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cache = mr_leader_epoch_cache_new ();
  cache->directory = g_strdup (partition_dir);
  cache->path = g_build_filename (partition_dir,
                                  MR_LEADER_EPOCH_CHECKPOINT_FILE_NAME, NULL);

  if (!g_file_get_contents (cache->path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&cache);
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_IO,
                   "Could not read “%s”: %s", cache->path,
                   local_error->message);
      return NULL;
    }

  if (!parse_checkpoint (cache->path, contents, length, cache->entries,
                         error))
    return NULL;

  g_debug ("Loaded %u leader epochs from “%s”", cache->entries->len,
           cache->path);
  return g_steal_pointer (&cache);
}

/* @locality any thread. */
MrLeaderEpochCache *
mr_leader_epoch_cache_new (void)
{
  MrLeaderEpochCache *cache = g_new0 (MrLeaderEpochCache, 1);

  cache->entries = entries_new (4);
  return cache;
}

void
mr_leader_epoch_cache_free (MrLeaderEpochCache *cache)
{
  if (cache == NULL)
    return;

  g_clear_pointer (&cache->entries, g_array_unref);
  g_free (cache->path);
  g_free (cache->directory);
  g_free (cache);
}

const char *
mr_leader_epoch_cache_get_path (MrLeaderEpochCache *cache)
{
  g_return_val_if_fail (cache != NULL, NULL);

  return cache->path;
}

/* @locks the partition replica's lock must be held. */
const MrLeaderEpochEntry *
mr_leader_epoch_cache_get_entries (MrLeaderEpochCache *cache,
                                   guint              *n_entries)
{
  g_return_val_if_fail (cache != NULL, NULL);
  g_return_val_if_fail (n_entries != NULL, NULL);

  *n_entries = cache->entries->len;
  return (const MrLeaderEpochEntry *)(gpointer)cache->entries->data;
}

/* @locks the partition replica's lock must be held. */
gint32
mr_leader_epoch_cache_get_latest_epoch (MrLeaderEpochCache *cache)
{
  const MrLeaderEpochEntry *last = NULL;

  g_return_val_if_fail (cache != NULL, MR_LEADER_EPOCH_UNDEFINED);

  last = entries_last (cache->entries);
  return last != NULL ? last->epoch : MR_LEADER_EPOCH_UNDEFINED;
}

/* @locality the thread appending to the partition replica; blocks on the
 * disk when the cache changes.
 * @locks the partition replica's lock must be held. */
gboolean
mr_leader_epoch_cache_assign (MrLeaderEpochCache  *cache,
                              gint32               epoch,
                              gint64               start_offset,
                              GError             **error)
{
  const MrLeaderEpochEntry *last = NULL;
  MrLeaderEpochEntry entry = { epoch, start_offset };
  GArray *next = NULL;

  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (epoch >= 0, FALSE);
  g_return_val_if_fail (start_offset >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  last = entries_last (cache->entries);
  if (last != NULL && last->epoch == epoch
      && start_offset >= last->start_offset)
    return TRUE;

  next = entries_new (cache->entries->len + 1);
  for (guint i = 0; i < cache->entries->len; i++)
    {
      const MrLeaderEpochEntry *old = &g_array_index (cache->entries,
                                                      MrLeaderEpochEntry, i);

      if (old->epoch < epoch && old->start_offset < start_offset)
        g_array_append_val (next, *old);
    }

  if (next->len < cache->entries->len)
    g_debug ("Epoch %d at %" G_GINT64_FORMAT " replaces %u entries in “%s”",
             epoch, start_offset, cache->entries->len - next->len,
             cache->path != NULL ? cache->path : "(memory)");

  g_array_append_val (next, entry);
  return commit_entries (cache, next, error);
}

/* @locks the partition replica's lock must be held. */
void
mr_leader_epoch_cache_end_offset_for_epoch (MrLeaderEpochCache *cache,
                                            gint32              requested_epoch,
                                            gint64              log_end_offset,
                                            gint32             *epoch,
                                            gint64             *end_offset)
{
  const MrLeaderEpochEntry *floor_entry = NULL;
  const MrLeaderEpochEntry *higher_entry = NULL;
  const MrLeaderEpochEntry *last = NULL;

  g_return_if_fail (cache != NULL);
  g_return_if_fail (epoch != NULL);
  g_return_if_fail (end_offset != NULL);

  *epoch = MR_LEADER_EPOCH_UNDEFINED;
  *end_offset = MR_LEADER_EPOCH_OFFSET_UNDEFINED;

  last = entries_last (cache->entries);
  if (requested_epoch < 0 || last == NULL)
    return;

  if (requested_epoch == last->epoch)
    {
      *epoch = requested_epoch;
      *end_offset = log_end_offset;
      return;
    }

  for (guint i = 0; i < cache->entries->len && higher_entry == NULL; i++)
    {
      const MrLeaderEpochEntry *entry = &g_array_index (cache->entries,
                                                        MrLeaderEpochEntry,
                                                        i);

      if (entry->epoch <= requested_epoch)
        floor_entry = entry;
      else
        higher_entry = entry;
    }

  /* Above the latest epoch: nothing to say. */
  if (higher_entry == NULL)
    return;

  *epoch = floor_entry != NULL ? floor_entry->epoch : requested_epoch;
  *end_offset = higher_entry->start_offset;
}

/* @locks the partition replica's lock must be held. */
gboolean
mr_leader_epoch_cache_truncate_from_end (MrLeaderEpochCache  *cache,
                                         gint64               end_offset,
                                         GError             **error)
{
  GArray *next = NULL;

  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (end_offset >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  next = entries_new (cache->entries->len);
  for (guint i = 0; i < cache->entries->len; i++)
    {
      const MrLeaderEpochEntry *entry = &g_array_index (cache->entries,
                                                        MrLeaderEpochEntry,
                                                        i);

      if (entry->start_offset >= end_offset)
        break;
      g_array_append_val (next, *entry);
    }

  return commit_entries (cache, next, error);
}

/* @locks the partition replica's lock must be held. */
gboolean
mr_leader_epoch_cache_truncate_from_start (MrLeaderEpochCache  *cache,
                                           gint64               start_offset,
                                           GError             **error)
{
  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (start_offset >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return commit_entries (cache,
                         entries_truncated_from_start (cache->entries,
                                                       start_offset),
                         error);
}

/* @locks the partition replica's lock must be held. */
gboolean
mr_leader_epoch_cache_clear (MrLeaderEpochCache  *cache,
                             GError             **error)
{
  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return commit_entries (cache, entries_new (0), error);
}

/* @locality any thread; reads the log's segments and blocks on the disk.
 * @locks the partition replica's lock must be held, so that no append
 * races the replay. */
gboolean
mr_leader_epoch_cache_rebuild (MrLeaderEpochCache  *cache,
                               MrPartitionLog      *log,
                               GError             **error)
{
  g_autoptr(GArray) entries = NULL;
  gint64 log_start = 0;

  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  entries = entries_new (4);
  log_start = mr_partition_log_get_log_start_offset (log);
  if (!mr_partition_log_foreach_batch (log, log_start, rebuild_cb, entries,
                                       error))
    {
      g_prefix_error (error, "Could not rebuild leader epochs: ");
      return FALSE;
    }

  /* The first batch may begin below a log start that DeleteRecords moved
   * inside it. */
  return commit_entries (cache,
                         entries_truncated_from_start (entries, log_start),
                         error);
}

/* Pure. See "Truncation, on the follower" above for the loop around it.
 * @locks the partition replica's lock must be held. */
gint64
mr_leader_epoch_cache_follower_truncation_offset (MrLeaderEpochCache *cache,
                                                  gint32              leader_epoch,
                                                  gint64              leader_end_offset,
                                                  gint64              log_end_offset,
                                                  gboolean           *completed)
{
  gint32 follower_epoch = MR_LEADER_EPOCH_UNDEFINED;
  gint64 follower_end_offset = MR_LEADER_EPOCH_OFFSET_UNDEFINED;

  g_return_val_if_fail (cache != NULL, MR_LEADER_EPOCH_OFFSET_UNDEFINED);
  g_return_val_if_fail (log_end_offset >= 0, MR_LEADER_EPOCH_OFFSET_UNDEFINED);
  g_return_val_if_fail (completed != NULL, MR_LEADER_EPOCH_OFFSET_UNDEFINED);

  *completed = TRUE;

  if (leader_end_offset < 0)
    return MR_LEADER_EPOCH_OFFSET_UNDEFINED;

  if (leader_epoch < 0)
    return MIN (leader_end_offset, log_end_offset);

  mr_leader_epoch_cache_end_offset_for_epoch (cache, leader_epoch,
                                              log_end_offset,
                                              &follower_epoch,
                                              &follower_end_offset);

  if (follower_end_offset < 0)
    return MIN (leader_end_offset, log_end_offset);

  if (follower_epoch != leader_epoch)
    {
      *completed = FALSE;
      return MIN (follower_end_offset, log_end_offset);
    }

  return MIN (MIN (follower_end_offset, leader_end_offset), log_end_offset);
}

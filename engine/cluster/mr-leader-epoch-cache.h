/* mr-leader-epoch-cache.h
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

/* Spelled from the engine directory: the header is also read from outside
 * the engine, where only that directory is on the include path. */
#include "log/mr-partition-log.h"

G_BEGIN_DECLS

/* The leader-epoch history of one replica of one partition (KIP-101,
 * KIP-279): for each leader epoch, the first offset written in it. Kept in
 * <partition-dir>/leader-epoch-checkpoint, in Kafka's format; see
 * mr-leader-epoch-cache.c.
 *
 * Epochs and start offsets both increase strictly from entry to entry.
 *
 * Threads: the cache has no lock of its own. It belongs to its partition
 * replica, and every function must be called with that replica's lock held.
 * Changes write the checkpoint before they return: they block on the disk. */
typedef struct _MrLeaderEpochCache MrLeaderEpochCache;

#define MR_LEADER_EPOCH_CHECKPOINT_FILE_NAME "leader-epoch-checkpoint"

/* Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
#define MR_LEADER_EPOCH_UNDEFINED        (-1)
#define MR_LEADER_EPOCH_OFFSET_UNDEFINED G_GINT64_CONSTANT (-1)

typedef struct
{
  gint32 epoch;
  gint64 start_offset;
} MrLeaderEpochEntry;

/* Loads <@partition_dir>/leader-epoch-checkpoint; a missing or empty file
 * gives an empty cache. A file that cannot be read is an MR_LOG_ERROR_IO
 * error; a malformed one is a G_IO_ERROR_INVALID_DATA error that names the
 * line. The history cannot be guessed, so the caller decides: take the log
 * offline (Kafka's answer) or rebuild the cache from the log's batches. */
MrLeaderEpochCache       *mr_leader_epoch_cache_open              (const char          *partition_dir,
                                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* An empty cache that is never written to disk (tests, tools). */
MrLeaderEpochCache       *mr_leader_epoch_cache_new               (void) G_GNUC_WARN_UNUSED_RESULT;
void                      mr_leader_epoch_cache_free              (MrLeaderEpochCache  *cache);

/* The checkpoint file, or NULL for a cache made with _new(). */
const char               *mr_leader_epoch_cache_get_path          (MrLeaderEpochCache  *cache);
/* The entries, oldest first; valid until the next change. */
const MrLeaderEpochEntry *mr_leader_epoch_cache_get_entries       (MrLeaderEpochCache  *cache,
                                                                   guint               *n_entries);
/* MR_LEADER_EPOCH_UNDEFINED when empty. */
gint32                    mr_leader_epoch_cache_get_latest_epoch  (MrLeaderEpochCache  *cache);

/* Records that @epoch starts at @start_offset (a new leader's first append,
 * or a follower copying a batch of a newer epoch), as Kafka does: nothing
 * changes when @epoch is the latest epoch and @start_offset is not below
 * its start; otherwise every entry whose epoch is not below @epoch or
 * whose start is not below @start_offset is removed, and the new entry is
 * appended. A change is persisted before returning; on error (an
 * MR_LOG_ERROR_IO) the cache in memory does not change, and the file holds
 * the old or the new entries, whole. The same goes for every change below. */
gboolean                  mr_leader_epoch_cache_assign            (MrLeaderEpochCache  *cache,
                                                                   gint32               epoch,
                                                                   gint64               start_offset,
                                                                   GError             **error);

/* The leader's answer to OffsetsForLeaderEpoch (Kafka's endOffsetFor, see
 * the .c for each case): the largest epoch at or below @requested_epoch
 * that this replica knows (@requested_epoch itself when it predates every
 * entry), and the offset where @requested_epoch ended here (@log_end_offset
 * when it is the latest epoch). Both undefined when the cache is empty,
 * @requested_epoch is undefined or it is above the latest epoch. */
void                      mr_leader_epoch_cache_end_offset_for_epoch (MrLeaderEpochCache *cache,
                                                                   gint32               requested_epoch,
                                                                   gint64               log_end_offset,
                                                                   gint32              *epoch,
                                                                   gint64              *end_offset);

/* After the log was truncated to @end_offset: removes the entries whose
 * start is at or after it. */
gboolean                  mr_leader_epoch_cache_truncate_from_end (MrLeaderEpochCache  *cache,
                                                                   gint64               end_offset,
                                                                   GError             **error);
/* After the log start moved to @start_offset: removes the entries that
 * start at or below it, then puts the last of them back starting at
 * @start_offset (its epoch still covers the new first offset). */
gboolean                  mr_leader_epoch_cache_truncate_from_start (MrLeaderEpochCache *cache,
                                                                   gint64               start_offset,
                                                                   GError             **error);
gboolean                  mr_leader_epoch_cache_clear             (MrLeaderEpochCache  *cache,
                                                                   GError             **error);

/* Replaces the entries with those the batches of @log imply: each batch
 * carries the epoch of the leader that wrote it. For a checkpoint that was
 * lost or malformed. Batches without an epoch (-1) are skipped. */
gboolean                  mr_leader_epoch_cache_rebuild           (MrLeaderEpochCache  *cache,
                                                                   MrPartitionLog      *log,
                                                                   GError             **error);

/* The follower's side of KIP-279. The follower asked its leader for the end
 * of its own latest epoch, and the leader answered @leader_epoch and
 * @leader_end_offset. Returns the offset the follower truncates its log to
 * (never above @log_end_offset), and sets @completed to FALSE when the
 * follower must ask again, with the latest epoch of its cache after the
 * truncation, because the leader answered with an epoch this follower does
 * not have. Returns MR_LEADER_EPOCH_OFFSET_UNDEFINED, completed, when the
 * leader had no answer: the follower then falls back to its high watermark.
 * See the .c for the loop. Pure: changes nothing. */
gint64                    mr_leader_epoch_cache_follower_truncation_offset (MrLeaderEpochCache *cache,
                                                                   gint32               leader_epoch,
                                                                   gint64               leader_end_offset,
                                                                   gint64               log_end_offset,
                                                                   gboolean            *completed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLeaderEpochCache, mr_leader_epoch_cache_free)

G_END_DECLS

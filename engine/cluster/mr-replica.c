/* mr-replica.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-replica.h"

#include <glib/gstdio.h>

#include "mr-leader-epoch-cache.h"
#include "mr-log-error.h"
#include "mr-producer-state.h"

/* The high watermark checkpoint: <partition-dir>/high-watermark, text, a
 * format version ("0"), a newline, the offset, a newline; written
 * atomically when the replica closes cleanly (Kafka's
 * replication-offset-checkpoint, one per partition). On open it is read
 * back and clamped to the log end, so a restarted leader serves what was
 * committed before its followers have fetched again. A missing or damaged
 * checkpoint only means the high watermark starts at the log start and
 * climbs as followers fetch. */

/* Replication, as Kafka does it, for one partition replica.
 *
 * The leader appends produced batches, stamping its leader epoch. Followers
 * pull: each fetch carries the follower's log end offset, which is how the
 * leader learns what the follower has. The high watermark is the smallest
 * log end offset in the in-sync replica set (ISR); records at or above it
 * are not served to consumers, and an acks=all produce completes when the
 * high watermark passes its last offset. The high watermark does not move
 * while the ISR is smaller than min.insync.replicas, so nothing becomes
 * visible that fewer replicas than promised hold.
 *
 * A follower counts as caught up when it fetches from at least the leader's
 * log end offset at its previous fetch (Kafka's lastCaughtUpTime rule), so
 * a follower that keeps pace under steady load stays in the ISR.
 *
 * While an ISR change is in flight the high watermark follows the largest
 * of the two ISRs (Kafka's "maximal ISR", KIP-497): a follower proposed to
 * join already holds the high watermark back, so that when the controller
 * accepts it, it lacks nothing committed and may safely be elected; one
 * proposed to leave still counts until the controller agrees. */

typedef struct
{
  gint64               required_offset;   /* high watermark to wait for */
  gint64               deadline;          /* monotonic µs */
  gint64               base_offset;
  gint64               log_append_time;
  MrReplicaProduceDone done;
  gpointer             user_data;
} PendingProduce;

typedef struct
{
  gint32   broker_id;
  gint64   log_end_offset;
  gint64   leader_end_at_last_fetch;
  gint64   last_caught_up_ms;
  gboolean in_isr;
  gboolean joining;           /* proposed for the ISR, answer pending */
} FollowerState;

#define HIGH_WATERMARK_CHECKPOINT_NAME "high-watermark"

struct _MrReplica
{
  gatomicrefcount  ref_count;
  char            *directory;
  char            *topic;
  gint32           partition;
  gint32           broker_id;
  MrPartitionLog  *log;

  GMutex           lock;
  MrLeaderEpochCache   *epochs;
  MrProducerStateTable *producers;
  GCond            high_watermark_changed;
  guint            n_high_watermark_waiters; /* on high_watermark_changed */
  gboolean         closed;
  gboolean         is_leader;
  gint32           leader_id;
  gint32           leader_epoch;
  gint32           partition_epoch;
  gint32           min_insync;
  gint64           high_watermark;
  GArray          *isr;               /* gint32 */
  GArray          *followers;         /* FollowerState */
  GQueue           pending;           /* PendingProduce, by required_offset */
  GPtrArray       *waiters;           /* MrFetchWaiter: multi-partition polls */
};

static void
add_completion (GArray               *completions,
                MrReplicaProduceDone  done,
                gpointer              user_data,
                MrKafkaError          error,
                gint64                base_offset,
                gint64                log_append_time,
                gint64                log_start_offset)
{
  MrReplicaCompletion completion = {
    done, user_data, error, base_offset, log_append_time, log_start_offset,
  };

  g_array_append_val (completions, completion);
}

static gboolean
array_contains (const GArray *array,
                gint32        value)
{
  for (guint i = 0; array != NULL && i < array->len; i++)
    if (g_array_index (array, gint32, i) == value)
      return TRUE;
  return FALSE;
}

static GArray *
copy_ids (const GArray *ids)
{
  GArray *copy = g_array_new (FALSE, FALSE, sizeof (gint32));

  if (ids != NULL)
    g_array_append_vals (copy, ids->data, ids->len);
  return copy;
}

static gint64
read_high_watermark (MrReplica *replica)
{
  g_autofree char *path = g_build_filename (replica->directory,
                                            HIGH_WATERMARK_CHECKPOINT_NAME,
                                            NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 start = mr_partition_log_get_log_start_offset (replica->log);
  gint64 end = mr_partition_log_get_log_end_offset (replica->log);
  gint64 offset = start;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      lines = g_strsplit (contents, "\n", 3);
      if (g_strv_length (lines) < 2 || g_strcmp0 (lines[0], "0") != 0
          || !g_ascii_string_to_signed (lines[1], 10, 0, G_MAXINT64, &offset,
                                        NULL))
        {
          g_debug ("Ignoring damaged “%s”", path);
          offset = start;
        }
    }

  return CLAMP (offset, start, end);
}

static void
write_high_watermark (MrReplica *replica)
{
  g_autofree char *path = g_build_filename (replica->directory,
                                            HIGH_WATERMARK_CHECKPOINT_NAME,
                                            NULL);
  g_autofree char *contents = g_strdup_printf ("0\n%" G_GINT64_FORMAT "\n",
                                               replica->high_watermark);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents, -1, &error))
    g_warning ("Could not write the high watermark of %s-%d: %s",
               replica->topic, replica->partition, error->message);
}

MrReplica *
mr_replica_open (const char         *directory,
                 const char         *topic,
                 gint32              partition,
                 gint32              broker_id,
                 const MrLogConfig  *config,
                 const MrLogIo      *io,
                 gint32              min_insync_replicas,
                 GError            **error)
{
  MrReplica *replica = NULL;
  MrPartitionLog *log = NULL;

  log = mr_partition_log_open (directory, config, io,
                               MR_LOG_OPEN_FLAGS_NONE, error);
  if (log == NULL)
    return NULL;

  replica = g_new0 (MrReplica, 1);
  replica->producers = mr_producer_state_table_new (
    MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);
  {
    g_autoptr(GError) epoch_error = NULL;

    replica->epochs = mr_leader_epoch_cache_open (directory, &epoch_error);
    if (replica->epochs == NULL)
      {
        /* A lost or damaged checkpoint: the batches carry their epochs. */
        g_warning ("%s; rebuilding it from the log", epoch_error->message);
        g_clear_error (&epoch_error);
        {
          g_autofree char *path = g_build_filename (
            directory, MR_LEADER_EPOCH_CHECKPOINT_FILE_NAME, NULL);

          g_unlink (path);
        }
        replica->epochs = mr_leader_epoch_cache_open (directory, &epoch_error);
        if (replica->epochs == NULL)
          {
            g_warning ("%s", epoch_error->message);
            g_clear_error (&epoch_error);
            replica->epochs = mr_leader_epoch_cache_new ();
          }
        if (!mr_leader_epoch_cache_rebuild (replica->epochs, log,
                                            &epoch_error))
          g_warning ("Could not rebuild the leader epochs of %s-%d: %s",
                     topic, partition, epoch_error->message);
      }
  }
  g_atomic_ref_count_init (&replica->ref_count);
  replica->topic = g_strdup (topic);
  replica->partition = partition;
  replica->broker_id = broker_id;
  replica->log = log;
  g_mutex_init (&replica->lock);
  g_cond_init (&replica->high_watermark_changed);
  replica->leader_id = -1;
  replica->leader_epoch = -1;
  replica->min_insync = MAX (min_insync_replicas, 1);
  replica->isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  replica->followers = g_array_new (FALSE, FALSE, sizeof (FollowerState));
  g_queue_init (&replica->pending);
  replica->waiters = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_fetch_waiter_unref);

  replica->directory = g_strdup (directory);
  replica->high_watermark = read_high_watermark (replica);

  return replica;
}

MrReplica *
mr_replica_ref (MrReplica *replica)
{
  g_atomic_ref_count_inc (&replica->ref_count);
  return replica;
}

void
mr_replica_unref (MrReplica *replica)
{
  if (!g_atomic_ref_count_dec (&replica->ref_count))
    return;

  g_assert (g_queue_is_empty (&replica->pending));
  mr_partition_log_unref (replica->log);
  mr_leader_epoch_cache_free (replica->epochs);
  g_free (replica->directory);
  mr_producer_state_table_free (replica->producers);
  g_array_unref (replica->isr);
  g_array_unref (replica->followers);
  g_mutex_clear (&replica->lock);
  g_cond_clear (&replica->high_watermark_changed);
  g_ptr_array_unref (replica->waiters);
  g_free (replica->topic);
  g_free (replica);
}

const char *
mr_replica_get_topic (MrReplica *replica)
{
  return replica->topic;
}

gint32
mr_replica_get_partition (MrReplica *replica)
{
  return replica->partition;
}

MrPartitionLog *
mr_replica_get_log (MrReplica *replica)
{
  return replica->log;
}

void
mr_replica_set_min_insync (MrReplica *replica,
                           gint32     min_insync_replicas)
{
  g_mutex_lock (&replica->lock);
  replica->min_insync = MAX (min_insync_replicas, 1);
  g_mutex_unlock (&replica->lock);
}

/* @locks lock held. Wakes whoever waits for this replica's high
 * watermark: single-partition reads on the condition, multi-partition
 * fetches through their waiters. */
static void
high_watermark_changed_locked (MrReplica *replica)
{
  /* A broadcast is a system call even with nobody waiting. */
  if (replica->n_high_watermark_waiters > 0)
    g_cond_broadcast (&replica->high_watermark_changed);
  for (guint i = 0; i < replica->waiters->len; i++)
    mr_fetch_waiter_notify (g_ptr_array_index (replica->waiters, i));
}

void
mr_replica_add_fetch_waiter (MrReplica     *replica,
                             MrFetchWaiter *waiter)
{
  g_mutex_lock (&replica->lock);
  g_ptr_array_add (replica->waiters, mr_fetch_waiter_ref (waiter));
  g_mutex_unlock (&replica->lock);
}

void
mr_replica_remove_fetch_waiter (MrReplica     *replica,
                                MrFetchWaiter *waiter)
{
  g_mutex_lock (&replica->lock);
  g_ptr_array_remove (replica->waiters, waiter);
  g_mutex_unlock (&replica->lock);
}

/* @locks lock held. */
static void
fail_pending_locked (MrReplica    *replica,
                     MrKafkaError  error,
                     GArray       *completions)
{
  PendingProduce *produce;

  while ((produce = g_queue_pop_head (&replica->pending)) != NULL)
    {
      add_completion (completions, produce->done, produce->user_data, error,
                      produce->base_offset, -1, -1);
      g_free (produce);
    }
  high_watermark_changed_locked (replica);
}

/* @locks lock held. Recomputes the high watermark and completes the
 * produces it releases. */
static void
advance_high_watermark_locked (MrReplica *replica,
                               GArray    *completions)
{
  gint64 candidate;
  gint64 log_start;
  PendingProduce *produce;

  if (!replica->is_leader || replica->isr->len < (guint)replica->min_insync)
    return;

  candidate = mr_partition_log_get_log_end_offset (replica->log);
  for (guint i = 0; i < replica->followers->len; i++)
    {
      FollowerState *follower = &g_array_index (replica->followers,
                                                FollowerState, i);

      if (follower->in_isr || follower->joining)
        candidate = MIN (candidate, follower->log_end_offset);
    }

  if (candidate <= replica->high_watermark)
    return;

  replica->high_watermark = candidate;
  high_watermark_changed_locked (replica);

  log_start = mr_partition_log_get_log_start_offset (replica->log);
  while ((produce = g_queue_peek_head (&replica->pending)) != NULL
         && produce->required_offset <= candidate)
    {
      g_queue_pop_head (&replica->pending);
      add_completion (completions, produce->done, produce->user_data,
                      MR_KAFKA_ERROR_NONE, produce->base_offset,
                      produce->log_append_time, log_start);
      g_free (produce);
    }
}

void
mr_replica_become_leader (MrReplica    *replica,
                          gint32        leader_epoch,
                          gint32        partition_epoch,
                          const GArray *isr,
                          const GArray *replicas,
                          gint64        now_ms,
                          GArray       *completions)
{
  g_mutex_lock (&replica->lock);

  /* A new epoch: whatever waited under the old one cannot be promised. */
  if (replica->leader_epoch != leader_epoch)
    fail_pending_locked (replica, MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER,
                         completions);

  if (!replica->is_leader || replica->leader_epoch != leader_epoch)
    {
      g_autoptr(GError) error = NULL;
      gint64 end = mr_partition_log_get_log_end_offset (replica->log);

      /* The epoch starts at the log end; the producers' windows come back
       * from the log, as after any leader change. */
      if (!mr_leader_epoch_cache_assign (replica->epochs, leader_epoch, end,
                                         &error)
          || !mr_producer_state_table_rebuild (
                replica->producers, replica->log,
                mr_partition_log_get_log_start_offset (replica->log),
                &error))
        g_warning ("%s-%d on broker %d: %s", replica->topic,
                   replica->partition, replica->broker_id, error->message);
    }

  replica->is_leader = TRUE;
  replica->leader_id = replica->broker_id;
  replica->leader_epoch = leader_epoch;
  replica->partition_epoch = partition_epoch;
  g_array_unref (replica->isr);
  replica->isr = copy_ids (isr);

  g_array_set_size (replica->followers, 0);
  for (guint i = 0; i < replicas->len; i++)
    {
      FollowerState follower = { 0, };

      follower.broker_id = g_array_index (replicas, gint32, i);
      if (follower.broker_id == replica->broker_id)
        continue;
      follower.in_isr = array_contains (isr, follower.broker_id);
      if (follower.in_isr)
        {
          /* An in-sync replica holds at least the high watermark (it is
           * the minimum over the ISR); it keeps its place until it proves
           * slow. */
          follower.log_end_offset = replica->high_watermark;
          follower.leader_end_at_last_fetch = replica->high_watermark;
          follower.last_caught_up_ms = now_ms;
        }
      else
        {
          /* Anyone else is unknown until it fetches, and joins only once
           * it has caught up: taking it in on trust would let an election
           * pick a replica that lacks committed records. */
          follower.log_end_offset = -1;
          follower.leader_end_at_last_fetch = mr_partition_log_get_log_end_offset (
            replica->log);
          follower.last_caught_up_ms = G_MININT64 / 2;
        }
      g_array_append_val (replica->followers, follower);
    }

  advance_high_watermark_locked (replica, completions);
  g_mutex_unlock (&replica->lock);
}

void
mr_replica_become_follower (MrReplica *replica,
                            gint32     leader_id,
                            gint32     leader_epoch,
                            gint32     partition_epoch,
                            GArray    *completions)
{
  g_mutex_lock (&replica->lock);
  fail_pending_locked (replica, MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER,
                       completions);
  replica->is_leader = FALSE;
  replica->leader_id = leader_id;
  replica->leader_epoch = leader_epoch;
  replica->partition_epoch = partition_epoch;
  g_array_set_size (replica->followers, 0);
  g_mutex_unlock (&replica->lock);
}

void
mr_replica_set_isr (MrReplica    *replica,
                    gint32        partition_epoch,
                    const GArray *isr,
                    GArray       *completions)
{
  g_mutex_lock (&replica->lock);
  replica->partition_epoch = partition_epoch;
  g_array_unref (replica->isr);
  replica->isr = copy_ids (isr);
  for (guint i = 0; i < replica->followers->len; i++)
    {
      FollowerState *follower = &g_array_index (replica->followers,
                                                FollowerState, i);

      follower->in_isr = array_contains (isr, follower->broker_id);
      follower->joining = FALSE;
    }

  /* Fewer in-sync replicas than promised: what waits for acks=all is in
   * the leader's log but cannot be acknowledged (Kafka's ambiguous
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND: it may still commit later). */
  if (replica->isr->len < (guint)replica->min_insync)
    fail_pending_locked (replica,
                         MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                         completions);

  /* A smaller ISR can release the high watermark. */
  advance_high_watermark_locked (replica, completions);
  g_mutex_unlock (&replica->lock);
}

static MrKafkaError
kafka_error_for_append (const GError *error)
{
  if (error->domain != MR_LOG_ERROR)
    return MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR;

  switch ((MrLogError)error->code)
    {
    case MR_LOG_ERROR_CORRUPT_BATCH:
      return MR_KAFKA_ERROR_CORRUPT_MESSAGE;
    case MR_LOG_ERROR_UNSUPPORTED_MAGIC:
      return MR_KAFKA_ERROR_UNSUPPORTED_FOR_MESSAGE_FORMAT;
    case MR_LOG_ERROR_BATCH_TOO_LARGE:
      return MR_KAFKA_ERROR_MESSAGE_TOO_LARGE;
    case MR_LOG_ERROR_INVALID_ARGUMENT:
      return MR_KAFKA_ERROR_INVALID_RECORD;
    case MR_LOG_ERROR_IO:
    case MR_LOG_ERROR_READ_ONLY:
      return MR_KAFKA_ERROR_KAFKA_STORAGE_ERROR;
    case MR_LOG_ERROR_CLOSED:
      return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
    case MR_LOG_ERROR_INVALID_CONFIG:
    case MR_LOG_ERROR_OFFSET_OUT_OF_RANGE:
    case MR_LOG_ERROR_COMPRESSION:
    default:
      return MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
    }
}

/* @locks lock held. Checks every batch of a produce against the producers'
 * windows. All duplicates: DUPLICATE_SEQUENCE_NUMBER with the offsets of
 * the whole retried range in @duplicate. */
static MrKafkaError
check_producers_locked (MrReplica            *replica,
                        const guint8         *batches,
                        gsize                 len,
                        MrProducerBatchInfo  *duplicate,
                        GError              **error)
{
  guint n_duplicates = 0;
  guint n_batches = 0;
  gsize at = 0;

  while (at < len)
    {
      MrRecordBatchHeader header;
      MrProducerBatchInfo match = { 0, };
      MrKafkaError code;

      /* Malformed batches are the log's to refuse, with its message. */
      if (!mr_record_batch_header_parse (batches + at, len - at, &header,
                                         NULL))
        return MR_KAFKA_ERROR_NONE;

      code = mr_producer_state_table_check (replica->producers, &header,
                                            &match);
      if (code == MR_KAFKA_ERROR_DUPLICATE_SEQUENCE_NUMBER)
        {
          if (n_duplicates == 0)
            *duplicate = match;
          else
            duplicate->last_offset = match.last_offset;
          n_duplicates++;
        }
      else if (code != MR_KAFKA_ERROR_NONE)
        {
          g_set_error (error, MR_KAFKA_ERROR, code,
                       "Producer %" G_GINT64_FORMAT " (epoch %d) sent "
                       "sequence %d to %s-%d: %s", header.producer_id,
                       header.producer_epoch, header.base_sequence,
                       replica->topic, replica->partition,
                       mr_kafka_error_to_string (code));
          return code;
        }
      n_batches++;
      at += mr_record_batch_header_get_size (&header);
    }

  if (n_duplicates == 0)
    return MR_KAFKA_ERROR_NONE;
  if (n_duplicates == n_batches)
    return MR_KAFKA_ERROR_DUPLICATE_SEQUENCE_NUMBER;

  g_set_error (error, MR_KAFKA_ERROR,
               MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER,
               "A produce to %s-%d mixes retried and new batches",
               replica->topic, replica->partition);
  return MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

/* @locks lock held. @batches now carry their assigned offsets. */
static void
update_producers_locked (MrReplica    *replica,
                         const guint8 *batches,
                         gsize         len)
{
  gsize at = 0;

  while (at < len)
    {
      MrRecordBatchHeader header;

      if (!mr_record_batch_header_parse (batches + at, len - at, &header,
                                         NULL))
        break;
      mr_producer_state_table_update (replica->producers, &header);
      at += mr_record_batch_header_get_size (&header);
    }
}

/* @locks lock held. A follower learns each new epoch from the batches its
 * leader stamped. */
static void
assign_epochs_locked (MrReplica    *replica,
                      const guint8 *batches,
                      gsize         len)
{
  gsize at = 0;

  while (at < len)
    {
      g_autoptr(GError) error = NULL;
      MrRecordBatchHeader header;

      if (!mr_record_batch_header_parse (batches + at, len - at, &header,
                                         NULL))
        break;
      if (header.partition_leader_epoch
          > mr_leader_epoch_cache_get_latest_epoch (replica->epochs)
          && !mr_leader_epoch_cache_assign (replica->epochs,
                                            header.partition_leader_epoch,
                                            header.base_offset, &error))
        g_warning ("%s-%d on broker %d: %s", replica->topic,
                   replica->partition, replica->broker_id, error->message);
      at += mr_record_batch_header_get_size (&header);
    }
}

MrKafkaError
mr_replica_produce (MrReplica            *replica,
                    guint8               *batches,
                    gsize                 len,
                    gint16                acks,
                    gint64                deadline,
                    MrReplicaProduceDone  done,
                    gpointer              user_data,
                    gboolean             *pending,
                    gint64               *base_offset,
                    gint64               *log_append_time,
                    GError              **error)
{
  g_autoptr(GArray) completions = mr_replica_completions_new ();
  g_autoptr(GError) append_error = NULL;
  MrAppendInfo info;
  MrProducerBatchInfo duplicate = { 0, };
  PendingProduce *produce = NULL;
  MrKafkaError result = MR_KAFKA_ERROR_NONE;

  *pending = FALSE;
  *base_offset = -1;
  *log_append_time = -1;

  if (acks != 0 && acks != 1 && acks != -1)
    {
      g_set_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_INVALID_REQUIRED_ACKS,
                   "acks must be 0, 1 or -1 (all), not %d", acks);
      return MR_KAFKA_ERROR_INVALID_REQUIRED_ACKS;
    }

  g_mutex_lock (&replica->lock);

  if (replica->closed || !replica->is_leader)
    {
      result = MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
      g_set_error (error, MR_KAFKA_ERROR, result,
                   "Broker %d does not lead %s-%d", replica->broker_id,
                   replica->topic, replica->partition);
      goto out;
    }

  if (acks == -1 && replica->isr->len < (guint)replica->min_insync)
    {
      result = MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS;
      g_set_error (error, MR_KAFKA_ERROR, result,
                   "%s-%d has %u in-sync replicas, fewer than "
                   "min.insync.replicas (%d)", replica->topic,
                   replica->partition, replica->isr->len,
                   replica->min_insync);
      goto out;
    }

  result = check_producers_locked (replica, batches, len, &duplicate, error);
  if (result == MR_KAFKA_ERROR_DUPLICATE_SEQUENCE_NUMBER)
    {
      /* A retry of batches already in the log: the original offsets, once
       * they are as committed as acks asks. */
      result = MR_KAFKA_ERROR_NONE;
      info.first_offset = duplicate.first_offset;
      info.last_offset = duplicate.last_offset;
      info.log_append_time = -1;
      goto appended;
    }
  if (result != MR_KAFKA_ERROR_NONE)
    goto out;

  if (!mr_partition_log_append (replica->log, batches, len,
                                replica->leader_epoch,
                                MR_APPEND_FLAGS_ASSIGN_OFFSETS, &info,
                                &append_error))
    {
      result = kafka_error_for_append (append_error);
      g_set_error (error, MR_KAFKA_ERROR, result, "%s",
                   append_error->message);
      goto out;
    }
  update_producers_locked (replica, batches, len);

appended:
  *base_offset = info.first_offset;
  *log_append_time = info.log_append_time;

  advance_high_watermark_locked (replica, completions);

  if (acks == -1 && replica->high_watermark <= info.last_offset)
    {
      produce = g_new0 (PendingProduce, 1);
      produce->required_offset = info.last_offset + 1;
      produce->deadline = deadline;
      produce->base_offset = info.first_offset;
      produce->log_append_time = info.log_append_time;
      produce->done = done;
      produce->user_data = user_data;
      /* Appends are in offset order, so the queue stays sorted. */
      g_queue_push_tail (&replica->pending, produce);
      *pending = TRUE;
    }

out:
  g_mutex_unlock (&replica->lock);
  mr_replica_run_completions (completions);
  return result;
}

MrKafkaError
mr_replica_serve_follower (MrReplica  *replica,
                           gint32      follower_id,
                           gint32      follower_epoch,
                           gint64      fetch_offset,
                           gsize       max_bytes,
                           gint64      now_ms,
                           GBytes    **records,
                           gint64     *high_watermark,
                           gint64     *log_start_offset,
                           GArray     *completions)
{
  g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
  FollowerState *follower = NULL;
  gint64 log_end;

  *records = NULL;

  g_mutex_lock (&replica->lock);
  *high_watermark = replica->high_watermark;
  *log_start_offset = mr_partition_log_get_log_start_offset (replica->log);

  if (replica->closed || !replica->is_leader)
    {
      g_mutex_unlock (&replica->lock);
      return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
    }
  if (follower_epoch < replica->leader_epoch)
    {
      g_mutex_unlock (&replica->lock);
      return MR_KAFKA_ERROR_FENCED_LEADER_EPOCH;
    }
  if (follower_epoch > replica->leader_epoch)
    {
      g_mutex_unlock (&replica->lock);
      return MR_KAFKA_ERROR_UNKNOWN_LEADER_EPOCH;
    }

  for (guint i = 0; i < replica->followers->len && follower == NULL; i++)
    if (g_array_index (replica->followers, FollowerState, i).broker_id
        == follower_id)
      follower = &g_array_index (replica->followers, FollowerState, i);

  log_end = mr_partition_log_get_log_end_offset (replica->log);
  if (follower == NULL)
    {
      g_mutex_unlock (&replica->lock);
      return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
    }
  if (fetch_offset > log_end || fetch_offset < *log_start_offset)
    {
      g_mutex_unlock (&replica->lock);
      return MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE;
    }

  if (fetch_offset >= follower->leader_end_at_last_fetch)
    follower->last_caught_up_ms = now_ms;
  follower->leader_end_at_last_fetch = log_end;
  follower->log_end_offset = fetch_offset;

  advance_high_watermark_locked (replica, completions);
  *high_watermark = replica->high_watermark;
  g_mutex_unlock (&replica->lock);

  /* The copy runs without the replica's lock; the log has its own. */
  if (fetch_offset < log_end)
    {
      g_autoptr(GError) error = NULL;

      if (!mr_partition_log_read (replica->log, fetch_offset, max_bytes, -1,
                                  &slice, &error))
        {
          g_debug ("Serving %s-%d to broker %d: %s", replica->topic,
                   replica->partition, follower_id, error->message);
          return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
        }
      if (slice.length > 0)
        {
          *records = mr_log_slice_read_bytes (&slice, &error);
          if (*records == NULL)
            return MR_KAFKA_ERROR_KAFKA_STORAGE_ERROR;
        }
    }

  return MR_KAFKA_ERROR_NONE;
}

gboolean
mr_replica_append_from_leader (MrReplica  *replica,
                               GBytes     *records,
                               gint64      leader_high_watermark,
                               GError    **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&replica->lock);
  if (replica->is_leader || replica->closed)
    {
      g_mutex_unlock (&replica->lock);
      g_set_error (error, MR_KAFKA_ERROR,
                   MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER,
                   "Broker %d no longer follows %s-%d", replica->broker_id,
                   replica->topic, replica->partition);
      return FALSE;
    }

  if (records != NULL && g_bytes_get_size (records) > 0)
    {
      gsize len = 0;
      g_autofree guint8 *data = g_bytes_unref_to_data (g_bytes_ref (records),
                                                       &len);

      /* In-process copies of batches the leader checked. */
      ok = mr_partition_log_append (replica->log, data, len, -1,
                                    MR_APPEND_FLAGS_TRUSTED, NULL, error);
      if (ok)
        assign_epochs_locked (replica, data, len);
    }

  if (ok)
    {
      gint64 end = mr_partition_log_get_log_end_offset (replica->log);

      replica->high_watermark = MAX (replica->high_watermark,
                                     MIN (leader_high_watermark, end));
    }
  g_mutex_unlock (&replica->lock);

  return ok;
}

MrKafkaError
mr_replica_read (MrReplica  *replica,
                 gint64      offset,
                 gsize       max_bytes,
                 guint       max_wait_ms,
                 gint32      current_leader_epoch,
                 GBytes    **records,
                 gint64     *high_watermark,
                 gint64     *log_start_offset)
{
  g_auto(MrLogSlice) slice = MR_LOG_SLICE_INIT;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64)max_wait_ms * G_TIME_SPAN_MILLISECOND;
  gboolean woken;
  gint64 high;

  *records = NULL;

  g_mutex_lock (&replica->lock);
  for (;;)
    {
      gint64 start = mr_partition_log_get_log_start_offset (replica->log);
      gint64 end = mr_partition_log_get_log_end_offset (replica->log);

      *high_watermark = replica->high_watermark;
      *log_start_offset = start;

      if (replica->closed || !replica->is_leader)
        {
          g_mutex_unlock (&replica->lock);
          return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
        }
      if (current_leader_epoch >= 0
          && current_leader_epoch != replica->leader_epoch)
        {
          g_mutex_unlock (&replica->lock);
          return current_leader_epoch < replica->leader_epoch
                   ? MR_KAFKA_ERROR_FENCED_LEADER_EPOCH
                   : MR_KAFKA_ERROR_UNKNOWN_LEADER_EPOCH;
        }
      if (offset < start || offset > end)
        {
          g_mutex_unlock (&replica->lock);
          return MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE;
        }
      if (offset < replica->high_watermark)
        break;
      replica->n_high_watermark_waiters++;
      woken = g_cond_wait_until (&replica->high_watermark_changed,
                                 &replica->lock, deadline);
      replica->n_high_watermark_waiters--;
      if (!woken)
        {
          g_mutex_unlock (&replica->lock);
          return MR_KAFKA_ERROR_NONE;
        }
    }
  high = replica->high_watermark;
  g_mutex_unlock (&replica->lock);

  if (!mr_partition_log_read (replica->log, offset, max_bytes, high, &slice,
                              &error))
    return g_error_matches (error, MR_LOG_ERROR,
                            MR_LOG_ERROR_OFFSET_OUT_OF_RANGE)
             ? MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE
             : MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;

  if (slice.length > 0)
    {
      *records = mr_log_slice_read_bytes (&slice, &error);
      if (*records == NULL)
        return MR_KAFKA_ERROR_KAFKA_STORAGE_ERROR;
    }

  return MR_KAFKA_ERROR_NONE;
}

GArray *
mr_replica_propose_isr (MrReplica *replica,
                        gint64     now_ms,
                        gint64     lag_max_ms,
                        gint32    *partition_epoch)
{
  g_autoptr(GArray) proposal = g_array_new (FALSE, FALSE, sizeof (gint32));
  gboolean changed = FALSE;

  g_mutex_lock (&replica->lock);
  if (!replica->is_leader || replica->closed)
    {
      g_mutex_unlock (&replica->lock);
      return NULL;
    }

  g_array_append_val (proposal, replica->broker_id);
  for (guint i = 0; i < replica->followers->len; i++)
    {
      FollowerState *follower = &g_array_index (replica->followers,
                                                FollowerState, i);
      gboolean keep;

      if (follower->in_isr)
        keep = now_ms - follower->last_caught_up_ms <= lag_max_ms;
      else
        keep = follower->log_end_offset >= 0
               && follower->log_end_offset >= replica->high_watermark
               && now_ms - follower->last_caught_up_ms <= lag_max_ms;

      if (keep)
        g_array_append_val (proposal, follower->broker_id);
      if (keep != follower->in_isr)
        changed = TRUE;
      /* Maximal ISR: from now on the high watermark waits for it. */
      if (keep && !follower->in_isr)
        follower->joining = TRUE;
    }
  if (!array_contains (replica->isr, replica->broker_id))
    changed = TRUE;

  *partition_epoch = replica->partition_epoch;
  g_mutex_unlock (&replica->lock);

  return changed ? g_steal_pointer (&proposal) : NULL;
}

void
mr_replica_cancel_isr_proposal (MrReplica *replica)
{
  g_autoptr(GArray) completions = mr_replica_completions_new ();

  g_mutex_lock (&replica->lock);
  for (guint i = 0; i < replica->followers->len; i++)
    g_array_index (replica->followers, FollowerState, i).joining = FALSE;
  advance_high_watermark_locked (replica, completions);
  g_mutex_unlock (&replica->lock);

  mr_replica_run_completions (completions);
}

gboolean
mr_replica_truncate (MrReplica  *replica,
                     gint64      offset,
                     gint64     *truncated_from,
                     GError    **error)
{
  gint64 new_end = 0;
  gboolean ok;

  g_mutex_lock (&replica->lock);
  *truncated_from = mr_partition_log_get_log_end_offset (replica->log);
  ok = mr_partition_log_truncate_to (replica->log, offset, &new_end, error)
       && mr_leader_epoch_cache_truncate_from_end (replica->epochs, new_end,
                                                   error);
  if (ok)
    replica->high_watermark = MIN (replica->high_watermark, new_end);
  g_mutex_unlock (&replica->lock);

  return ok;
}

gint32
mr_replica_get_latest_epoch (MrReplica *replica)
{
  gint32 epoch;

  g_mutex_lock (&replica->lock);
  epoch = mr_leader_epoch_cache_get_latest_epoch (replica->epochs);
  g_mutex_unlock (&replica->lock);

  return epoch;
}

void
mr_replica_end_offset_for_epoch (MrReplica *replica,
                                 gint32     requested_epoch,
                                 gint32    *epoch,
                                 gint64    *end_offset)
{
  g_mutex_lock (&replica->lock);
  mr_leader_epoch_cache_end_offset_for_epoch (
    replica->epochs, requested_epoch,
    mr_partition_log_get_log_end_offset (replica->log), epoch, end_offset);
  g_mutex_unlock (&replica->lock);
}

MrKafkaError
mr_replica_leader_end_offset_for_epoch (MrReplica *replica,
                                        gint32     current_leader_epoch,
                                        gint32     requested_epoch,
                                        gint32    *epoch,
                                        gint64    *end_offset)
{
  MrKafkaError code = MR_KAFKA_ERROR_NONE;

  *epoch = MR_LEADER_EPOCH_UNDEFINED;
  *end_offset = MR_LEADER_EPOCH_OFFSET_UNDEFINED;

  g_mutex_lock (&replica->lock);
  if (replica->closed || !replica->is_leader)
    code = MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
  else if (current_leader_epoch >= 0
           && current_leader_epoch < replica->leader_epoch)
    code = MR_KAFKA_ERROR_FENCED_LEADER_EPOCH;
  else if (current_leader_epoch > replica->leader_epoch)
    code = MR_KAFKA_ERROR_UNKNOWN_LEADER_EPOCH;
  else
    mr_leader_epoch_cache_end_offset_for_epoch (
      replica->epochs, requested_epoch,
      mr_partition_log_get_log_end_offset (replica->log), epoch, end_offset);
  g_mutex_unlock (&replica->lock);

  return code;
}

gint64
mr_replica_truncation_offset (MrReplica *replica,
                              gint32     leader_epoch,
                              gint64     leader_end_offset,
                              gboolean  *completed)
{
  gint64 offset;

  g_mutex_lock (&replica->lock);
  offset = mr_leader_epoch_cache_follower_truncation_offset (
    replica->epochs, leader_epoch, leader_end_offset,
    mr_partition_log_get_log_end_offset (replica->log), completed);
  g_mutex_unlock (&replica->lock);

  return offset;
}

gboolean
mr_replica_reset_to (MrReplica  *replica,
                     gint64      offset,
                     GError    **error)
{
  gboolean ok;

  g_mutex_lock (&replica->lock);
  ok = mr_partition_log_truncate_fully_and_start_at (replica->log, offset,
                                                     error)
       && mr_leader_epoch_cache_clear (replica->epochs, error);
  if (ok)
    replica->high_watermark = offset;
  g_mutex_unlock (&replica->lock);

  return ok;
}

gboolean
mr_replica_delete_records (MrReplica  *replica,
                           gint64      offset,
                           GError    **error)
{
  gboolean ok;

  g_mutex_lock (&replica->lock);
  ok = mr_partition_log_delete_records_before (replica->log, offset, error)
       && mr_leader_epoch_cache_truncate_from_start (
            replica->epochs,
            mr_partition_log_get_log_start_offset (replica->log), error);
  if (ok)
    replica->high_watermark = MAX (replica->high_watermark,
                                   mr_partition_log_get_log_start_offset (
                                     replica->log));
  g_mutex_unlock (&replica->lock);

  return ok;
}

void
mr_replica_snapshot (MrReplica         *replica,
                     MrReplicaSnapshot *snapshot)
{
  g_mutex_lock (&replica->lock);
  snapshot->is_leader = replica->is_leader;
  snapshot->leader_id = replica->leader_id;
  snapshot->leader_epoch = replica->leader_epoch;
  snapshot->partition_epoch = replica->partition_epoch;
  snapshot->log_start_offset = mr_partition_log_get_log_start_offset (
    replica->log);
  snapshot->log_end_offset = mr_partition_log_get_log_end_offset (
    replica->log);
  snapshot->high_watermark = replica->high_watermark;
  snapshot->isr = copy_ids (replica->isr);
  snapshot->followers = g_array_new (FALSE, FALSE,
                                     sizeof (MrReplicaFollowerState));
  for (guint i = 0; i < replica->followers->len; i++)
    {
      FollowerState *follower = &g_array_index (replica->followers,
                                                FollowerState, i);
      MrReplicaFollowerState state = {
        follower->broker_id, follower->log_end_offset,
        follower->last_caught_up_ms, follower->in_isr,
      };

      g_array_append_val (snapshot->followers, state);
    }
  g_mutex_unlock (&replica->lock);
}

void
mr_replica_snapshot_clear (MrReplicaSnapshot *snapshot)
{
  g_clear_pointer (&snapshot->isr, g_array_unref);
  g_clear_pointer (&snapshot->followers, g_array_unref);
}

void
mr_replica_fail_pending (MrReplica    *replica,
                         MrKafkaError  error,
                         GArray       *completions)
{
  g_mutex_lock (&replica->lock);
  fail_pending_locked (replica, error, completions);
  g_mutex_unlock (&replica->lock);
}

gboolean
mr_replica_expire_pending (MrReplica *replica,
                           gint64     now_monotonic,
                           GArray    *completions)
{
  gboolean waiting;
  GList *link;

  g_mutex_lock (&replica->lock);
  link = replica->pending.head;
  while (link != NULL)
    {
      GList *next = link->next;
      PendingProduce *produce = link->data;

      if (produce->deadline > 0 && produce->deadline <= now_monotonic)
        {
          g_queue_delete_link (&replica->pending, link);
          add_completion (completions, produce->done, produce->user_data,
                          MR_KAFKA_ERROR_REQUEST_TIMED_OUT,
                          produce->base_offset, -1, -1);
          g_free (produce);
        }
      link = next;
    }
  waiting = !g_queue_is_empty (&replica->pending);
  g_mutex_unlock (&replica->lock);

  return waiting;
}

void
mr_replica_close (MrReplica *replica,
                  gboolean   crash,
                  gboolean   power_loss,
                  GArray    *completions)
{
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&replica->lock);
  if (replica->closed)
    {
      g_mutex_unlock (&replica->lock);
      return;
    }
  replica->closed = TRUE;
  replica->is_leader = FALSE;
  fail_pending_locked (replica, MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER,
                       completions);

  if (!crash)
    {
      write_high_watermark (replica);
      mr_partition_log_close (replica->log, &error);
    }
  else if (power_loss)
    mr_partition_log_simulate_power_loss (replica->log, &error);
  if (error != NULL)
    g_warning ("Closing %s-%d on broker %d: %s", replica->topic,
               replica->partition, replica->broker_id, error->message);
  g_mutex_unlock (&replica->lock);
}

GArray *
mr_replica_completions_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (MrReplicaCompletion));
}

void
mr_replica_run_completions (GArray *completions)
{
  for (guint i = 0; i < completions->len; i++)
    {
      MrReplicaCompletion *completion = &g_array_index (completions,
                                                        MrReplicaCompletion,
                                                        i);

      if (completion->done != NULL)
        completion->done (completion->error, completion->base_offset,
                          completion->log_append_time,
                          completion->log_start_offset,
                          completion->user_data);
    }
  g_array_set_size (completions, 0);
}

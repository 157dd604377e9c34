/* mr-group-coordinator.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The group coordinators.
 *
 * Placement. A group belongs to the __consumer_offsets partition
 * abs(javaHash(group id)) % partitions, and its coordinator is whichever
 * broker leads that partition: the coordinator role moves with the
 * partition's leadership, as in Kafka. This object holds, for each
 * offsets partition, which broker loaded it and at which leader epoch,
 * and the groups of every loaded partition.
 *
 * Loading. The first request for a group whose partition is not loaded
 * by its current leader at its current epoch (a new leader) unloads what
 * an older leadership left, then reads the partition's log on the leader
 * from its start to the high watermark and replays every record (see
 * mr-group-offsets-codec.c): offsets come back, and groups as their last
 * metadata record left them (a Stable group with its members and their
 * assignments, whose consumers then go on without a rebalance). Until the new leader's high watermark has
 * caught up with its log end, requests answer
 * COORDINATOR_LOAD_IN_PROGRESS and clients retry.
 *
 * Unloading. A ticker thread polls the leadership of every loaded
 * partition (cheap: one lookup under the cluster lock) every 50 ms; when
 * it moved (an election, a crash, a controlled shutdown) the partition's
 * groups are dropped and their parked JoinGroup and SyncGroup requests
 * answer NOT_COORDINATOR, so clients look the coordinator up again. The
 * same thread runs the groups' timers: sessions, join deadlines, the
 * initial rebalance delay.
 *
 * Writes. Offset commits and group metadata go through the cluster's
 * ordinary produce path into the group's offsets partition on the
 * coordinator broker, with acks=all; a commit is applied to memory and
 * answered only once it is replicated, so an acknowledged commit survives
 * the coordinator's broker. Metadata writes after a rebalance do not hold
 * up the members.
 *
 * Lag. A second thread samples every group's lag once a second into
 * the lag sampler (mr-lag-sampler.c), reading the logs outside the lock.
 *
 * @locks lock protects loads, groups and running. It is taken before the
 * cluster's lock (via the leader lookup and the replica reads) and never
 * held across a produce or while running completions. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-group-coordinator.h"

#include <string.h>

#include "mr-cluster-private.h"
#include "mr-group-member.h"
#include "mr-lag-sampler.h"
#include "mr-record-batch.h"
#include "mr-record-batch-builder.h"

#define TICK_US (50 * G_TIME_SPAN_MILLISECOND)
#define WRITE_TIMEOUT_MS 5000

typedef struct
{
  gint32 broker_id;               /* -1: not loaded */
  gint32 leader_epoch;
} PartitionLoad;

struct _MrGroupCoordinator
{
  MrCluster     *cluster;         /* not owned: the cluster owns us */
  GMutex         lock;
  GCond          wake;
  gint32         n_partitions;
  guint          initial_delay_ms;
  PartitionLoad *loads;
  GHashTable    *groups;          /* id → MrConsumerGroup */
  GThread       *ticker;
  gboolean       running;
  gboolean       quit;

  /* The lag sampler's thread waits on wake too. */
  MrLagSampler  *sampler;
  GThread       *sampling;

  /* In-process members (MrGroupMember). @locks members_lock. */
  GMutex         members_lock;
  GPtrArray     *local_members;
};

typedef struct
{
  gint32          broker_id;
  gint32          partition;
  GBytes         *batch;         /* NULL: nothing to write */
  MrClusterEvent *event;         /* a rebalance for the timeline, or NULL */
} PendingWrite;

/* ---------------------------------------------------------------------- */

MrGroupOffsetEntry *
mr_group_offset_entry_new (const char *topic,
                           gint32      partition,
                           gint64      offset)
{
  MrGroupOffsetEntry *entry = g_new0 (MrGroupOffsetEntry, 1);

  entry->topic = g_strdup (topic);
  entry->partition = partition;
  entry->offset = offset;
  entry->leader_epoch = -1;
  return entry;
}

void
mr_group_offset_entry_free (MrGroupOffsetEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->topic);
  g_free (entry->metadata);
  g_free (entry);
}

void
mr_group_listing_free (MrGroupListing *listing)
{
  if (listing == NULL)
    return;
  g_free (listing->group_id);
  g_free (listing->protocol_type);
  g_free (listing);
}

static void
pending_write_free (PendingWrite *write)
{
  g_clear_pointer (&write->batch, g_bytes_unref);
  g_clear_pointer (&write->event, mr_cluster_event_unref);
  g_free (write);
}

static GPtrArray *
writes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)pending_write_free);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* A batch of records keyed and valued as the codec says; a NULL value is
 * a tombstone. */
static GBytes *
build_batch (GPtrArray *keys,
             GPtrArray *values)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  gint64 timestamp = now_ms ();

  builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
  for (guint i = 0; i < keys->len; i++)
    {
      GBytes *key = g_ptr_array_index (keys, i);
      GBytes *value = g_ptr_array_index (values, i);
      gsize key_len = 0;
      gsize value_len = 0;
      const guint8 *k = g_bytes_get_data (key, &key_len);
      const guint8 *v = value != NULL ? g_bytes_get_data (value, &value_len)
                                      : NULL;

      mr_record_batch_builder_add (builder, timestamp, k, (gssize)key_len,
                                   v, value != NULL ? (gssize)value_len : -1,
                                   NULL, 0);
    }
  return mr_record_batch_builder_finish (builder, NULL);
}

static GPtrArray *
bytes_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
}

/* Tombstone values are NULL entries: free them with care. */
static void
maybe_bytes_unref (gpointer data)
{
  if (data != NULL)
    g_bytes_unref (data);
}

static GBytes *
group_metadata_batch (MrConsumerGroup *group)
{
  g_auto(MrGroupMetadataRecord) record = { 0 };
  g_autoptr(GPtrArray) keys = bytes_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (maybe_bytes_unref);

  mr_consumer_group_to_record (group, &record);
  g_ptr_array_add (keys, mr_group_offsets_encode_group_key (
                           mr_consumer_group_get_id (group)));
  g_ptr_array_add (values, mr_group_offsets_encode_group_value (&record));
  return build_batch (keys, values);
}

/* ---------------------------------------------------------------------- */
/* Loading and unloading. @locks lock held.                               */

static gint32
partition_of (MrGroupCoordinator *self,
              const char         *group_id)
{
  return mr_group_offsets_partition_for (group_id, self->n_partitions);
}

static MrConsumerGroup *
get_group_locked (MrGroupCoordinator *self,
                  const char         *group_id,
                  gboolean            create)
{
  MrConsumerGroup *group = g_hash_table_lookup (self->groups, group_id);

  if (group == NULL && create)
    {
      group = mr_consumer_group_new (group_id, self->initial_delay_ms);
      g_hash_table_insert (self->groups,
                           (char *)mr_consumer_group_get_id (group), group);
    }
  return group;
}

static void
unload_locked (MrGroupCoordinator *self,
               gint32              partition,
               MrKafkaError        error,
               GPtrArray          *completions)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrConsumerGroup *group = value;

      if (partition_of (self, mr_consumer_group_get_id (group)) != partition)
        continue;
      mr_consumer_group_shutdown (group, error, completions);
      g_hash_table_iter_remove (&iter);
    }
  if (self->loads[partition].broker_id >= 0)
    g_debug ("Offsets partition %d unloaded from broker %d", partition,
             self->loads[partition].broker_id);
  self->loads[partition].broker_id = -1;
  self->loads[partition].leader_epoch = -1;
}

typedef struct
{
  MrGroupCoordinator *self;
  guint               n_records;
} LoadState;

static gboolean
load_record_cb (const MrRecordBatchHeader *batch,
                const MrRecord            *record,
                gpointer                   user_data)
{
  LoadState *state = user_data;
  MrGroupCoordinator *self = state->self;
  g_autofree char *group_id = NULL;
  g_autofree char *topic = NULL;
  gint32 partition = -1;
  MrGroupOffsetsRecordType type;
  MrConsumerGroup *group;

  if (record->key == NULL || record->key_len < 0)
    return TRUE;
  type = mr_group_offsets_decode_key (record->key, (gsize)record->key_len,
                                      &group_id, &topic, &partition);
  state->n_records++;
  if (type == MR_GROUP_OFFSETS_RECORD_OFFSET)
    {
      g_auto(MrGroupCommittedOffset) offset = { 0 };

      if (record->value == NULL || record->value_len < 0)
        {
          group = get_group_locked (self, group_id, FALSE);
          if (group != NULL)
            mr_consumer_group_remove_offset (group, topic, partition);
          return TRUE;
        }
      if (!mr_group_offsets_decode_offset_value (record->value,
                                                 (gsize)record->value_len,
                                                 &offset))
        {
          g_warning ("Skipping a malformed offset commit at offset %"
                     G_GINT64_FORMAT " of __consumer_offsets", record->offset);
          return TRUE;
        }
      group = get_group_locked (self, group_id, TRUE);
      mr_consumer_group_set_offset (group, topic, partition, &offset);
    }
  else if (type == MR_GROUP_OFFSETS_RECORD_GROUP)
    {
      g_auto(MrGroupMetadataRecord) metadata = { 0 };

      if (record->value == NULL || record->value_len < 0)
        {
          g_hash_table_remove (self->groups, group_id);
          return TRUE;
        }
      if (!mr_group_offsets_decode_group_value (record->value,
                                                (gsize)record->value_len,
                                                &metadata))
        {
          g_warning ("Skipping a malformed group record at offset %"
                     G_GINT64_FORMAT " of __consumer_offsets", record->offset);
          return TRUE;
        }
      group = get_group_locked (self, group_id, TRUE);
      mr_consumer_group_load_record (group, &metadata,
                                     g_get_monotonic_time ());
    }
  return TRUE;
}

static MrKafkaError
load_locked (MrGroupCoordinator *self,
             gint32              partition,
             gint32              leader,
             gint32              leader_epoch)
{
  g_autoptr(MrReplica) replica = NULL;
  MrReplicaSnapshot snapshot;
  LoadState state = { self, 0 };
  gint64 offset;
  gint64 high_watermark;
  gboolean ready;

  replica = mr_cluster_lookup_replica (self->cluster, leader,
                                       MR_GROUP_OFFSETS_TOPIC, partition);
  if (replica == NULL)
    return MR_KAFKA_ERROR_COORDINATOR_LOAD_IN_PROGRESS;
  mr_replica_snapshot (replica, &snapshot);
  ready = snapshot.is_leader && snapshot.leader_epoch == leader_epoch &&
          snapshot.high_watermark >= snapshot.log_end_offset;
  offset = snapshot.log_start_offset;
  high_watermark = snapshot.high_watermark;
  mr_replica_snapshot_clear (&snapshot);
  if (!ready)
    return MR_KAFKA_ERROR_COORDINATOR_LOAD_IN_PROGRESS;

  while (offset < high_watermark)
    {
      g_auto(MrFetchResult) result = { 0 };
      MrBatchCursor cursor;
      MrRecordBatchHeader header;
      const guint8 *batch;
      gsize size;
      gint64 next = offset;

      mr_cluster_fetch (self->cluster, leader, MR_GROUP_OFFSETS_TOPIC,
                        partition, offset, 1 << 20, 0, -1, &result);
      if (result.error != MR_KAFKA_ERROR_NONE)
        {
          g_debug ("Loading offsets partition %d: %s", partition,
                   mr_kafka_error_to_string (result.error));
          return MR_KAFKA_ERROR_COORDINATOR_LOAD_IN_PROGRESS;
        }
      if (result.records == NULL)
        break;
      mr_batch_cursor_init (&cursor, result.records);
      while (mr_batch_cursor_next (&cursor, &header, &batch, &size))
        {
          if (mr_record_batch_header_get_last_offset (&header) >= offset)
            mr_record_batch_foreach_record (batch, size, load_record_cb,
                                            &state, NULL);
          next = mr_record_batch_header_get_last_offset (&header) + 1;
        }
      if (next <= offset)
        break;
      offset = next;
    }

  self->loads[partition].broker_id = leader;
  self->loads[partition].leader_epoch = leader_epoch;
  g_debug ("Offsets partition %d loaded on broker %d (epoch %d, %u records)",
           partition, leader, leader_epoch, state.n_records);
  return MR_KAFKA_ERROR_NONE;
}

/* Makes the offsets partition's groups those of @leader at @epoch: when
 * another broker or an older epoch loaded it, unloads it (its parked
 * requests get NOT_COORDINATOR) and loads it again from the log; a failed
 * load leaves it unloaded. @locks lock held. */
static MrKafkaError
reload_if_moved_locked (MrGroupCoordinator *self,
                        gint32              partition,
                        gint32              leader,
                        gint32              epoch,
                        GPtrArray          *completions)
{
  MrKafkaError error;

  if (self->loads[partition].broker_id == leader &&
      self->loads[partition].leader_epoch == epoch)
    return MR_KAFKA_ERROR_NONE;
  unload_locked (self, partition, MR_KAFKA_ERROR_NOT_COORDINATOR,
                 completions);
  error = load_locked (self, partition, leader, epoch);
  if (error != MR_KAFKA_ERROR_NONE)
    unload_locked (self, partition, MR_KAFKA_ERROR_NOT_COORDINATOR,
                   completions);
  return error;
}

/* Finds the group's coordinator and makes sure it has the partition
 * loaded. @locks lock held. */
static MrKafkaError
route_locked (MrGroupCoordinator *self,
              gint32              via_broker,
              const char         *group_id,
              gint32             *partition_out,
              gint32             *broker_out,
              GPtrArray          *completions)
{
  gint32 partition;
  gint32 leader;
  gint32 epoch = -1;
  MrKafkaError error;

  if (group_id == NULL || group_id[0] == '\0')
    return MR_KAFKA_ERROR_INVALID_GROUP_ID;
  if (!self->running || self->n_partitions <= 0)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  partition = partition_of (self, group_id);
  leader = mr_cluster_get_partition_leader (self->cluster,
                                            MR_GROUP_OFFSETS_TOPIC, partition,
                                            &epoch);
  if (leader < 0)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  if (via_broker > 0 && via_broker != leader)
    return MR_KAFKA_ERROR_NOT_COORDINATOR;
  error = reload_if_moved_locked (self, partition, leader, epoch,
                                 completions);
  if (error != MR_KAFKA_ERROR_NONE)
    return error;
  *partition_out = partition;
  *broker_out = leader;
  return MR_KAFKA_ERROR_NONE;
}

/* Routes @group_id as route_locked() does and, once this broker is its
 * coordinator, looks its group up (created when @create). Returns the
 * routing error with *@group_out NULL, or MR_KAFKA_ERROR_NONE with
 * *@group_out the group: NULL only when there is none and !@create.
 * @partition_out and @broker_out may be NULL. @locks lock held. */
static MrKafkaError
route_to_group_locked (MrGroupCoordinator  *self,
                       gint32               via_broker,
                       const char          *group_id,
                       gboolean             create,
                       MrConsumerGroup    **group_out,
                       gint32              *partition_out,
                       gint32              *broker_out,
                       GPtrArray           *completions)
{
  gint32 partition = -1;
  gint32 broker = -1;
  MrKafkaError error;

  *group_out = NULL;
  error = route_locked (self, via_broker, group_id, &partition, &broker,
                        completions);
  if (error != MR_KAFKA_ERROR_NONE)
    return error;
  *group_out = get_group_locked (self, group_id, create);
  if (partition_out != NULL)
    *partition_out = partition;
  if (broker_out != NULL)
    *broker_out = broker;
  return MR_KAFKA_ERROR_NONE;
}

/* Queues the group's metadata record if its membership changed.
 * @locks lock held. */
static void
collect_dirty_locked (MrGroupCoordinator *self,
                      MrConsumerGroup    *group,
                      GPtrArray          *writes)
{
  gint32 partition;
  PendingWrite *write;
  gboolean dirty = mr_consumer_group_take_dirty (group);
  gboolean rebalanced = mr_consumer_group_take_rebalanced (group);

  if (!dirty && !rebalanced)
    return;
  partition = partition_of (self, mr_consumer_group_get_id (group));
  if (self->loads[partition].broker_id < 0)
    return;
  write = g_new0 (PendingWrite, 1);
  write->broker_id = self->loads[partition].broker_id;
  write->partition = partition;
  if (dirty)
    write->batch = group_metadata_batch (group);
  if (rebalanced)
    write->event = mr_cluster_event_new_group_rebalanced (
      mr_consumer_group_get_id (group),
      mr_consumer_group_get_generation (group),
      (gint32)mr_consumer_group_get_n_members (group),
      mr_consumer_group_get_protocol (group), write->broker_id, NULL);
  g_ptr_array_add (writes, write);
}

/* Runs what was queued under the lock. @locality any thread, lock not
 * held. */
static void
finish_unlocked (MrGroupCoordinator *self,
                 GPtrArray          *completions,
                 GPtrArray          *writes)
{
  if (completions != NULL)
    mr_group_completions_run (completions);
  for (guint i = 0; writes != NULL && i < writes->len; i++)
    {
      PendingWrite *write = g_ptr_array_index (writes, i);
      gsize len = 0;
      guint8 *data;

      if (write->event != NULL)
        mr_cluster_emit (self->cluster, g_steal_pointer (&write->event));
      if (write->batch == NULL)
        continue;
      data = g_bytes_unref_to_data (g_steal_pointer (&write->batch), &len);
      mr_cluster_produce_async (self->cluster, write->broker_id,
                                MR_GROUP_OFFSETS_TOPIC, write->partition,
                                data, len, -1, WRITE_TIMEOUT_MS, NULL, NULL);
    }
}

/* Ends a request that may have changed @group (NULL: none did): queues
 * its metadata record, wakes the ticker (the group's deadlines may have
 * moved), releases the lock and runs what was queued. @locks lock held;
 * released on return. */
static void
unlock_after_change (MrGroupCoordinator *self,
                     MrConsumerGroup    *group,
                     GPtrArray          *completions,
                     GPtrArray          *writes)
{
  if (group != NULL)
    collect_dirty_locked (self, group, writes);
  g_cond_broadcast (&self->wake);
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, writes);
}

/* ---------------------------------------------------------------------- */
/* The ticker.                                                            */

static gpointer
ticker_thread (gpointer data)
{
  MrGroupCoordinator *self = data;

  g_mutex_lock (&self->lock);
  while (!self->quit)
    {
      g_autoptr(GPtrArray) completions = mr_group_completions_new ();
      g_autoptr(GPtrArray) writes = writes_new ();
      gint64 now = g_get_monotonic_time ();
      gint64 next = now + TICK_US;
      GHashTableIter iter;
      gpointer value;

      for (gint32 p = 0; p < self->n_partitions; p++)
        {
          gint32 epoch = -1;
          gint32 leader;

          if (self->loads[p].broker_id < 0)
            continue;
          leader = mr_cluster_get_partition_leader (self->cluster,
                                                    MR_GROUP_OFFSETS_TOPIC,
                                                    p, &epoch);
          if (leader != self->loads[p].broker_id ||
              epoch != self->loads[p].leader_epoch)
            unload_locked (self, p, MR_KAFKA_ERROR_NOT_COORDINATOR,
                           completions);
        }

      g_hash_table_iter_init (&iter, self->groups);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          MrConsumerGroup *group = value;

          mr_consumer_group_tick (group, now, completions);
          collect_dirty_locked (self, group, writes);
          next = MIN (next, mr_consumer_group_next_deadline (group));
        }

      g_mutex_unlock (&self->lock);
      finish_unlocked (self, completions, writes);
      g_mutex_lock (&self->lock);
      if (!self->quit && next > g_get_monotonic_time ())
        g_cond_wait_until (&self->wake, &self->lock, next);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
sample_groups (MrGroupCoordinator *self)
{
  g_autoptr(GPtrArray) listings = mr_group_coordinator_list (self, -1);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  gint64 now = now_ms ();

  for (guint i = 0; i < listings->len; i++)
    {
      MrGroupListing *listing = g_ptr_array_index (listings, i);
      g_autoptr(GPtrArray) offsets = NULL;
      gint64 total = 0;
      gint64 worst = 0;

      g_ptr_array_add (ids, listing->group_id);
      if (mr_group_coordinator_fetch_offsets (self, -1, listing->group_id,
                                              NULL, &offsets)
          != MR_KAFKA_ERROR_NONE)
        continue;
      for (guint j = 0; j < offsets->len; j++)
        {
          MrGroupOffsetEntry *e = g_ptr_array_index (offsets, j);
          gint64 start, end, lag, time_lag;

          mr_lag_measure_partition (self->cluster, e->topic, e->partition,
                                    e->offset, &start, &end, &lag, &time_lag);
          total += MAX (lag, 0);
          worst = MAX (worst, time_lag);
        }
      mr_lag_sampler_add (self->sampler, listing->group_id, now, total, worst);
    }
  mr_lag_sampler_retain (self->sampler, ids);
}

static gpointer
sampling_thread (gpointer data)
{
  MrGroupCoordinator *self = data;

  g_mutex_lock (&self->lock);
  while (!self->quit)
    {
      gint64 next = g_get_monotonic_time () + G_TIME_SPAN_SECOND;

      g_mutex_unlock (&self->lock);
      sample_groups (self);
      g_mutex_lock (&self->lock);
      while (!self->quit && g_get_monotonic_time () < next)
        g_cond_wait_until (&self->wake, &self->lock, next);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Life cycle.                                                            */

MrGroupCoordinator *
mr_group_coordinator_new (MrCluster *cluster)
{
  MrGroupCoordinator *self = g_new0 (MrGroupCoordinator, 1);
  MrClusterOptions options;

  mr_cluster_get_options (cluster, &options);
  self->cluster = cluster;
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  self->n_partitions = MAX (options.offsets_topic_partitions, 0);
  self->initial_delay_ms = options.group_initial_rebalance_delay_ms;
  self->loads = g_new0 (PartitionLoad, MAX (self->n_partitions, 1));
  for (gint32 p = 0; p < self->n_partitions; p++)
    self->loads[p].broker_id = self->loads[p].leader_epoch = -1;
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)mr_consumer_group_free);
  self->sampler = mr_lag_sampler_new ();
  g_mutex_init (&self->members_lock);
  self->local_members = g_ptr_array_new ();
  mr_cluster_options_clear (&options);
  return self;
}

void
mr_group_coordinator_free (MrGroupCoordinator *self)
{
  if (self == NULL)
    return;
  mr_group_coordinator_stop (self);
  g_hash_table_unref (self->groups);
  mr_lag_sampler_free (self->sampler);
  g_ptr_array_unref (self->local_members);
  g_mutex_clear (&self->members_lock);
  g_free (self->loads);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->wake);
  g_free (self);
}

void
mr_group_coordinator_start (MrGroupCoordinator *self)
{
  g_autoptr(MrTopicInfo) info = NULL;

  /* The offsets topic as it is: one created earlier with another count
   * keeps its count (group placement depends on it), and one that exists
   * serves groups even when the options now ask for none. */
  info = mr_cluster_describe_topic (self->cluster, MR_GROUP_OFFSETS_TOPIC,
                                    NULL);

  g_mutex_lock (&self->lock);
  if (self->running)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  if (info != NULL && (gint32)info->partitions->len != self->n_partitions)
    {
      self->n_partitions = (gint32)info->partitions->len;
      g_free (self->loads);
      self->loads = g_new0 (PartitionLoad, MAX (self->n_partitions, 1));
      for (gint32 p = 0; p < self->n_partitions; p++)
        self->loads[p].broker_id = self->loads[p].leader_epoch = -1;
    }
  else if (info == NULL)
    self->n_partitions = 0;
  self->running = TRUE;
  self->quit = FALSE;
  self->ticker = g_thread_new ("group-coordinator", ticker_thread, self);
  self->sampling = g_thread_new ("group-lag", sampling_thread, self);
  g_mutex_unlock (&self->lock);
}

void
mr_group_coordinator_stop (MrGroupCoordinator *self)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  GThread *ticker;
  GThread *sampling;

  /* In-process members leave while the coordinators still answer. */
  mr_group_coordinator_stop_local_members (self, NULL);

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  self->quit = TRUE;
  ticker = g_steal_pointer (&self->ticker);
  sampling = g_steal_pointer (&self->sampling);
  g_cond_broadcast (&self->wake);
  g_mutex_unlock (&self->lock);
  if (ticker != NULL)
    g_thread_join (ticker);
  if (sampling != NULL)
    g_thread_join (sampling);

  g_mutex_lock (&self->lock);
  for (gint32 p = 0; p < self->n_partitions; p++)
    unload_locked (self, p, MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE,
                   completions);
  g_hash_table_remove_all (self->groups);
  g_mutex_unlock (&self->lock);
  mr_group_completions_run (completions);
}

/* ---------------------------------------------------------------------- */
/* Requests.                                                              */

MrKafkaError
mr_group_coordinator_find (MrGroupCoordinator *self,
                           const char         *group_id,
                           gint32             *broker_id)
{
  gint32 leader;

  if (self->n_partitions <= 0)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  leader = mr_cluster_get_partition_leader (self->cluster,
                                            MR_GROUP_OFFSETS_TOPIC,
                                            partition_of (self, group_id),
                                            NULL);
  if (leader < 0)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  if (broker_id != NULL)
    *broker_id = leader;
  return MR_KAFKA_ERROR_NONE;
}

static void
respond_error (MrGroupResponseFunc  func,
               gpointer             user_data,
               MrKafkaError         error,
               const char          *member_id)
{
  MrGroupResponse response = { 0 };

  response.error = error;
  response.generation = -1;
  response.member_id = (char *)member_id;
  func (&response, user_data);
}

void
mr_group_coordinator_join (MrGroupCoordinator       *self,
                           gint32                    via_broker,
                           const char               *group_id,
                           const MrGroupJoinRequest *request,
                           MrGroupResponseFunc       func,
                           gpointer                  user_data)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  g_autoptr(GPtrArray) writes = writes_new ();
  MrConsumerGroup *group;
  MrKafkaError error;

  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, TRUE, &group,
                                 NULL, NULL, completions);
  if (error != MR_KAFKA_ERROR_NONE)
    {
      g_mutex_unlock (&self->lock);
      finish_unlocked (self, completions, NULL);
      respond_error (func, user_data, error, request->member_id);
      return;
    }
  mr_consumer_group_join (group, request, func, user_data,
                          g_get_monotonic_time (), completions);
  unlock_after_change (self, group, completions, writes);
}

void
mr_group_coordinator_sync (MrGroupCoordinator  *self,
                           gint32               via_broker,
                           const char          *group_id,
                           gint32               generation,
                           const char          *member_id,
                           const char          *group_instance_id,
                           GPtrArray           *assignments,
                           MrGroupResponseFunc  func,
                           gpointer             user_data)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  g_autoptr(GPtrArray) writes = writes_new ();
  MrConsumerGroup *group;
  MrKafkaError error;

  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 NULL, NULL, completions);
  if (error == MR_KAFKA_ERROR_NONE && group == NULL)
    error = MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID;
  if (error != MR_KAFKA_ERROR_NONE)
    {
      g_mutex_unlock (&self->lock);
      finish_unlocked (self, completions, NULL);
      respond_error (func, user_data, error, member_id);
      return;
    }
  mr_consumer_group_sync (group, generation, member_id, group_instance_id,
                          assignments, func, user_data,
                          g_get_monotonic_time (), completions);
  unlock_after_change (self, group, completions, writes);
}

MrKafkaError
mr_group_coordinator_heartbeat (MrGroupCoordinator *self,
                                gint32              via_broker,
                                const char         *group_id,
                                gint32              generation,
                                const char         *member_id,
                                const char         *group_instance_id)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  MrConsumerGroup *group;
  MrKafkaError error;

  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 NULL, NULL, completions);
  if (error == MR_KAFKA_ERROR_NONE)
    error = group == NULL
      ? MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID
      : mr_consumer_group_heartbeat (group, generation, member_id,
                                     group_instance_id,
                                     g_get_monotonic_time ());
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, NULL);
  return error;
}

MrKafkaError
mr_group_coordinator_leave (MrGroupCoordinator *self,
                            gint32              via_broker,
                            const char         *group_id,
                            const char         *member_id,
                            const char         *group_instance_id,
                            MrKafkaError       *member_error)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  g_autoptr(GPtrArray) writes = writes_new ();
  MrConsumerGroup *group;
  MrKafkaError error;

  *member_error = MR_KAFKA_ERROR_NONE;
  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 NULL, NULL, completions);
  if (error == MR_KAFKA_ERROR_NONE && group == NULL)
    *member_error = MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID;
  else if (group != NULL)
    *member_error = mr_consumer_group_leave (group, member_id,
                                             group_instance_id,
                                             g_get_monotonic_time (),
                                             completions);
  unlock_after_change (self, group, completions, writes);
  return error;
}

typedef struct
{
  MrGroupCoordinator *self;
  char               *group_id;
  gint32              partition;
  gint32              broker_id;
  gint32              leader_epoch;
  GPtrArray          *entries;     /* MrGroupOffsetEntry, copies */
  gint64              timestamp;
  MrGroupCommitFunc   func;
  gpointer            user_data;
} CommitOp;

static void
commit_op_free (CommitOp *op)
{
  g_free (op->group_id);
  g_ptr_array_unref (op->entries);
  g_free (op);
}

static MrKafkaError
commit_error_for (MrKafkaError produce_error)
{
  /* As Kafka maps append errors for the group APIs. */
  if (produce_error == MR_KAFKA_ERROR_NONE)
    return MR_KAFKA_ERROR_NONE;
  if (produce_error == MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION ||
      produce_error == MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS ||
      produce_error == MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS_AFTER_APPEND ||
      produce_error == MR_KAFKA_ERROR_REQUEST_TIMED_OUT ||
      produce_error == MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  if (produce_error == MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER ||
      produce_error == MR_KAFKA_ERROR_FENCED_LEADER_EPOCH)
    return MR_KAFKA_ERROR_NOT_COORDINATOR;
  return MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
}

static void
commit_done_cb (const MrProduceResult *result,
                gpointer               user_data)
{
  CommitOp *op = user_data;
  MrGroupCoordinator *self = op->self;
  MrKafkaError error = commit_error_for (result->error);

  if (error == MR_KAFKA_ERROR_NONE)
    {
      g_mutex_lock (&self->lock);
      if (self->loads[op->partition].broker_id == op->broker_id &&
          self->loads[op->partition].leader_epoch == op->leader_epoch)
        {
          MrConsumerGroup *group = get_group_locked (self, op->group_id, TRUE);

          for (guint i = 0; i < op->entries->len; i++)
            {
              MrGroupOffsetEntry *e = g_ptr_array_index (op->entries, i);
              MrGroupCommittedOffset offset = {
                e->offset, e->leader_epoch, e->metadata, op->timestamp
              };

              mr_consumer_group_set_offset (group, e->topic, e->partition,
                                            &offset);
            }
        }
      else
        error = MR_KAFKA_ERROR_NOT_COORDINATOR;
      g_mutex_unlock (&self->lock);
    }
  else
    g_debug ("Group %s: commit failed: %s", op->group_id,
             mr_kafka_error_to_string (result->error));
  op->func (error, op->user_data);
  commit_op_free (op);
}

void
mr_group_coordinator_commit_async (MrGroupCoordinator *self,
                                   gint32              via_broker,
                                   const char         *group_id,
                                   gint32              generation,
                                   const char         *member_id,
                                   const char         *group_instance_id,
                                   GPtrArray          *entries,
                                   MrGroupCommitFunc   func,
                                   gpointer            user_data)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  g_autoptr(GPtrArray) keys = bytes_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (maybe_bytes_unref);
  g_autoptr(GBytes) batch = NULL;
  MrConsumerGroup *group;
  MrKafkaError error;
  CommitOp *op;
  gint32 partition = -1;
  gint32 broker = -1;
  gsize len = 0;
  guint8 *data;

  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 &partition, &broker, completions);
  if (error == MR_KAFKA_ERROR_NONE)
    {
      if (group != NULL)
        error = mr_consumer_group_check_commit (group, generation, member_id,
                                                group_instance_id,
                                                g_get_monotonic_time ());
      else if (generation >= 0)
        error = MR_KAFKA_ERROR_ILLEGAL_GENERATION;
    }
  if (error != MR_KAFKA_ERROR_NONE || entries == NULL || entries->len == 0)
    {
      g_mutex_unlock (&self->lock);
      finish_unlocked (self, completions, NULL);
      func (error, user_data);
      return;
    }

  op = g_new0 (CommitOp, 1);
  op->self = self;
  op->group_id = g_strdup (group_id);
  op->partition = partition;
  op->broker_id = broker;
  op->leader_epoch = self->loads[partition].leader_epoch;
  op->timestamp = now_ms ();
  op->entries = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_group_offset_entry_free);
  op->func = func;
  op->user_data = user_data;
  for (guint i = 0; i < entries->len; i++)
    {
      const MrGroupOffsetEntry *e = g_ptr_array_index (entries, i);
      MrGroupOffsetEntry *copy = mr_group_offset_entry_new (e->topic,
                                                            e->partition,
                                                            e->offset);
      MrGroupCommittedOffset value = {
        e->offset, e->leader_epoch, e->metadata, op->timestamp
      };

      copy->leader_epoch = e->leader_epoch;
      copy->metadata = g_strdup (e->metadata != NULL ? e->metadata : "");
      g_ptr_array_add (op->entries, copy);
      g_ptr_array_add (keys, mr_group_offsets_encode_offset_key (group_id,
                                                                 e->topic,
                                                                 e->partition));
      g_ptr_array_add (values, mr_group_offsets_encode_offset_value (&value));
    }
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, NULL);

  batch = build_batch (keys, values);
  data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);
  mr_cluster_produce_async (self->cluster, broker, MR_GROUP_OFFSETS_TOPIC,
                            partition, data, len, -1, WRITE_TIMEOUT_MS,
                            commit_done_cb, op);
}

typedef struct
{
  GMutex       lock;
  GCond        cond;
  gboolean     done;
  MrKafkaError error;
} CommitWait;

static void
commit_wait_cb (MrKafkaError error,
                gpointer     user_data)
{
  CommitWait *wait = user_data;

  g_mutex_lock (&wait->lock);
  wait->error = error;
  wait->done = TRUE;
  g_cond_signal (&wait->cond);
  g_mutex_unlock (&wait->lock);
}

MrKafkaError
mr_group_coordinator_commit (MrGroupCoordinator *self,
                             gint32              via_broker,
                             const char         *group_id,
                             gint32              generation,
                             const char         *member_id,
                             const char         *group_instance_id,
                             GPtrArray          *entries)
{
  CommitWait wait = { 0 };

  g_mutex_init (&wait.lock);
  g_cond_init (&wait.cond);
  mr_group_coordinator_commit_async (self, via_broker, group_id, generation,
                                     member_id, group_instance_id, entries,
                                     commit_wait_cb, &wait);
  g_mutex_lock (&wait.lock);
  while (!wait.done)
    g_cond_wait (&wait.cond, &wait.lock);
  g_mutex_unlock (&wait.lock);
  g_mutex_clear (&wait.lock);
  g_cond_clear (&wait.cond);
  return wait.error;
}

static void
collect_offset_cb (const char                   *topic,
                   gint32                        partition,
                   const MrGroupCommittedOffset *offset,
                   gpointer                      user_data)
{
  GPtrArray *all = user_data;
  MrGroupOffsetEntry *e = mr_group_offset_entry_new (topic, partition,
                                                     offset->offset);

  e->leader_epoch = offset->leader_epoch;
  e->metadata = g_strdup (offset->metadata);
  g_ptr_array_add (all, e);
}

MrKafkaError
mr_group_coordinator_fetch_offsets (MrGroupCoordinator  *self,
                                    gint32               via_broker,
                                    const char          *group_id,
                                    GPtrArray           *entries,
                                    GPtrArray          **all)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  MrConsumerGroup *group;
  MrKafkaError error;

  if (all != NULL)
    *all = g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_group_offset_entry_free);
  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 NULL, NULL, completions);
  if (error == MR_KAFKA_ERROR_NONE)
    {
      if (entries == NULL && group != NULL && all != NULL)
        mr_consumer_group_foreach_offset (group, collect_offset_cb, *all);
      for (guint i = 0; entries != NULL && i < entries->len; i++)
        {
          MrGroupOffsetEntry *e = g_ptr_array_index (entries, i);
          const MrGroupCommittedOffset *c = group != NULL
            ? mr_consumer_group_lookup_offset (group, e->topic, e->partition)
            : NULL;

          e->offset = c != NULL ? c->offset : -1;
          e->leader_epoch = c != NULL ? c->leader_epoch : -1;
          g_free (e->metadata);
          e->metadata = g_strdup (c != NULL ? c->metadata : "");
          e->error = MR_KAFKA_ERROR_NONE;
        }
    }
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, NULL);
  return error;
}

GPtrArray *
mr_group_coordinator_list (MrGroupCoordinator *self,
                           gint32              via_broker)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  GPtrArray *listings = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_group_listing_free);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  /* Load every partition this broker (or any broker) leads, so groups
   * that only exist in the log are listed too. */
  for (gint32 p = 0; self->running && p < self->n_partitions; p++)
    {
      gint32 epoch = -1;
      gint32 leader = mr_cluster_get_partition_leader (self->cluster,
                                                       MR_GROUP_OFFSETS_TOPIC,
                                                       p, &epoch);

      if (leader < 0 || (via_broker > 0 && leader != via_broker))
        continue;
      (void)reload_if_moved_locked (self, p, leader, epoch, completions);
    }
  g_hash_table_iter_init (&iter, self->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrConsumerGroup *group = value;
      gint32 p = partition_of (self, mr_consumer_group_get_id (group));
      MrGroupListing *listing;

      if (self->loads[p].broker_id < 0 ||
          (via_broker > 0 && self->loads[p].broker_id != via_broker))
        continue;
      listing = g_new0 (MrGroupListing, 1);
      listing->group_id = g_strdup (mr_consumer_group_get_id (group));
      listing->protocol_type = g_strdup (
        mr_consumer_group_get_protocol_type (group) != NULL
        ? mr_consumer_group_get_protocol_type (group) : "");
      listing->state = mr_consumer_group_get_state (group);
      listing->coordinator = self->loads[p].broker_id;
      g_ptr_array_add (listings, listing);
    }
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, NULL);
  return listings;
}

MrKafkaError
mr_group_coordinator_describe (MrGroupCoordinator    *self,
                               gint32                 via_broker,
                               const char            *group_id,
                               MrGroupState          *state,
                               MrGroupMetadataRecord *record)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  MrConsumerGroup *group;
  MrKafkaError error;

  memset (record, 0, sizeof *record);
  *state = MR_GROUP_STATE_DEAD;
  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 NULL, NULL, completions);
  if (group != NULL)
    {
      *state = mr_consumer_group_get_state (group);
      mr_consumer_group_to_record (group, record);
    }
  else
    {
      record->protocol_type = g_strdup ("");
      record->members = g_ptr_array_new_with_free_func (
        (GDestroyNotify)mr_group_member_record_free);
    }
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, NULL);
  return error;
}

typedef struct
{
  const char *group_id;
  GPtrArray  *keys;
  GPtrArray  *values;
} Tombstones;

static void
collect_tombstone_cb (const char                   *topic,
                      gint32                        partition,
                      const MrGroupCommittedOffset *offset,
                      gpointer                      user_data)
{
  Tombstones *t = user_data;

  g_ptr_array_add (t->keys, mr_group_offsets_encode_offset_key (t->group_id,
                                                                topic,
                                                                partition));
  g_ptr_array_add (t->values, NULL);
}

static MrKafkaError
write_and_wait (MrGroupCoordinator *self,
                gint32              broker,
                gint32              partition,
                GPtrArray          *keys,
                GPtrArray          *values)
{
  g_auto(MrProduceResult) result = { 0 };
  g_autoptr(GBytes) batch = build_batch (keys, values);
  gsize len = 0;
  guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);

  mr_cluster_produce (self->cluster, broker, MR_GROUP_OFFSETS_TOPIC,
                      partition, data, len, -1, WRITE_TIMEOUT_MS, &result);
  return commit_error_for (result.error);
}

MrKafkaError
mr_group_coordinator_delete_group (MrGroupCoordinator *self,
                                   gint32              via_broker,
                                   const char         *group_id)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  g_autoptr(GPtrArray) keys = bytes_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (maybe_bytes_unref);
  MrConsumerGroup *group;
  MrKafkaError error;
  gint32 partition = -1;
  gint32 broker = -1;

  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 &partition, &broker, completions);
  if (error == MR_KAFKA_ERROR_NONE)
    {
      if (group == NULL)
        error = MR_KAFKA_ERROR_GROUP_ID_NOT_FOUND;
      else if (mr_consumer_group_get_state (group) != MR_GROUP_STATE_EMPTY)
        error = MR_KAFKA_ERROR_NON_EMPTY_GROUP;
      else
        {
          Tombstones t = { group_id, keys, values };

          mr_consumer_group_foreach_offset (group, collect_tombstone_cb, &t);
          g_ptr_array_add (keys, mr_group_offsets_encode_group_key (group_id));
          g_ptr_array_add (values, NULL);
          mr_consumer_group_shutdown (group, MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE,
                                      completions);
          g_hash_table_remove (self->groups, group_id);
        }
    }
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, NULL);
  if (error != MR_KAFKA_ERROR_NONE)
    return error;
  return write_and_wait (self, broker, partition, keys, values);
}

MrKafkaError
mr_group_coordinator_delete_offsets (MrGroupCoordinator *self,
                                     gint32              via_broker,
                                     const char         *group_id,
                                     GPtrArray          *entries)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  g_autoptr(GPtrArray) keys = bytes_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (maybe_bytes_unref);
  MrConsumerGroup *group;
  MrKafkaError error;
  gint32 partition = -1;
  gint32 broker = -1;

  g_mutex_lock (&self->lock);
  error = route_to_group_locked (self, via_broker, group_id, FALSE, &group,
                                 &partition, &broker, completions);
  if (error == MR_KAFKA_ERROR_NONE && group == NULL)
    error = MR_KAFKA_ERROR_GROUP_ID_NOT_FOUND;
  for (guint i = 0; error == MR_KAFKA_ERROR_NONE && i < entries->len; i++)
    {
      MrGroupOffsetEntry *e = g_ptr_array_index (entries, i);

      if (mr_consumer_group_get_state (group) != MR_GROUP_STATE_EMPTY &&
          mr_consumer_group_is_subscribed (group, e->topic))
        {
          e->error = MR_KAFKA_ERROR_GROUP_SUBSCRIBED_TO_TOPIC;
          continue;
        }
      e->error = MR_KAFKA_ERROR_NONE;
      if (mr_consumer_group_lookup_offset (group, e->topic, e->partition) == NULL)
        continue;
      mr_consumer_group_remove_offset (group, e->topic, e->partition);
      g_ptr_array_add (keys, mr_group_offsets_encode_offset_key (group_id,
                                                                 e->topic,
                                                                 e->partition));
      g_ptr_array_add (values, NULL);
    }
  g_mutex_unlock (&self->lock);
  finish_unlocked (self, completions, NULL);
  if (error != MR_KAFKA_ERROR_NONE || keys->len == 0)
    return error;
  return write_and_wait (self, broker, partition, keys, values);
}

/* ---------------------------------------------------------------------- */
/* In-process members and lag.                                            */

MrLagSampler *
mr_group_coordinator_get_lag_sampler (MrGroupCoordinator *self)
{
  return self->sampler;
}

void
mr_group_coordinator_add_local_member (MrGroupCoordinator *self,
                                       MrGroupMember      *member)
{
  g_mutex_lock (&self->members_lock);
  g_ptr_array_add (self->local_members, member);
  g_mutex_unlock (&self->members_lock);
}

gboolean
mr_group_coordinator_is_local_member (MrGroupCoordinator *self,
                                      const char         *member_id)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->members_lock);
  for (guint i = 0; i < self->local_members->len && !found; i++)
    {
      g_autofree char *id = mr_group_member_dup_member_id (
        g_ptr_array_index (self->local_members, i));

      found = g_strcmp0 (id, member_id) == 0;
    }
  g_mutex_unlock (&self->members_lock);
  return found;
}

gboolean
mr_group_coordinator_stop_local_member (MrGroupCoordinator *self,
                                        const char         *group_id,
                                        const char         *client_id)
{
  MrGroupMember *stopping = NULL;

  g_mutex_lock (&self->members_lock);
  for (guint i = 0; i < self->local_members->len; i++)
    {
      MrGroupMember *member = g_ptr_array_index (self->local_members, i);

      if (g_strcmp0 (mr_group_member_get_group_id (member), group_id) == 0 &&
          g_strcmp0 (mr_group_member_get_client_id (member), client_id) == 0)
        {
          stopping = member;
          g_ptr_array_remove_index (self->local_members, i);
          break;
        }
    }
  g_mutex_unlock (&self->members_lock);
  /* Outside the lock: freeing joins its thread, which leaves the group. */
  if (stopping != NULL)
    mr_group_member_free (stopping);
  return stopping != NULL;
}

guint
mr_group_coordinator_stop_local_members (MrGroupCoordinator *self,
                                         const char         *group_id)
{
  g_autoptr(GPtrArray) stopping = g_ptr_array_new ();

  g_mutex_lock (&self->members_lock);
  for (guint i = self->local_members->len; i > 0; i--)
    {
      MrGroupMember *member = g_ptr_array_index (self->local_members, i - 1);

      if (group_id == NULL ||
          g_strcmp0 (mr_group_member_get_group_id (member), group_id) == 0)
        {
          g_ptr_array_add (stopping, member);
          g_ptr_array_remove_index (self->local_members, i - 1);
        }
    }
  g_mutex_unlock (&self->members_lock);
  for (guint i = 0; i < stopping->len; i++)
    mr_group_member_free (g_ptr_array_index (stopping, i));
  return stopping->len;
}

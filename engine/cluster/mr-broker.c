/* mr-broker.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-broker.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mr-leader-epoch-cache.h"
#include "mr-log-error.h"

/* A broker heartbeats to the controller quorum from a thread of its own,
 * every broker.heartbeat.interval.ms, as Kafka's brokers do, so that slow
 * fetching never makes a live broker look dead. The network decides whether
 * a heartbeat gets there (not from an isolated broker); a paused broker
 * sends none.
 *
 * Its main thread runs one loop:
 *
 *  1. (heartbeats: the other thread);
 *  2. when the controller's metadata changed, apply it: open the replicas
 *     assigned here, become leader or follower with the given epochs, close
 *     and delete replicas no longer assigned;
 *  3. for each partition it now follows under a new leader, find where its
 *     log diverges from the leader's (KIP-101/279: ask the leader for the
 *     end offset of its own latest epoch, iterate) and truncate there;
 *  4. fetch from each leader what its followed replicas lack, through the
 *     network, and append it; a fetch that brought data is followed at once
 *     by another, which reports the new log end offset to the leader and so
 *     advances the high watermark;
 *  5. as a leader, check the ISR (followers that fell behind for
 *     replica.lag.time.max.ms leave, caught-up ones rejoin, through the
 *     controller) and time out acks=all produces past their deadline;
 *  6. once a second, log housekeeping (flush.ms, segment.ms, retention);
 *  7. sleep until woken (a leader appended, metadata changed, a fault) or a
 *     deadline. Nothing polls on the hot path: leaders wake followers.
 *
 * @locks: lock protects replicas, thread and the quit flags; wake_lock is a
 * leaf lock for the wake-up flag. truncations and applied_version belong to
 * the broker's thread alone. */

/* The log I/O of one broker: the system's, after the latency that "slow"
 * adds to its disk. The MrLogIo comes first, so the log's pointer to it is
 * a pointer to the whole. */
typedef struct
{
  MrLogIo          io;
  MrBrokerNetwork *network;
  gint32           broker_id;
} BrokerDisk;

struct _MrBroker
{
  MrCluster   *cluster;        /* the cluster owns the broker */
  gint32       id;
  char        *directory;
  BrokerDisk   disk;

  GMutex       lock;
  GHashTable  *replicas;       /* "topic\\npartition" → MrReplica */
  GThread     *thread;
  GThread     *heartbeat_thread;
  GCond        quit_cond;
  gboolean     quit;
  gboolean     crash;
  gboolean     power_loss;

  GMutex       wake_lock;
  GCond        wake_cond;
  gboolean     woken;
  gboolean     sleeping;       /* the thread waits on wake_cond */
  /* Under wake_lock: the followed partitions whose leaders appended since
   * the last fetch pass ("topic\npartition"), and whether something else
   * woke the broker (then every partition gets a pass). */
  GHashTable  *appended;
  gboolean     woken_for_all;

  /* The broker thread's own. */
  GHashTable  *truncations;    /* keys of replicas to truncate first */
  gint64       applied_version;
};

#define FOLLOWER_FETCH_MAX_BYTES (1024 * 1024)

static void
disk_delay (const MrLogIo *io)
{
  const BrokerDisk *disk = (const BrokerDisk *)io;
  guint latency = mr_broker_network_get_latency (disk->network,
                                                 disk->broker_id);

  if (latency > 0)
    g_usleep ((gulong)latency * 1000);
}

static gssize
disk_pwritev (const MrLogIo      *io,
              int                 fd,
              const struct iovec *iov,
              int                 iovcnt,
              goffset             offset)
{
  const MrLogIo *system = mr_log_io_get_default ();

  disk_delay (io);
  return system->pwritev (system, fd, iov, iovcnt, offset);
}

static gssize
disk_pread (const MrLogIo *io,
            int            fd,
            void          *buf,
            gsize          count,
            goffset        offset)
{
  const MrLogIo *system = mr_log_io_get_default ();

  return system->pread (system, fd, buf, count, offset);
}

static int
disk_fdatasync (const MrLogIo *io,
                int            fd)
{
  const MrLogIo *system = mr_log_io_get_default ();

  disk_delay (io);
  return system->fdatasync (system, fd);
}

static int
disk_ftruncate (const MrLogIo *io,
                int            fd,
                goffset        length)
{
  const MrLogIo *system = mr_log_io_get_default ();

  return system->ftruncate (system, fd, length);
}

static gint64
disk_now_ms (const MrLogIo *io)
{
  const MrLogIo *system = mr_log_io_get_default ();

  return system->now_ms (system);
}

/* "topic\npartition". Built by hand: it is made on every wake-up and for
 * every partition of every fetch pass, where printf's formatting showed. */
static char *
replica_key (const char *topic,
             gint32      partition)
{
  char digits[12];
  guint32 rest = partition < 0 ? -(guint32)partition : (guint32)partition;
  gsize at = sizeof digits;

  digits[--at] = '\0';
  do
    {
      digits[--at] = (char)('0' + rest % 10);
      rest /= 10;
    }
  while (rest > 0);
  if (partition < 0)
    digits[--at] = '-';

  return g_strconcat (topic, "\n", digits + at, NULL);
}

void
mr_partition_assignment_free (MrPartitionAssignment *assignment)
{
  g_free (assignment->topic);
  g_clear_pointer (&assignment->replicas, g_array_unref);
  g_clear_pointer (&assignment->isr, g_array_unref);
  g_free (assignment);
}

MrBroker *
mr_broker_new (MrCluster  *cluster,
               gint32      id,
               const char *directory)
{
  MrBroker *broker = g_new0 (MrBroker, 1);

  broker->cluster = cluster;
  broker->id = id;
  broker->directory = g_strdup (directory);
  broker->disk.io.pwritev = disk_pwritev;
  broker->disk.io.pread = disk_pread;
  broker->disk.io.fdatasync = disk_fdatasync;
  broker->disk.io.ftruncate = disk_ftruncate;
  broker->disk.io.now_ms = disk_now_ms;
  broker->disk.network = mr_cluster_get_network (cluster);
  broker->disk.broker_id = id;
  g_mutex_init (&broker->lock);
  g_cond_init (&broker->quit_cond);
  g_mutex_init (&broker->wake_lock);
  g_cond_init (&broker->wake_cond);
  broker->appended = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
  broker->replicas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)mr_replica_unref);
  broker->truncations = g_hash_table_new_full (g_str_hash, g_str_equal,
                                               g_free, NULL);
  broker->applied_version = -1;

  return broker;
}

void
mr_broker_free (MrBroker *broker)
{
  if (broker == NULL)
    return;

  g_assert (broker->thread == NULL && broker->heartbeat_thread == NULL);
  g_hash_table_unref (broker->replicas);
  g_hash_table_unref (broker->truncations);
  g_mutex_clear (&broker->lock);
  g_cond_clear (&broker->quit_cond);
  g_mutex_clear (&broker->wake_lock);
  g_cond_clear (&broker->wake_cond);
  g_hash_table_unref (broker->appended);
  g_free (broker->directory);
  g_free (broker);
}

gint32
mr_broker_get_id (MrBroker *broker)
{
  return broker->id;
}

gboolean
mr_broker_is_running (MrBroker *broker)
{
  gboolean running;

  g_mutex_lock (&broker->lock);
  running = broker->thread != NULL && !broker->quit;
  g_mutex_unlock (&broker->lock);

  return running;
}

void
mr_broker_wake (MrBroker *broker)
{
  g_mutex_lock (&broker->wake_lock);
  broker->woken = TRUE;
  broker->woken_for_all = TRUE;
  if (broker->sleeping)
    g_cond_signal (&broker->wake_cond);
  g_mutex_unlock (&broker->wake_lock);
}

void
mr_broker_wake_for_append (MrBroker   *broker,
                           const char *topic,
                           gint32      partition)
{
  g_mutex_lock (&broker->wake_lock);
  broker->woken = TRUE;
  g_hash_table_add (broker->appended, replica_key (topic, partition));
  /* A signal is a system call even with nobody waiting, and a busy
   * broker finds the flag before it sleeps. */
  if (broker->sleeping)
    g_cond_signal (&broker->wake_cond);
  g_mutex_unlock (&broker->wake_lock);
}

/* Takes the partitions appended to since the last call; NULL when every
 * partition wants a pass. */
static GHashTable *
take_appended (MrBroker *broker)
{
  GHashTable *appended;

  g_mutex_lock (&broker->wake_lock);
  if (broker->woken_for_all)
    {
      appended = NULL;
      g_hash_table_remove_all (broker->appended);
      broker->woken_for_all = FALSE;
    }
  else
    {
      appended = broker->appended;
      broker->appended = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                g_free, NULL);
    }
  g_mutex_unlock (&broker->wake_lock);

  return appended;
}

static void
wait_for_wake (MrBroker *broker,
               gint64    deadline)
{
  g_mutex_lock (&broker->wake_lock);
  broker->sleeping = TRUE;
  while (!broker->woken)
    if (!g_cond_wait_until (&broker->wake_cond, &broker->wake_lock, deadline))
      break;
  broker->sleeping = FALSE;
  broker->woken = FALSE;
  g_mutex_unlock (&broker->wake_lock);
}

static gboolean
should_quit (MrBroker *broker)
{
  gboolean quit;

  g_mutex_lock (&broker->lock);
  quit = broker->quit;
  g_mutex_unlock (&broker->lock);

  return quit;
}

MrReplica *
mr_broker_lookup_replica (MrBroker   *broker,
                          const char *topic,
                          gint32      partition)
{
  g_autofree char *key = replica_key (topic, partition);
  MrReplica *replica;

  g_mutex_lock (&broker->lock);
  replica = g_hash_table_lookup (broker->replicas, key);
  if (replica != NULL)
    mr_replica_ref (replica);
  g_mutex_unlock (&broker->lock);

  return replica;
}

/* Refs of every replica, so the thread can work without the lock. */
static GPtrArray *
copy_replicas (MrBroker *broker)
{
  GPtrArray *replicas = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_replica_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&broker->lock);
  g_hash_table_iter_init (&iter, broker->replicas);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (replicas, mr_replica_ref (value));
  g_mutex_unlock (&broker->lock);

  return replicas;
}

/* The replicas named by the keys of @keys ("topic\npartition") that this
 * broker holds. */
static GPtrArray *
copy_replicas_named (MrBroker   *broker,
                     GHashTable *keys)
{
  GPtrArray *replicas = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_replica_unref);
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&broker->lock);
  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      MrReplica *replica = g_hash_table_lookup (broker->replicas, key);

      if (replica != NULL)
        g_ptr_array_add (replicas, mr_replica_ref (replica));
    }
  g_mutex_unlock (&broker->lock);

  return replicas;
}

void
mr_broker_count (MrBroker *broker,
                 guint    *n_leaders,
                 guint    *n_replicas,
                 gint64   *size_bytes)
{
  g_autoptr(GPtrArray) replicas = copy_replicas (broker);

  *n_leaders = 0;
  *n_replicas = replicas->len;
  *size_bytes = 0;
  for (guint i = 0; i < replicas->len; i++)
    {
      MrReplica *replica = g_ptr_array_index (replicas, i);
      MrReplicaSnapshot snapshot;

      mr_replica_snapshot (replica, &snapshot);
      if (snapshot.is_leader)
        (*n_leaders)++;
      mr_replica_snapshot_clear (&snapshot);
      *size_bytes += mr_partition_log_get_size (mr_replica_get_log (replica));
    }
}

/* Step 2: the controller's decisions, applied here. */
static void
apply_metadata (MrBroker *broker,
                GArray   *completions)
{
  MrBrokerNetwork *network = mr_cluster_get_network (broker->cluster);
  g_autoptr(GPtrArray) assignments = NULL;
  g_autoptr(GHashTable) assigned = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  gint32 controller = mr_cluster_get_controller_id (broker->cluster);
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  gint64 version = 0;

  /* Metadata comes from the controller: an isolated broker keeps what it
   * had, and acts on it (a zombie leader), until it can reach it again. */
  if (controller < 0
      || !mr_broker_network_enter (network, broker->id, controller, 100,
                                   NULL))
    return;

  assignments = mr_cluster_copy_assignments (broker->cluster, broker->id,
                                             &version);
  assigned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < assignments->len; i++)
    {
      MrPartitionAssignment *assignment = g_ptr_array_index (assignments, i);
      g_autofree char *key_str = replica_key (assignment->topic,
                                              assignment->partition);
      g_autoptr(MrReplica) replica = NULL;
      MrReplicaSnapshot snapshot;

      g_hash_table_add (assigned, g_strdup (key_str));

      replica = mr_broker_lookup_replica (broker, assignment->topic,
                                          assignment->partition);
      if (replica == NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *name = g_strdup_printf ("%s-%d",
                                                   assignment->topic,
                                                   assignment->partition);
          g_autofree char *dir = g_build_filename (broker->directory, name,
                                                   NULL);

          replica = mr_replica_open (dir, assignment->topic,
                                     assignment->partition, broker->id,
                                     &assignment->log_config,
                                     &broker->disk.io,
                                     assignment->min_insync_replicas, &error);
          if (replica == NULL)
            {
              g_warning ("Broker %d cannot host %s: %s", broker->id, name,
                         error->message);
              continue;
            }
          g_mutex_lock (&broker->lock);
          g_hash_table_replace (broker->replicas, g_strdup (key_str),
                                mr_replica_ref (replica));
          g_mutex_unlock (&broker->lock);
        }
      else
        {
          mr_partition_log_set_config (mr_replica_get_log (replica),
                                       &assignment->log_config);
          mr_replica_set_min_insync (replica,
                                     assignment->min_insync_replicas);
        }

      mr_replica_snapshot (replica, &snapshot);
      if (assignment->leader == broker->id)
        {
          if (!snapshot.is_leader
              || snapshot.leader_epoch != assignment->leader_epoch)
            {
              mr_replica_become_leader (replica, assignment->leader_epoch,
                                        assignment->partition_epoch,
                                        assignment->isr, assignment->replicas,
                                        g_get_real_time () / 1000,
                                        completions);
              g_hash_table_remove (broker->truncations, key_str);
            }
          else if (snapshot.partition_epoch != assignment->partition_epoch)
            mr_replica_set_isr (replica, assignment->partition_epoch,
                                assignment->isr, completions);
        }
      else if (snapshot.is_leader
               || snapshot.leader_id != assignment->leader
               || snapshot.leader_epoch != assignment->leader_epoch)
        {
          mr_replica_become_follower (replica, assignment->leader,
                                      assignment->leader_epoch,
                                      assignment->partition_epoch,
                                      completions);
          if (assignment->leader >= 0)
            g_hash_table_add (broker->truncations, g_strdup (key_str));
        }
      mr_replica_snapshot_clear (&snapshot);
    }

  /* Replicas of deleted topics: close, then remove their directories. */
  gone = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_replica_unref);
  g_mutex_lock (&broker->lock);
  g_hash_table_iter_init (&iter, broker->replicas);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (assigned, key))
      {
        g_ptr_array_add (gone, mr_replica_ref (value));
        g_hash_table_remove (broker->truncations, key);
        g_hash_table_iter_remove (&iter);
      }
  g_mutex_unlock (&broker->lock);

  for (guint i = 0; i < gone->len; i++)
    {
      MrReplica *replica = g_ptr_array_index (gone, i);
      g_autoptr(GError) error = NULL;

      /* Closed without checkpoints (nothing is kept), then removed. */
      mr_replica_fail_pending (replica, MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION,
                               completions);
      mr_replica_close (replica, TRUE, FALSE, completions);
      if (!mr_partition_log_delete (mr_replica_get_log (replica), &error))
        g_warning ("Broker %d: %s", broker->id, error->message);
    }

  broker->applied_version = version;
}

/* Step 3: KIP-279 truncation of followers under a new leader. */
static void
truncate_followers (MrBroker *broker)
{
  MrBrokerNetwork *network = mr_cluster_get_network (broker->cluster);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, broker->truncations);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, g_strdup (key));

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key_str = g_ptr_array_index (keys, i);
      g_auto(GStrv) parts = g_strsplit (key_str, "\n", 2);
      gint32 partition = (gint32)g_ascii_strtoll (parts[1], NULL, 10);
      g_autoptr(MrReplica) replica = NULL;
      g_autoptr(MrReplica) leader_replica = NULL;
      MrReplicaSnapshot snapshot;
      gboolean done = FALSE;

      replica = mr_broker_lookup_replica (broker, parts[0], partition);
      if (replica == NULL)
        {
          g_hash_table_remove (broker->truncations, key_str);
          continue;
        }

      mr_replica_snapshot (replica, &snapshot);
      mr_replica_snapshot_clear (&snapshot);
      if (snapshot.is_leader || snapshot.leader_id < 0)
        {
          g_hash_table_remove (broker->truncations, key_str);
          continue;
        }

      if (!mr_broker_network_enter (network, broker->id, snapshot.leader_id,
                                    100, NULL))
        continue;
      leader_replica = mr_cluster_lookup_replica (broker->cluster,
                                                  snapshot.leader_id,
                                                  parts[0], partition);
      if (leader_replica == NULL)
        continue;

      /* Ask, truncate, and ask again while the leader answers with an
       * epoch this replica does not have (rapid double failover). */
      for (guint round = 0; round < 64 && !done; round++)
        {
          g_autoptr(GError) error = NULL;
          gint32 own_epoch = mr_replica_get_latest_epoch (replica);
          gint32 leader_epoch = -1;
          gint64 leader_end = -1;
          gint64 target;
          gint64 from = 0;

          if (own_epoch < 0)
            {
              /* No epochs: an empty log, or one from before epochs. */
              done = TRUE;
              break;
            }

          mr_replica_end_offset_for_epoch (leader_replica, own_epoch,
                                           &leader_epoch, &leader_end);
          target = mr_replica_truncation_offset (replica, leader_epoch,
                                                 leader_end, &done);
          if (target == MR_LEADER_EPOCH_OFFSET_UNDEFINED)
            {
              /* The leader knows nothing of our epochs: keep only what was
               * committed. */
              target = snapshot.high_watermark;
              done = TRUE;
            }

          if (target < snapshot.log_end_offset || !done)
            {
              if (!mr_replica_truncate (replica, target, &from, &error))
                {
                  g_warning ("Broker %d: truncating %s-%d: %s", broker->id,
                             parts[0], partition, error->message);
                  break;
                }
              if (target < from)
                mr_cluster_emit (broker->cluster,
                                 mr_cluster_event_new_replica_truncated (
                                   broker->id, parts[0], partition,
                                   snapshot.leader_epoch, from, target,
                                   "diverged from the new leader"));
              snapshot.log_end_offset = MIN (snapshot.log_end_offset, target);
            }
        }

      if (done)
        g_hash_table_remove (broker->truncations, key_str);
    }
}

/* Step 4. Returns whether any replica received data. */
static gboolean
fetch_from_leaders (MrBroker   *broker,
                    guint       timeout_ms,
                    GHashTable *only,
                    GHashTable *received_keys,
                    GArray     *completions)
{
  MrBrokerNetwork *network = mr_cluster_get_network (broker->cluster);
  g_autoptr(GPtrArray) replicas = only != NULL
    ? copy_replicas_named (broker, only) : copy_replicas (broker);
  g_autoptr(GHashTable) unreachable = g_hash_table_new (NULL, NULL);
  gboolean received = FALSE;
  gint64 now_ms = g_get_real_time () / 1000;

  for (guint i = 0; i < replicas->len; i++)
    {
      MrReplica *replica = g_ptr_array_index (replicas, i);
      const char *topic = mr_replica_get_topic (replica);
      gint32 partition = mr_replica_get_partition (replica);
      g_autofree char *key = replica_key (topic, partition);
      g_autoptr(MrReplica) leader_replica = NULL;
      g_autoptr(GBytes) records = NULL;
      g_autoptr(GError) error = NULL;
      MrReplicaSnapshot snapshot;
      gint64 high_watermark = 0;
      gint64 log_start = 0;
      MrKafkaError code;

      mr_replica_snapshot (replica, &snapshot);
      mr_replica_snapshot_clear (&snapshot);
      if (snapshot.is_leader || snapshot.leader_id < 0
          || g_hash_table_contains (broker->truncations, key)
          || g_hash_table_contains (unreachable,
                                    GINT_TO_POINTER (snapshot.leader_id)))
        continue;

      if (!mr_broker_network_enter (network, broker->id, snapshot.leader_id,
                                    timeout_ms, NULL))
        {
          g_hash_table_add (unreachable, GINT_TO_POINTER (snapshot.leader_id));
          continue;
        }

      leader_replica = mr_cluster_lookup_replica (broker->cluster,
                                                  snapshot.leader_id, topic,
                                                  partition);
      if (leader_replica == NULL)
        continue;

      code = mr_replica_serve_follower (leader_replica, broker->id,
                                        snapshot.leader_epoch,
                                        snapshot.log_end_offset,
                                        FOLLOWER_FETCH_MAX_BYTES, now_ms,
                                        &records, &high_watermark,
                                        &log_start, completions);
      mr_replica_run_completions (completions);

      if (code == MR_KAFKA_ERROR_NONE)
        {
          if (records != NULL)
            {
              mr_broker_network_count (network, snapshot.leader_id,
                                       broker->id,
                                       g_bytes_get_size (records));
              received = TRUE;
              g_hash_table_add (received_keys, g_strdup (key));
            }
          if (!mr_replica_append_from_leader (replica, records,
                                              high_watermark, &error))
            g_debug ("Broker %d: %s", broker->id, error->message);
        }
      else if (code == MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE)
        {
          if (snapshot.log_end_offset < log_start)
            {
              if (!mr_replica_reset_to (replica, log_start, &error))
                g_warning ("Broker %d: %s", broker->id, error->message);
            }
          else
            g_hash_table_add (broker->truncations, g_strdup (key));
        }
      else if (code == MR_KAFKA_ERROR_FENCED_LEADER_EPOCH
               || code == MR_KAFKA_ERROR_UNKNOWN_LEADER_EPOCH
               || code == MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER)
        {
          /* Someone's metadata is stale: look again. */
          broker->applied_version = -1;
        }
      else
        g_debug ("Broker %d fetching %s-%d: %s", broker->id, topic,
                 partition, mr_kafka_error_to_string (code));
    }

  return received;
}

/* Step 5. Returns whether an acks=all produce is waiting here. */
static gboolean
maintain_leaders (MrBroker *broker,
                  gboolean  check_isr,
                  guint     lag_max_ms,
                  GArray   *completions)
{
  MrBrokerNetwork *network = mr_cluster_get_network (broker->cluster);
  g_autoptr(GPtrArray) replicas = copy_replicas (broker);
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 now = g_get_monotonic_time ();
  gboolean waiting = FALSE;

  for (guint i = 0; i < replicas->len; i++)
    {
      MrReplica *replica = g_ptr_array_index (replicas, i);
      g_autoptr(GArray) proposal = NULL;
      MrReplicaSnapshot snapshot;
      gint32 partition_epoch = 0;
      gint32 controller;

      waiting |= mr_replica_expire_pending (replica, now, completions);
      if (!check_isr)
        continue;

      proposal = mr_replica_propose_isr (replica, now_ms, lag_max_ms,
                                         &partition_epoch);
      if (proposal == NULL)
        continue;

      controller = mr_cluster_get_controller_id (broker->cluster);
      if (controller < 0
          || !mr_broker_network_enter (network, broker->id, controller, 100,
                                       NULL))
        {
          mr_replica_cancel_isr_proposal (replica);
          continue;
        }

      mr_replica_snapshot (replica, &snapshot);
      mr_replica_snapshot_clear (&snapshot);
      partition_epoch = mr_cluster_alter_isr (broker->cluster, broker->id,
                                              mr_replica_get_topic (replica),
                                              mr_replica_get_partition (replica),
                                              snapshot.leader_epoch,
                                              partition_epoch, proposal, NULL);
      if (partition_epoch >= 0)
        mr_replica_set_isr (replica, partition_epoch, proposal, completions);
      else
        mr_replica_cancel_isr_proposal (replica);
    }
  mr_replica_run_completions (completions);

  return waiting;
}

/* Step 6. */
static void
housekeep_logs (MrBroker *broker)
{
  g_autoptr(GPtrArray) replicas = copy_replicas (broker);

  for (guint i = 0; i < replicas->len; i++)
    {
      MrPartitionLog *log = mr_replica_get_log (g_ptr_array_index (replicas,
                                                                   i));
      g_autoptr(GError) error = NULL;

      if (!mr_partition_log_tick (log, &error)
          || !mr_partition_log_enforce_retention (log, NULL, &error))
        {
          if (!g_error_matches (error, MR_LOG_ERROR, MR_LOG_ERROR_CLOSED))
            g_warning ("Broker %d: %s", broker->id, error->message);
        }
    }
}

/* @locality: the broker's heartbeat thread. */
static gpointer
heartbeat_thread (gpointer data)
{
  MrBroker *broker = data;
  MrBrokerNetwork *network = mr_cluster_get_network (broker->cluster);
  MrClusterOptions options = { 0, };
  gint64 interval;

  mr_cluster_get_options (broker->cluster, &options);
  interval = (gint64)options.broker_heartbeat_interval_ms
             * G_TIME_SPAN_MILLISECOND;
  mr_cluster_options_clear (&options);

  g_mutex_lock (&broker->lock);
  while (!broker->quit)
    {
      g_mutex_unlock (&broker->lock);
      if (!mr_broker_network_is_paused (network, broker->id)
          && mr_broker_network_enter (network, broker->id,
                                      MR_BROKER_NETWORK_QUORUM, 100, NULL))
        mr_cluster_heartbeat (broker->cluster, broker->id);
      g_mutex_lock (&broker->lock);
      if (!broker->quit)
        g_cond_wait_until (&broker->quit_cond, &broker->lock,
                           g_get_monotonic_time () + interval);
    }
  g_mutex_unlock (&broker->lock);

  return NULL;
}

static gpointer
broker_thread (gpointer data)
{
  MrBroker *broker = data;
  MrBrokerNetwork *network = mr_cluster_get_network (broker->cluster);
  g_autoptr(GArray) completions = mr_replica_completions_new ();
  g_autoptr(GPtrArray) replicas = NULL;
  MrClusterOptions options = { 0, };
  gint64 next_isr_check = 0;
  gint64 next_housekeeping = 0;
  gint64 next_full_pass = 0;
  gint64 next_expiry_check = 0;
  gboolean waiting = FALSE;
  g_autoptr(GHashTable) refetch = g_hash_table_new_full (g_str_hash,
                                                         g_str_equal,
                                                         g_free, NULL);
  guint fetch_timeout;

  mr_cluster_get_options (broker->cluster, &options);
  fetch_timeout = MAX (options.broker_heartbeat_interval_ms / 2, 10);

  while (!should_quit (broker))
    {
      gint64 now;
      gint64 deadline;
      gboolean received;

      if (mr_broker_network_is_paused (network, broker->id))
        {
          /* A long GC pause: nothing runs, not even heartbeats. */
          mr_broker_network_wait_resumed (network, broker->id,
                                          g_get_monotonic_time ()
                                          + 50 * G_TIME_SPAN_MILLISECOND);
          continue;
        }

      if (mr_cluster_get_metadata_version (broker->cluster)
          != broker->applied_version)
        apply_metadata (broker, completions);
      mr_replica_run_completions (completions);

      if (g_hash_table_size (broker->truncations) > 0)
        truncate_followers (broker);

      /* Step 4 visits only the partitions whose leaders appended, and
       * those that just received data (the next fetch reports their new
       * log end, which moves the high watermark); every partition gets a
       * pass after any other wake-up, while truncations are under way and
       * every replica.fetch.wait.max.ms, which keeps the leaders'
       * caught-up times and the followers' high watermarks fresh. */
      {
        g_autoptr(GHashTable) appended = take_appended (broker);
        GHashTable *received_keys = g_hash_table_new_full (g_str_hash,
                                                           g_str_equal,
                                                           g_free, NULL);
        GHashTable *only = NULL;
        GHashTableIter iter;
        gpointer key;

        now = g_get_monotonic_time ();
        if (appended == NULL || now >= next_full_pass ||
            g_hash_table_size (broker->truncations) > 0)
          next_full_pass = now + (gint64)options.replica_fetch_wait_max_ms
                                 * G_TIME_SPAN_MILLISECOND;
        else
          {
            g_hash_table_iter_init (&iter, refetch);
            while (g_hash_table_iter_next (&iter, &key, NULL))
              g_hash_table_add (appended, g_strdup (key));
            only = appended;
          }
        received = fetch_from_leaders (broker, fetch_timeout, only,
                                       received_keys, completions);
        g_hash_table_unref (refetch);
        refetch = received_keys;
      }

      now = g_get_monotonic_time ();
      /* Step 5 visits every replica: every 20 ms is fine enough for the
       * acks=all deadlines, and keeps a busy loop cheap. */
      if (now >= next_isr_check || now >= next_expiry_check)
        {
          waiting = maintain_leaders (broker, now >= next_isr_check,
                                      options.replica_lag_time_max_ms,
                                      completions);
          next_expiry_check = now + 20 * G_TIME_SPAN_MILLISECOND;
        }
      if (now >= next_isr_check)
        next_isr_check = now + CLAMP (options.replica_lag_time_max_ms / 4,
                                      20, 1000) * G_TIME_SPAN_MILLISECOND;

      if (now >= next_housekeeping)
        {
          housekeep_logs (broker);
          next_housekeeping = now + G_TIME_SPAN_SECOND;
        }

      /* Fresh data: fetch again at once, which tells the leader our new
       * log end offset. */
      if (received)
        continue;

      deadline = MIN (next_isr_check, next_housekeeping);
      deadline = MIN (deadline, now + (gint64)options.replica_fetch_wait_max_ms
                                      * G_TIME_SPAN_MILLISECOND);
      /* Waiting acks=all produces have their deadlines checked at this
       * granularity; an idle broker sleeps longer (a laptop's battery). */
      if (waiting)
        deadline = MIN (deadline, now + 50 * G_TIME_SPAN_MILLISECOND);
      wait_for_wake (broker, deadline);
    }

  /* Shut down: cleanly, or as a crash. */
  replicas = copy_replicas (broker);
  for (guint i = 0; i < replicas->len; i++)
    mr_replica_close (g_ptr_array_index (replicas, i), broker->crash,
                      broker->power_loss, completions);
  mr_replica_run_completions (completions);

  g_mutex_lock (&broker->lock);
  g_hash_table_remove_all (broker->replicas);
  g_mutex_unlock (&broker->lock);
  g_hash_table_remove_all (broker->truncations);

  mr_cluster_options_clear (&options);
  return NULL;
}

void
mr_broker_start (MrBroker *broker)
{
  g_autofree char *name = g_strdup_printf ("broker-%d", broker->id);
  g_autofree char *heartbeat_name = g_strdup_printf ("broker-%d-heartbeat",
                                                     broker->id);

  g_mutex_lock (&broker->lock);
  g_assert (broker->thread == NULL && broker->heartbeat_thread == NULL);
  broker->quit = FALSE;
  broker->crash = FALSE;
  broker->power_loss = FALSE;
  broker->applied_version = -1;
  g_mkdir_with_parents (broker->directory, 0755);
  broker->thread = g_thread_new (name, broker_thread, broker);
  broker->heartbeat_thread = g_thread_new (heartbeat_name, heartbeat_thread,
                                           broker);
  g_mutex_unlock (&broker->lock);
}

static void
end_thread (MrBroker *broker,
            gboolean  crash,
            gboolean  power_loss)
{
  GThread *heartbeats;
  GThread *thread;

  g_mutex_lock (&broker->lock);
  thread = g_steal_pointer (&broker->thread);
  heartbeats = g_steal_pointer (&broker->heartbeat_thread);
  broker->quit = TRUE;
  broker->crash = crash;
  broker->power_loss = power_loss;
  g_cond_broadcast (&broker->quit_cond);
  g_mutex_unlock (&broker->lock);

  if (thread == NULL)
    return;

  /* Silence first, as with a real crash: no heartbeat after this. */
  g_thread_join (heartbeats);
  mr_broker_wake (broker);
  g_thread_join (thread);
}

void
mr_broker_stop (MrBroker *broker)
{
  end_thread (broker, FALSE, FALSE);
}

void
mr_broker_crash (MrBroker *broker,
                 gboolean  power_loss)
{
  end_thread (broker, TRUE, power_loss);
}

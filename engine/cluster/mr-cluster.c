/* mr-cluster.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-cluster.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mr-broker.h"
#include "mr-cluster-error.h"
#include "mr-cluster-private.h"
#include "mr-group-coordinator.h"
#include "mr-group-offsets-codec.h"
#include "mr-metadata-store.h"
#include "mr-topic-rules.h"

/* How the cluster fits together
 * =============================
 *
 * Brokers are threads (mr-broker.c), each with its directory
 * <data-dir>/broker-<id>/ and its replicas (mr-replica.c). They talk to each
 * other only through the in-process network (mr-broker-network.c), where
 * faults apply.
 *
 * The controller quorum is this file's supervisor thread, standing for
 * KRaft's controller quorum: it takes the brokers' heartbeats, decides which
 * live broker holds the controller role (the lowest id that heartbeats; it
 * moves when its holder stops, crashes, is paused past the session timeout
 * or is isolated), and runs the controller's decisions in that broker's
 * name: electing leaders from the ISR when a leader's broker is no longer
 * alive, removing dead brokers from ISRs, restoring preferred leaders,
 * accepting the leaders' ISR changes (AlterPartition), creating and
 * deleting topics. A broker is alive while its heartbeats arrive within
 * broker.session.timeout.ms; a clean stop is known at once (controlled
 * shutdown moves its leaderships first).
 *
 * The metadata (topics, configs, assignments, leaders, epochs, ISRs) lives
 * in memory under the cluster's lock and in SQLite (mr-metadata-store.c),
 * written in a transaction before a decision takes effect, so the cluster
 * reopens as it was. Every decision bumps the metadata version; brokers
 * notice, and pull what concerns them from the controller through the
 * network (an isolated broker cannot, and goes on as a zombie until it
 * can).
 *
 * @locks: lock protects topics, metadata_version, controller_id,
 * controller_epoch, alive/heartbeat state and the broker states; it is
 * never held while calling into a broker's thread or a replica, except
 * mr_broker_wake() (a leaf). Order: cluster lock, then broker lock, then
 * replica lock, then the log's. */

typedef struct
{
  GArray *replicas;
  gint32  leader;
  gint32  leader_epoch;
  GArray *isr;
  gint32  partition_epoch;
} PartitionState;

typedef struct
{
  char          *name;
  GHashTable    *overrides;     /* name → value */
  MrTopicConfig  config;
  GPtrArray     *partitions;    /* PartitionState */
} TopicState;

typedef struct
{
  MrBroker      *broker;
  MrBrokerState  state;         /* running, stopped, crashed; paused and
                                 * isolated are network facts on top */
  gboolean       stopping;      /* controlled shutdown under way */
  gint64         last_heartbeat;
  guint64        n_requests;    /* atomic: requests answered, cumulative */
} BrokerSlot;

struct _MrCluster
{
  gatomicrefcount   ref_count;
  MrClusterOptions  options;
  char             *cluster_id;
  MrBrokerNetwork  *network;
  MrEventStream    *events;
  MrMetadataStore  *store;

  GMutex            lock;
  GCond             changed;
  BrokerSlot       *slots;        /* [n_brokers], broker i at i - 1 */
  GHashTable       *topics;       /* name → TopicState */
  gint64            metadata_version;
  gint32            controller_id;
  gint32            controller_epoch;
  GThread          *supervisor;
  MrGroupCoordinator *groups;     /* the group coordinators */
  gboolean          started;
  gboolean          quit;
};

static void partition_state_free (PartitionState *partition);
static gboolean ensure_offsets_topic (MrCluster  *cluster,
                                      GError    **error);

/* ---------------------------------------------------------------------- */
/* Options.                                                               */

void
mr_cluster_options_init (MrClusterOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->data_dir = g_build_filename (g_get_user_data_dir (), "millrace",
                                        "default", NULL);
  options->n_brokers = 3;
  options->host = g_strdup ("127.0.0.1");
  options->first_port = 9092;
  options->auto_create_topics = TRUE;
  options->default_partitions = 3;
  options->default_replication_factor = -1;
  options->simulate_power_loss = FALSE;
  /* Kafka's defaults are 30 s and 9 s (heartbeats every 2 s), made for
   * networks and JVM pauses. Here heartbeats cross no network and no
   * collector stops the threads, so a crashed broker is fenced after half a
   * second: a client's produce stalls well under 1.5 s (bench-kafka), and a
   * class can watch the election happen. Four heartbeats fit in a session,
   * so one late heartbeat on a busy machine fences nobody. */
  options->replica_lag_time_max_ms = 10000;
  options->broker_session_timeout_ms = 500;
  options->broker_heartbeat_interval_ms = 125;
  options->replica_fetch_wait_max_ms = 500;
  options->request_timeout_ms = 30000;
  /* Kafka's 50 offsets partitions cost a laptop 150 replicas at every
   * start for nothing: 10 spread the groups over every broker of a small
   * cluster and keep starting instant. */
  options->offsets_topic_partitions = 10;
  options->offsets_topic_replication_factor = -1;
  options->group_initial_rebalance_delay_ms = 3000;
}

void
mr_cluster_options_clear (MrClusterOptions *options)
{
  g_clear_pointer (&options->data_dir, g_free);
  g_clear_pointer (&options->host, g_free);
}

static void
options_copy (MrClusterOptions       *dest,
              const MrClusterOptions *src)
{
  *dest = *src;
  dest->data_dir = g_strdup (src->data_dir);
  dest->host = g_strdup (src->host);
}

static const char * const action_names[] = {
  [MR_BROKER_ACTION_START] = "start",
  [MR_BROKER_ACTION_STOP] = "stop",
  [MR_BROKER_ACTION_CRASH] = "crash",
  [MR_BROKER_ACTION_PAUSE] = "pause",
  [MR_BROKER_ACTION_RESUME] = "resume",
  [MR_BROKER_ACTION_ISOLATE] = "isolate",
  [MR_BROKER_ACTION_HEAL] = "heal",
  [MR_BROKER_ACTION_SLOW] = "slow",
};

const char *
mr_broker_action_to_string (MrBrokerAction action)
{
  g_return_val_if_fail ((guint)action < G_N_ELEMENTS (action_names), NULL);

  return action_names[action];
}

gboolean
mr_broker_action_from_string (const char     *name,
                              MrBrokerAction *action)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (g_strcmp0 (action_names[i], name) == 0)
      {
        *action = (MrBrokerAction)i;
        return TRUE;
      }
  return FALSE;
}

/* What undoes a fault; a recovery action undoes nothing and maps to
 * itself. */
MrBrokerAction
mr_broker_action_get_healing (MrBrokerAction fault)
{
  switch (fault)
    {
    case MR_BROKER_ACTION_STOP:
    case MR_BROKER_ACTION_CRASH:
      return MR_BROKER_ACTION_START;
    case MR_BROKER_ACTION_PAUSE:
      return MR_BROKER_ACTION_RESUME;
    case MR_BROKER_ACTION_ISOLATE:
    case MR_BROKER_ACTION_SLOW:
      return MR_BROKER_ACTION_HEAL;
    case MR_BROKER_ACTION_START:
    case MR_BROKER_ACTION_RESUME:
    case MR_BROKER_ACTION_HEAL:
    default:
      return fault;
    }
}

/* ---------------------------------------------------------------------- */
/* Metadata in memory.                                                    */

static GArray *
ids_copy (const GArray *ids)
{
  GArray *copy = g_array_new (FALSE, FALSE, sizeof (gint32));

  if (ids != NULL)
    g_array_append_vals (copy, ids->data, ids->len);
  return copy;
}

static gboolean
ids_contain (const GArray *ids,
             gint32        id)
{
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    if (g_array_index (ids, gint32, i) == id)
      return TRUE;
  return FALSE;
}

static gboolean
ids_equal (const GArray *a,
           const GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!ids_contain (b, g_array_index (a, gint32, i)))
      return FALSE;
  return TRUE;
}

static void
partition_state_free (PartitionState *partition)
{
  g_clear_pointer (&partition->replicas, g_array_unref);
  g_clear_pointer (&partition->isr, g_array_unref);
  g_free (partition);
}

static void
topic_state_free (TopicState *topic)
{
  g_free (topic->name);
  g_clear_pointer (&topic->overrides, g_hash_table_unref);
  g_clear_pointer (&topic->partitions, g_ptr_array_unref);
  g_free (topic);
}

static TopicState *
topic_state_new (const char *name,
                 GHashTable *overrides)
{
  TopicState *topic = g_new0 (TopicState, 1);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  topic->name = g_strdup (name);
  topic->overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            g_free);
  if (overrides != NULL)
    {
      g_hash_table_iter_init (&iter, overrides);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_replace (topic->overrides, g_strdup (key),
                              g_strdup (value));
    }
  mr_topic_config_init_defaults (&topic->config);
  mr_topic_config_apply (&topic->config, topic->overrides, NULL);
  topic->partitions = g_ptr_array_new_with_free_func (
    (GDestroyNotify)partition_state_free);

  return topic;
}

static BrokerSlot *
slot (MrCluster *cluster,
      gint32     broker_id)
{
  g_assert (broker_id >= 1 && (guint)broker_id <= cluster->options.n_brokers);
  return &cluster->slots[broker_id - 1];
}

/* @locks lock held. Alive, as the controller sees it: its heartbeats
 * arrive within the session timeout. A clean stop is announced, so it counts
 * at once; a crash is not: like a real controller, this one only notices
 * the silence. */
static gboolean
is_alive_locked (MrCluster *cluster,
                 gint32     broker_id,
                 gint64     now)
{
  BrokerSlot *s;

  if (broker_id < 1 || (guint)broker_id > cluster->options.n_brokers)
    return FALSE;
  s = slot (cluster, broker_id);
  if (s->state == MR_BROKER_STATE_STOPPED || s->stopping)
    return FALSE;
  return now - s->last_heartbeat
         <= (gint64)cluster->options.broker_session_timeout_ms
            * G_TIME_SPAN_MILLISECOND;
}

static void
wake_all_brokers (MrCluster *cluster)
{
  for (guint i = 0; i < cluster->options.n_brokers; i++)
    mr_broker_wake (cluster->slots[i].broker);
}

/* @locks lock held. */
static void
bump_version_locked (MrCluster *cluster)
{
  cluster->metadata_version++;
  g_cond_broadcast (&cluster->changed);
}

/* ---------------------------------------------------------------------- */
/* Persistence.                                                           */

/* The topic's partitions from @first on, as the store takes them. */
static GPtrArray *
partitions_to_metadata (TopicState *topic,
                        guint       first)
{
  GPtrArray *partitions = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_partition_metadata_free);

  for (guint i = first; i < topic->partitions->len; i++)
    {
      PartitionState *state = g_ptr_array_index (topic->partitions, i);
      MrPartitionMetadata *meta = g_new0 (MrPartitionMetadata, 1);

      meta->partition = (gint32)i;
      meta->replicas = ids_copy (state->replicas);
      meta->leader = state->leader;
      meta->leader_epoch = state->leader_epoch;
      meta->isr = ids_copy (state->isr);
      meta->partition_epoch = state->partition_epoch;
      g_ptr_array_add (partitions, meta);
    }
  return partitions;
}

/* @locks lock held. Writes the partitions' current state; the store keeps
 * its own partition epochs, so this writes what the controller decided. */
static void
persist_partition_locked (MrCluster  *cluster,
                          TopicState *topic,
                          guint       index)
{
  PartitionState *state = g_ptr_array_index (topic->partitions, index);
  g_autoptr(GError) error = NULL;

  /* The controller is the only writer: the store's epoch is the one before
   * this decision. */
  if (!mr_metadata_store_update_partition (cluster->store, topic->name,
                                           (gint32)index,
                                           state->partition_epoch - 1,
                                           state->leader, state->leader_epoch,
                                           state->isr, NULL, &error))
    g_warning ("Could not record %s-%u: %s", topic->name, index,
               error->message);
}

static gboolean
load_metadata (MrCluster  *cluster,
               GError    **error)
{
  g_autoptr(GPtrArray) topics = NULL;

  topics = mr_metadata_store_list_topics (cluster->store, error);
  if (topics == NULL)
    return FALSE;

  for (guint i = 0; i < topics->len; i++)
    {
      MrTopicMetadata *meta = g_ptr_array_index (topics, i);
      TopicState *topic = topic_state_new (meta->name, meta->overrides);

      for (guint p = 0; p < meta->partitions->len; p++)
        {
          MrPartitionMetadata *pmeta = g_ptr_array_index (meta->partitions,
                                                          p);
          PartitionState *state = g_new0 (PartitionState, 1);

          state->replicas = ids_copy (pmeta->replicas);
          state->leader = pmeta->leader;
          state->leader_epoch = pmeta->leader_epoch;
          state->isr = ids_copy (pmeta->isr);
          state->partition_epoch = pmeta->partition_epoch;
          g_ptr_array_add (topic->partitions, state);
        }
      g_hash_table_replace (cluster->topics, topic->name, topic);
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The controller.                                                        */

/* @locks lock held. Events are collected and emitted after unlocking. */
static gboolean
elect_controller_locked (MrCluster *cluster,
                         gint64     now,
                         GPtrArray *events)
{
  gint32 chosen = -1;

  if (cluster->controller_id > 0
      && is_alive_locked (cluster, cluster->controller_id, now))
    return FALSE;

  for (gint32 id = 1; (guint)id <= cluster->options.n_brokers; id++)
    if (is_alive_locked (cluster, id, now))
      {
        chosen = id;
        break;
      }

  if (chosen == cluster->controller_id)
    return FALSE;

  if (chosen > 0)
    {
      g_autoptr(GError) error = NULL;
      gint32 epoch = 0;

      if (!mr_metadata_store_bump_controller_epoch (cluster->store, &epoch,
                                                    &error))
        g_warning ("Could not record the controller epoch: %s",
                   error->message);
      else
        cluster->controller_epoch = epoch;
    }

  g_ptr_array_add (events,
                   mr_cluster_event_new_controller_moved (
                     cluster->controller_id, chosen,
                     cluster->controller_epoch,
                     chosen > 0 ? "the previous controller is not alive"
                                : "no broker is alive"));
  cluster->controller_id = chosen;
  return TRUE;
}

static const char *
reason_for_leader_loss (MrCluster *cluster,
                        gint32     leader)
{
  BrokerSlot *s;

  if (leader < 1)
    return "the partition had no leader";
  s = slot (cluster, leader);
  if (s->stopping || s->state == MR_BROKER_STATE_STOPPED)
    return "its leader's broker stopped";
  if (s->state == MR_BROKER_STATE_CRASHED)
    return "its leader's broker crashed";
  return "its leader's broker stopped heartbeating";
}

/* @locks lock held. One partition's decisions; returns whether it changed. */
static gboolean
control_partition_locked (MrCluster      *cluster,
                          TopicState     *topic,
                          guint           index,
                          gint64          now,
                          GPtrArray      *events)
{
  PartitionState *state = g_ptr_array_index (topic->partitions, index);
  g_autoptr(GArray) isr_before = ids_copy (state->isr);
  g_autoptr(GArray) live_isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  gint32 previous_leader = state->leader;
  gint32 preferred = g_array_index (state->replicas, gint32, 0);
  gboolean leader_alive = is_alive_locked (cluster, state->leader, now);
  gboolean changed = FALSE;

  for (guint i = 0; i < state->isr->len; i++)
    {
      gint32 id = g_array_index (state->isr, gint32, i);

      if (is_alive_locked (cluster, id, now))
        g_array_append_val (live_isr, id);
    }

  if (!leader_alive)
    {
      gint32 chosen = -1;

      /* Clean election: the first live replica, in preference order, that
       * is in the ISR. */
      for (guint i = 0; i < state->replicas->len && chosen < 0; i++)
        {
          gint32 id = g_array_index (state->replicas, gint32, i);

          if (ids_contain (live_isr, id))
            chosen = id;
        }

      if (chosen > 0)
        {
          state->leader = chosen;
          state->leader_epoch++;
          g_array_unref (state->isr);
          state->isr = ids_copy (live_isr);
          g_ptr_array_add (events,
                           mr_cluster_event_new_leader_elected (
                             topic->name, (gint32)index, chosen,
                             state->leader_epoch, previous_leader,
                             reason_for_leader_loss (cluster,
                                                     previous_leader)));
          changed = TRUE;
        }
      else if (topic->config.unclean_leader_election_enable)
        {
          for (guint i = 0; i < state->replicas->len && chosen < 0; i++)
            {
              gint32 id = g_array_index (state->replicas, gint32, i);

              if (is_alive_locked (cluster, id, now))
                chosen = id;
            }
          if (chosen > 0)
            {
              g_autoptr(MrReplica) replica = NULL;
              g_autofree char *reason = NULL;
              gint64 first_lost = -1;

              state->leader = chosen;
              state->leader_epoch++;
              g_array_set_size (state->isr, 0);
              g_array_append_val (state->isr, chosen);

              /* Everything from the new leader's log end on that the old
               * leader held is lost; the old leader names the exact range
               * (a replica-truncated event) when it comes back. Lock order
               * allows the broker and replica locks under ours. */
              replica = mr_cluster_lookup_replica (cluster, chosen,
                                                   topic->name,
                                                   (gint32)index);
              if (replica != NULL)
                first_lost = mr_partition_log_get_log_end_offset (
                  mr_replica_get_log (replica));
              reason = g_strdup_printf (
                "no in-sync replica is alive and "
                "unclean.leader.election.enable is on: whatever the old "
                "leader held from offset %" G_GINT64_FORMAT " on is lost",
                first_lost);
              g_ptr_array_add (events,
                               mr_cluster_event_new_unclean_leader_elected (
                                 topic->name, (gint32)index, chosen,
                                 state->leader_epoch, previous_leader, -1, -1,
                                 reason));
              changed = TRUE;
            }
        }

      if (chosen < 0 && state->leader != -1)
        {
          /* Offline: keep the ISR as it was, so that the partition comes
           * back only with a replica that has every committed record. */
          state->leader = -1;
          state->leader_epoch++;
          g_ptr_array_add (events,
                           mr_cluster_event_new_leader_elected (
                             topic->name, (gint32)index, -1,
                             state->leader_epoch, previous_leader,
                             "no in-sync replica is alive: the partition is "
                             "offline"));
          changed = TRUE;
        }
      else if (chosen < 0 && state->leader == -1)
        {
          /* Still offline; a returning ISR member brings it back above. */
        }
    }
  else if (live_isr->len < state->isr->len && live_isr->len > 0)
    {
      /* Dead brokers leave the ISR (KRaft fences them). */
      g_array_unref (state->isr);
      state->isr = ids_copy (live_isr);
      g_ptr_array_add (events,
                       mr_cluster_event_new_isr_shrunk (
                         topic->name, (gint32)index, state->leader,
                         state->leader_epoch, isr_before, state->isr,
                         "a replica's broker is not alive"));
      changed = TRUE;
    }
  else if (preferred != state->leader && ids_contain (live_isr, preferred))
    {
      /* The preferred replica is back and in sync: give it its leadership
       * back, so leaders stay balanced. */
      state->leader = preferred;
      state->leader_epoch++;
      g_ptr_array_add (events,
                       mr_cluster_event_new_preferred_leader_restored (
                         topic->name, (gint32)index, preferred,
                         state->leader_epoch, previous_leader,
                         "the preferred replica is in sync again"));
      changed = TRUE;
    }

  if (changed)
    {
      state->partition_epoch++;
      persist_partition_locked (cluster, topic, index);
    }
  return changed;
}

/* @locks lock held. */
static gboolean
control_locked (MrCluster *cluster,
                GPtrArray *events)
{
  gint64 now = g_get_monotonic_time ();
  gboolean changed = elect_controller_locked (cluster, now, events);
  GHashTableIter iter;
  gpointer value;

  if (cluster->controller_id < 0)
    return changed;

  g_hash_table_iter_init (&iter, cluster->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TopicState *topic = value;

      for (guint i = 0; i < topic->partitions->len; i++)
        changed |= control_partition_locked (cluster, topic, i, now, events);
    }

  if (changed)
    bump_version_locked (cluster);
  return changed;
}

static void
emit_all (MrCluster *cluster,
          GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    mr_event_stream_emit (cluster->events, g_ptr_array_index (events, i));
  g_ptr_array_set_size (events, 0);
}

static void
control (MrCluster *cluster)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_cluster_event_unref);
  gboolean changed;

  g_mutex_lock (&cluster->lock);
  changed = control_locked (cluster, events);
  g_mutex_unlock (&cluster->lock);

  emit_all (cluster, events);
  if (changed)
    wake_all_brokers (cluster);
}

static gpointer
supervisor_thread (gpointer data)
{
  MrCluster *cluster = data;
  gint64 interval = CLAMP (cluster->options.broker_heartbeat_interval_ms / 2,
                           10, 250) * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&cluster->lock);
  while (!cluster->quit)
    {
      g_mutex_unlock (&cluster->lock);
      control (cluster);
      g_mutex_lock (&cluster->lock);
      g_cond_wait_until (&cluster->changed, &cluster->lock,
                         g_get_monotonic_time () + interval);
    }
  g_mutex_unlock (&cluster->lock);

  return NULL;
}

/* ---------------------------------------------------------------------- */
/* What brokers call.                                                     */

MrBrokerNetwork *
mr_cluster_get_network (MrCluster *cluster)
{
  return cluster->network;
}

void
mr_cluster_heartbeat (MrCluster *cluster,
                      gint32     broker_id)
{
  g_mutex_lock (&cluster->lock);
  slot (cluster, broker_id)->last_heartbeat = g_get_monotonic_time ();
  g_mutex_unlock (&cluster->lock);
}

gint64
mr_cluster_get_metadata_version (MrCluster *cluster)
{
  gint64 version;

  g_mutex_lock (&cluster->lock);
  version = cluster->metadata_version;
  g_mutex_unlock (&cluster->lock);

  return version;
}

GPtrArray *
mr_cluster_copy_assignments (MrCluster *cluster,
                             gint32     broker_id,
                             gint64    *version)
{
  GPtrArray *assignments = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_partition_assignment_free);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&cluster->lock);
  *version = cluster->metadata_version;
  g_hash_table_iter_init (&iter, cluster->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TopicState *topic = value;

      for (guint i = 0; i < topic->partitions->len; i++)
        {
          PartitionState *state = g_ptr_array_index (topic->partitions, i);
          MrPartitionAssignment *assignment = NULL;

          if (!ids_contain (state->replicas, broker_id))
            continue;

          assignment = g_new0 (MrPartitionAssignment, 1);
          assignment->topic = g_strdup (topic->name);
          assignment->partition = (gint32)i;
          assignment->leader = state->leader;
          assignment->leader_epoch = state->leader_epoch;
          assignment->partition_epoch = state->partition_epoch;
          assignment->replicas = ids_copy (state->replicas);
          assignment->isr = ids_copy (state->isr);
          assignment->log_config = topic->config.log;
          assignment->min_insync_replicas = topic->config.min_insync_replicas;
          g_ptr_array_add (assignments, assignment);
        }
    }
  g_mutex_unlock (&cluster->lock);

  return assignments;
}

gint32
mr_cluster_alter_isr (MrCluster     *cluster,
                      gint32         leader_id,
                      const char    *topic_name,
                      gint32         partition,
                      gint32         leader_epoch,
                      gint32         partition_epoch,
                      const GArray  *isr,
                      GError       **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_cluster_event_unref);
  g_autoptr(GArray) accepted = g_array_new (FALSE, FALSE, sizeof (gint32));
  PartitionState *state = NULL;
  TopicState *topic = NULL;
  gint64 now = g_get_monotonic_time ();
  gint32 result;

  g_mutex_lock (&cluster->lock);
  topic = g_hash_table_lookup (cluster->topics, topic_name);
  if (topic != NULL && partition >= 0
      && (guint)partition < topic->partitions->len)
    state = g_ptr_array_index (topic->partitions, partition);

  if (state == NULL || state->leader != leader_id
      || state->leader_epoch != leader_epoch
      || state->partition_epoch != partition_epoch)
    {
      g_mutex_unlock (&cluster->lock);
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH,
                   "Broker %d's ISR change for %s-%d is stale", leader_id,
                   topic_name, partition);
      return -1;
    }

  /* Only live brokers may join (KRaft refuses fenced ones). */
  for (guint i = 0; i < isr->len; i++)
    {
      gint32 id = g_array_index (isr, gint32, i);

      if (id == leader_id || is_alive_locked (cluster, id, now)
          || ids_contain (state->isr, id))
        g_array_append_val (accepted, id);
    }

  if (!ids_equal (accepted, isr))
    {
      g_mutex_unlock (&cluster->lock);
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH,
                   "The ISR proposed for %s-%d names a broker that is not "
                   "alive", topic_name, partition);
      return -1;
    }

  g_ptr_array_add (events,
                   isr->len < state->isr->len
                     ? mr_cluster_event_new_isr_shrunk (
                         topic_name, partition, leader_id, leader_epoch,
                         state->isr, (GArray *)isr,
                         "a follower fell behind for longer than "
                         "replica.lag.time.max.ms")
                     : mr_cluster_event_new_isr_expanded (
                         topic_name, partition, leader_id, leader_epoch,
                         state->isr, (GArray *)isr,
                         "a follower caught up with the leader"));
  g_array_unref (state->isr);
  state->isr = ids_copy (isr);
  state->partition_epoch++;
  result = state->partition_epoch;
  persist_partition_locked (cluster, topic, (guint)partition);
  bump_version_locked (cluster);
  g_mutex_unlock (&cluster->lock);

  emit_all (cluster, events);
  wake_all_brokers (cluster);
  return result;
}

MrReplica *
mr_cluster_lookup_replica (MrCluster  *cluster,
                           gint32      broker_id,
                           const char *topic,
                           gint32      partition)
{
  if (broker_id < 1 || (guint)broker_id > cluster->options.n_brokers)
    return NULL;
  return mr_broker_lookup_replica (slot (cluster, broker_id)->broker, topic,
                                   partition);
}

void
mr_cluster_emit (MrCluster      *cluster,
                 MrClusterEvent *event)
{
  mr_event_stream_emit (cluster->events, event);
  mr_cluster_event_unref (event);
}

void
mr_cluster_wake_followers (MrCluster  *cluster,
                           const char *topic_name,
                           gint32      partition)
{
  gint32 followers[MR_CLUSTER_MAX_BROKERS];
  guint n_followers = 0;
  TopicState *topic;

  g_mutex_lock (&cluster->lock);
  topic = g_hash_table_lookup (cluster->topics, topic_name);
  if (topic != NULL && partition >= 0
      && (guint)partition < topic->partitions->len)
    {
      PartitionState *state = g_ptr_array_index (topic->partitions,
                                                 partition);

      for (guint i = 0; i < state->replicas->len; i++)
        {
          gint32 id = g_array_index (state->replicas, gint32, i);

          if (id != state->leader && n_followers < G_N_ELEMENTS (followers))
            followers[n_followers++] = id;
        }
    }
  g_mutex_unlock (&cluster->lock);

  for (guint i = 0; i < n_followers; i++)
    mr_broker_wake_for_append (slot (cluster, followers[i])->broker,
                               topic_name, partition);
}

/* ---------------------------------------------------------------------- */
/* Life cycle.                                                            */

MrCluster *
mr_cluster_new (const MrClusterOptions  *options,
                GError                 **error)
{
  g_autoptr(MrCluster) cluster = NULL;
  g_autofree char *store_path = NULL;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->n_brokers < 1 || options->n_brokers > MR_CLUSTER_MAX_BROKERS)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_STATE,
                   "A cluster has 1 to %d brokers, not %u",
                   MR_CLUSTER_MAX_BROKERS, options->n_brokers);
      return NULL;
    }

  if (g_mkdir_with_parents (options->data_dir, 0755) != 0
      || g_access (options->data_dir, W_OK) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE,
                   "Cannot use “%s” as the cluster directory: %s",
                   options->data_dir, g_strerror (saved_errno));
      return NULL;
    }

  cluster = g_new0 (MrCluster, 1);
  g_atomic_ref_count_init (&cluster->ref_count);
  options_copy (&cluster->options, options);
  g_mutex_init (&cluster->lock);
  g_cond_init (&cluster->changed);
  cluster->controller_id = -1;
  cluster->topics = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify)topic_state_free);
  cluster->events = mr_event_stream_new (10000);
  cluster->network = mr_broker_network_new (options->n_brokers);
  cluster->slots = g_new0 (BrokerSlot, options->n_brokers);

  store_path = g_build_filename (options->data_dir, "metadata.db", NULL);
  cluster->store = mr_metadata_store_open (store_path, error);
  if (cluster->store == NULL)
    return NULL;
  cluster->cluster_id = g_strdup (
    mr_metadata_store_get_cluster_id (cluster->store));
  if (!load_metadata (cluster, error))
    return NULL;

  for (guint i = 0; i < options->n_brokers; i++)
    {
      g_autofree char *name = g_strdup_printf ("broker-%u", i + 1);
      g_autofree char *dir = g_build_filename (options->data_dir, name, NULL);

      cluster->slots[i].broker = mr_broker_new (cluster, (gint32)i + 1, dir);
      cluster->slots[i].state = MR_BROKER_STATE_STOPPED;
    }

  cluster->groups = mr_group_coordinator_new (cluster);

  return g_steal_pointer (&cluster);
}

MrCluster *
mr_cluster_ref (MrCluster *cluster)
{
  g_return_val_if_fail (cluster != NULL, NULL);

  g_atomic_ref_count_inc (&cluster->ref_count);
  return cluster;
}

void
mr_cluster_unref (MrCluster *cluster)
{
  g_return_if_fail (cluster != NULL);

  if (!g_atomic_ref_count_dec (&cluster->ref_count))
    return;

  mr_cluster_shutdown (cluster);
  g_clear_pointer (&cluster->groups, mr_group_coordinator_free);
  for (guint i = 0; cluster->slots != NULL && i < cluster->options.n_brokers;
       i++)
    mr_broker_free (cluster->slots[i].broker);
  g_free (cluster->slots);
  g_clear_pointer (&cluster->topics, g_hash_table_unref);
  g_clear_pointer (&cluster->store, mr_metadata_store_close);
  if (cluster->events != NULL)
    {
      mr_event_stream_close (cluster->events);
      mr_event_stream_unref (cluster->events);
    }
  mr_broker_network_free (cluster->network);
  mr_cluster_options_clear (&cluster->options);
  g_mutex_clear (&cluster->lock);
  g_cond_clear (&cluster->changed);
  g_free (cluster->cluster_id);
  g_free (cluster);
}

/* Waits until every partition that has a leader is led by a replica that
 * knows it (its broker applied the metadata), or @timeout_ms passes. */
static gboolean
wait_for_leaders (MrCluster *cluster,
                  guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GArray) leaders = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr(GArray) epochs = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (gint32));
      GHashTableIter iter;
      gpointer value;
      gboolean ready = TRUE;

      g_mutex_lock (&cluster->lock);
      g_hash_table_iter_init (&iter, cluster->topics);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          TopicState *topic = value;

          for (guint i = 0; i < topic->partitions->len; i++)
            {
              PartitionState *state = g_ptr_array_index (topic->partitions,
                                                         i);
              gint32 index = (gint32)i;

              if (state->leader < 0)
                continue;
              g_ptr_array_add (pending, g_strdup (topic->name));
              g_array_append_val (leaders, state->leader);
              g_array_append_val (epochs, state->leader_epoch);
              g_array_append_val (indexes, index);
            }
        }
      g_mutex_unlock (&cluster->lock);

      for (guint i = 0; i < pending->len && ready; i++)
        {
          g_autoptr(MrReplica) replica = NULL;
          MrReplicaSnapshot snapshot;

          replica = mr_cluster_lookup_replica (
            cluster, g_array_index (leaders, gint32, i),
            g_ptr_array_index (pending, i), g_array_index (indexes, gint32, i));
          if (replica == NULL)
            {
              ready = FALSE;
              break;
            }
          mr_replica_snapshot (replica, &snapshot);
          ready = snapshot.is_leader
                  && snapshot.leader_epoch == g_array_index (epochs, gint32, i);
          mr_replica_snapshot_clear (&snapshot);
        }

      if (ready)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (2000);
    }
}

static void
start_broker_locked (MrCluster *cluster,
                     gint32     broker_id)
{
  BrokerSlot *s = slot (cluster, broker_id);

  mr_broker_network_set_paused (cluster->network, broker_id, FALSE);
  mr_broker_network_set_isolated (cluster->network, broker_id, FALSE);
  mr_broker_network_set_latency (cluster->network, broker_id, 0);
  mr_broker_network_set_up (cluster->network, broker_id, TRUE);
  s->state = MR_BROKER_STATE_RUNNING;
  s->stopping = FALSE;
  s->last_heartbeat = g_get_monotonic_time ();
  mr_broker_start (s->broker);
}

gboolean
mr_cluster_start (MrCluster  *cluster,
                  GError    **error)
{
  g_return_val_if_fail (cluster != NULL, FALSE);

  g_mutex_lock (&cluster->lock);
  if (cluster->started)
    {
      g_mutex_unlock (&cluster->lock);
      return TRUE;
    }
  cluster->started = TRUE;
  cluster->quit = FALSE;
  for (guint i = 0; i < cluster->options.n_brokers; i++)
    start_broker_locked (cluster, (gint32)i + 1);
  cluster->supervisor = g_thread_new ("controller-quorum", supervisor_thread,
                                      cluster);
  g_mutex_unlock (&cluster->lock);

  control (cluster);
  if (!wait_for_leaders (cluster, 10000))
    g_warning ("Some partitions have no leader ready after 10 s");

  {
    g_autoptr(GError) local_error = NULL;

    /* Without it the cluster still serves everything but groups. */
    if (!ensure_offsets_topic (cluster, &local_error))
      g_warning ("Consumer groups are unavailable: %s", local_error->message);
  }
  mr_group_coordinator_start (cluster->groups);

  return TRUE;
}

void
mr_cluster_shutdown (MrCluster *cluster)
{
  GThread *supervisor;

  g_return_if_fail (cluster != NULL);

  g_mutex_lock (&cluster->lock);
  if (!cluster->started)
    {
      g_mutex_unlock (&cluster->lock);
      return;
    }
  cluster->started = FALSE;
  cluster->quit = TRUE;
  supervisor = g_steal_pointer (&cluster->supervisor);
  g_cond_broadcast (&cluster->changed);
  g_mutex_unlock (&cluster->lock);

  if (supervisor != NULL)
    g_thread_join (supervisor);

  /* Parked group requests end before the brokers do. */
  if (cluster->groups != NULL)
    mr_group_coordinator_stop (cluster->groups);

  for (guint i = 0; i < cluster->options.n_brokers; i++)
    {
      BrokerSlot *s = &cluster->slots[i];

      mr_broker_network_set_paused (cluster->network, (gint32)i + 1, FALSE);
      mr_broker_stop (s->broker);
      mr_broker_network_set_up (cluster->network, (gint32)i + 1, FALSE);
      g_mutex_lock (&cluster->lock);
      if (s->state == MR_BROKER_STATE_RUNNING)
        s->state = MR_BROKER_STATE_STOPPED;
      g_mutex_unlock (&cluster->lock);
    }
}

const char *
mr_cluster_get_id (MrCluster *cluster)
{
  return cluster->cluster_id;
}

const char *
mr_cluster_get_data_dir (MrCluster *cluster)
{
  return cluster->options.data_dir;
}

guint
mr_cluster_get_n_brokers (MrCluster *cluster)
{
  return cluster->options.n_brokers;
}

gint32
mr_cluster_get_controller_id (MrCluster *cluster)
{
  gint32 id;

  g_mutex_lock (&cluster->lock);
  id = cluster->controller_id;
  g_mutex_unlock (&cluster->lock);

  return id;
}

MrEventStream *
mr_cluster_get_event_stream (MrCluster *cluster)
{
  return cluster->events;
}

void
mr_cluster_get_options (MrCluster        *cluster,
                        MrClusterOptions *options)
{
  options_copy (options, &cluster->options);
}

/* ---------------------------------------------------------------------- */
/* Brokers and faults.                                                    */

void
mr_broker_info_free (MrBrokerInfo *info)
{
  g_free (info->host);
  g_free (info);
}

/* @locks lock held. */
static MrBrokerState
visible_state_locked (MrCluster *cluster,
                      gint32     broker_id)
{
  BrokerSlot *s = slot (cluster, broker_id);

  if (s->state != MR_BROKER_STATE_RUNNING)
    return s->state;
  if (mr_broker_network_is_paused (cluster->network, broker_id))
    return MR_BROKER_STATE_PAUSED;
  if (mr_broker_network_is_isolated (cluster->network, broker_id))
    return MR_BROKER_STATE_ISOLATED;
  return s->state;
}

GPtrArray *
mr_cluster_list_brokers (MrCluster *cluster)
{
  GPtrArray *brokers = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_broker_info_free);

  for (guint i = 0; i < cluster->options.n_brokers; i++)
    {
      MrBrokerInfo *info = g_new0 (MrBrokerInfo, 1);
      gint32 id = (gint32)i + 1;

      info->id = id;
      info->host = g_strdup (cluster->options.host);
      info->port = cluster->options.first_port + i;
      info->latency_ms = mr_broker_network_get_latency (cluster->network, id);
      info->n_requests = __atomic_load_n (&cluster->slots[i].n_requests,
                                          __ATOMIC_RELAXED);
      mr_broker_count (cluster->slots[i].broker, &info->n_leaders,
                       &info->n_replicas, &info->size_bytes);

      g_mutex_lock (&cluster->lock);
      info->state = visible_state_locked (cluster, id);
      info->is_controller = cluster->controller_id == id;
      g_mutex_unlock (&cluster->lock);

      g_ptr_array_add (brokers, info);
    }

  return brokers;
}

/**
 * mr_cluster_count_request:
 * @cluster: a cluster
 * @broker_id: the broker that took the request
 *
 * Adds one to the broker's request count (MrBrokerInfo.n_requests).
 *
 * @locality: any thread.
 * @locks: none; an atomic add.
 */
void
mr_cluster_count_request (MrCluster *cluster,
                          gint32     broker_id)
{
  g_return_if_fail (cluster != NULL);

  if (broker_id < 1 || (guint) broker_id > cluster->options.n_brokers)
    return;

  /* GLib has no 64-bit atomic add; GCC and Clang do. */
  __atomic_fetch_add (&cluster->slots[broker_id - 1].n_requests, 1,
                      __ATOMIC_RELAXED);
}

static gboolean
invalid_transition (GError         **error,
                    gint32           broker_id,
                    MrBrokerAction   action,
                    MrBrokerState    state)
{
  g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_STATE,
               "Cannot %s broker %d: it is %s", mr_broker_action_to_string (
                 action), broker_id, mr_broker_state_to_string (state));
  return FALSE;
}

/* Controlled shutdown: leaderships move before the broker goes. */
static void
stop_broker (MrCluster *cluster,
             gint32     broker_id)
{
  BrokerSlot *s = slot (cluster, broker_id);

  g_mutex_lock (&cluster->lock);
  s->stopping = TRUE;
  g_mutex_unlock (&cluster->lock);

  control (cluster);
  wait_for_leaders (cluster, 2000);

  mr_broker_network_set_paused (cluster->network, broker_id, FALSE);
  mr_broker_stop (s->broker);
  mr_broker_network_set_up (cluster->network, broker_id, FALSE);

  g_mutex_lock (&cluster->lock);
  s->stopping = FALSE;
  s->state = MR_BROKER_STATE_STOPPED;
  g_mutex_unlock (&cluster->lock);
}

gboolean
mr_cluster_broker_action (MrCluster       *cluster,
                          gint32           broker_id,
                          MrBrokerAction   action,
                          guint            parameter,
                          GError         **error)
{
  MrClusterEvent *event = NULL;
  MrBrokerState before;
  MrBrokerState after;

  g_return_val_if_fail (cluster != NULL, FALSE);

  if (broker_id < 1 || (guint)broker_id > cluster->options.n_brokers)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_BROKER,
                   "There is no broker %d (the cluster has brokers 1 to %u)",
                   broker_id, cluster->options.n_brokers);
      return FALSE;
    }

  g_mutex_lock (&cluster->lock);
  before = visible_state_locked (cluster, broker_id);
  g_mutex_unlock (&cluster->lock);

  switch (action)
    {
    case MR_BROKER_ACTION_START:
      if (before != MR_BROKER_STATE_STOPPED
          && before != MR_BROKER_STATE_CRASHED)
        return invalid_transition (error, broker_id, action, before);
      g_mutex_lock (&cluster->lock);
      start_broker_locked (cluster, broker_id);
      g_mutex_unlock (&cluster->lock);
      break;

    case MR_BROKER_ACTION_STOP:
      if (before == MR_BROKER_STATE_STOPPED
          || before == MR_BROKER_STATE_CRASHED)
        return invalid_transition (error, broker_id, action, before);
      stop_broker (cluster, broker_id);
      break;

    case MR_BROKER_ACTION_CRASH:
      if (before == MR_BROKER_STATE_STOPPED
          || before == MR_BROKER_STATE_CRASHED)
        return invalid_transition (error, broker_id, action, before);
      /* Connections are refused at once; the controller notices the silence
       * after broker.session.timeout.ms, as with a real crash. */
      mr_broker_network_set_up (cluster->network, broker_id, FALSE);
      mr_broker_network_set_paused (cluster->network, broker_id, FALSE);
      mr_broker_crash (slot (cluster, broker_id)->broker,
                       cluster->options.simulate_power_loss);
      g_mutex_lock (&cluster->lock);
      slot (cluster, broker_id)->state = MR_BROKER_STATE_CRASHED;
      g_mutex_unlock (&cluster->lock);
      break;

    case MR_BROKER_ACTION_PAUSE:
      if (before != MR_BROKER_STATE_RUNNING
          && before != MR_BROKER_STATE_ISOLATED)
        return invalid_transition (error, broker_id, action, before);
      mr_broker_network_set_paused (cluster->network, broker_id, TRUE);
      break;

    case MR_BROKER_ACTION_RESUME:
      if (before != MR_BROKER_STATE_PAUSED)
        return invalid_transition (error, broker_id, action, before);
      mr_broker_network_set_paused (cluster->network, broker_id, FALSE);
      mr_broker_wake (slot (cluster, broker_id)->broker);
      break;

    case MR_BROKER_ACTION_ISOLATE:
      if (before != MR_BROKER_STATE_RUNNING)
        return invalid_transition (error, broker_id, action, before);
      mr_broker_network_set_isolated (cluster->network, broker_id, TRUE);
      break;

    case MR_BROKER_ACTION_HEAL:
      if (before != MR_BROKER_STATE_ISOLATED
          && mr_broker_network_get_latency (cluster->network, broker_id) == 0)
        return invalid_transition (error, broker_id, action, before);
      mr_broker_network_set_isolated (cluster->network, broker_id, FALSE);
      mr_broker_network_set_latency (cluster->network, broker_id, 0);
      mr_broker_wake (slot (cluster, broker_id)->broker);
      break;

    case MR_BROKER_ACTION_SLOW:
      if (before == MR_BROKER_STATE_STOPPED
          || before == MR_BROKER_STATE_CRASHED)
        return invalid_transition (error, broker_id, action, before);
      mr_broker_network_set_latency (cluster->network, broker_id, parameter);
      break;

    default:
      g_assert_not_reached ();
    }

  g_mutex_lock (&cluster->lock);
  after = visible_state_locked (cluster, broker_id);
  g_cond_broadcast (&cluster->changed);
  g_mutex_unlock (&cluster->lock);

  if (action == MR_BROKER_ACTION_SLOW)
    event = parameter > 0
              ? mr_cluster_event_new_fault_injected (broker_id, "slow",
                                                     parameter,
                                                     "added latency on its "
                                                     "disk and links")
              : mr_cluster_event_new_fault_healed (broker_id, "slow", 0,
                                                   "latency removed");
  else
    event = mr_cluster_event_new_broker_state_changed (
      broker_id, before, after, mr_broker_action_to_string (action));
  mr_cluster_emit (cluster, event);

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Topics.                                                                */

/* @locks lock held. The topic, or NULL with UNKNOWN_TOPIC set. */
static TopicState *
lookup_topic_locked (MrCluster   *cluster,
                     const char  *name,
                     GError     **error)
{
  TopicState *topic = g_hash_table_lookup (cluster->topics, name);

  if (topic == NULL)
    g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC,
                 "There is no topic “%s”", name);
  return topic;
}

/* @locks lock held. */
static gboolean
check_new_topic_name_locked (MrCluster   *cluster,
                             const char  *name,
                             GError     **error)
{
  GHashTableIter iter;
  gpointer key;

  if (!mr_topic_name_validate (name, error))
    return FALSE;

  if (g_hash_table_contains (cluster->topics, name))
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_TOPIC_EXISTS,
                   "Topic “%s” already exists", name);
      return FALSE;
    }

  g_hash_table_iter_init (&iter, cluster->topics);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (mr_topic_names_collide (key, name))
      {
        g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_TOPIC_COLLISION,
                     "Topic “%s” collides with “%s”: names that differ only "
                     "in “.” and “_” cannot coexist", name, (char *)key);
        return FALSE;
      }

  return TRUE;
}

static gint32
default_replication_factor (MrCluster *cluster)
{
  if (cluster->options.default_replication_factor > 0)
    return MIN ((guint)cluster->options.default_replication_factor,
                cluster->options.n_brokers);
  return MIN (3, cluster->options.n_brokers);
}

/* @locks lock held. New partitions from an assignment: the leader is the
 * first live replica, the ISR the live replicas. */
static void
add_partitions_locked (MrCluster *cluster,
                       TopicState *topic,
                       GPtrArray  *assignment)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < assignment->len; i++)
    {
      GArray *replicas = g_ptr_array_index (assignment, i);
      PartitionState *state = g_new0 (PartitionState, 1);

      state->replicas = ids_copy (replicas);
      state->isr = g_array_new (FALSE, FALSE, sizeof (gint32));
      state->leader = -1;
      for (guint r = 0; r < replicas->len; r++)
        {
          gint32 id = g_array_index (replicas, gint32, r);

          if (is_alive_locked (cluster, id, now))
            {
              g_array_append_val (state->isr, id);
              if (state->leader < 0)
                state->leader = id;
            }
        }
      if (state->isr->len == 0)
        g_array_append_vals (state->isr, replicas->data, replicas->len);
      g_ptr_array_add (topic->partitions, state);
    }
}

static GArray *
all_broker_ids (MrCluster *cluster)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));

  for (gint32 id = 1; (guint)id <= cluster->options.n_brokers; id++)
    g_array_append_val (ids, id);
  return ids;
}

static gboolean create_topic (MrCluster   *cluster,
                              const char  *name,
                              gint32       n_partitions,
                              gint32       replication_factor,
                              GHashTable  *configs,
                              gboolean     validate_only,
                              GError     **error);

/* Topics the cluster manages itself: users may neither create nor delete
 * them. */
static gboolean
refuse_internal_topic (const char  *name,
                       GError     **error)
{
  if (g_strcmp0 (name, MR_GROUP_OFFSETS_TOPIC) != 0)
    return FALSE;
  g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC,
               "“%s” is an internal topic that the cluster manages", name);
  return TRUE;
}

gboolean
mr_cluster_create_topic (MrCluster   *cluster,
                         const char  *name,
                         gint32       n_partitions,
                         gint32       replication_factor,
                         GHashTable  *configs,
                         gboolean     validate_only,
                         GError     **error)
{
  g_return_val_if_fail (cluster != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (refuse_internal_topic (name, error))
    return FALSE;
  return create_topic (cluster, name, n_partitions, replication_factor,
                       configs, validate_only, error);
}

/* Creates __consumer_offsets, compacted, unless it exists or the options
 * ask for none. */
static gboolean
ensure_offsets_topic (MrCluster  *cluster,
                      GError    **error)
{
  g_autoptr(GHashTable) configs = NULL;
  g_autoptr(GError) local_error = NULL;
  gint32 rf = cluster->options.offsets_topic_replication_factor;

  if (cluster->options.offsets_topic_partitions <= 0)
    return TRUE;
  g_mutex_lock (&cluster->lock);
  if (g_hash_table_contains (cluster->topics, MR_GROUP_OFFSETS_TOPIC))
    {
      g_mutex_unlock (&cluster->lock);
      return TRUE;
    }
  g_mutex_unlock (&cluster->lock);

  if (rf <= 0)
    rf = (gint32)MIN (3, cluster->options.n_brokers);
  rf = MIN (rf, (gint32)cluster->options.n_brokers);
  configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (configs, (char *)"cleanup.policy", (char *)"compact");
  if (!create_topic (cluster, MR_GROUP_OFFSETS_TOPIC,
                     cluster->options.offsets_topic_partitions, rf, configs,
                     FALSE, &local_error) &&
      !g_error_matches (local_error, MR_CLUSTER_ERROR,
                        MR_CLUSTER_ERROR_TOPIC_EXISTS))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot create the offsets topic: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
create_topic (MrCluster   *cluster,
              const char  *name,
              gint32       n_partitions,
              gint32       replication_factor,
              GHashTable  *configs,
              gboolean     validate_only,
              GError     **error)
{
  g_autoptr(GPtrArray) assignment = NULL;
  g_autoptr(GPtrArray) partitions = NULL;
  g_autoptr(GArray) brokers = all_broker_ids (cluster);
  g_autoptr(MrTopicMetadata) stored = NULL;
  MrTopicConfig config;
  TopicState *topic = NULL;

  g_return_val_if_fail (cluster != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (n_partitions < 0)
    n_partitions = cluster->options.default_partitions;
  if (replication_factor < 0)
    replication_factor = default_replication_factor (cluster);

  mr_topic_config_init_defaults (&config);
  if (!mr_topic_validate_partition_count (n_partitions, error)
      || !mr_topic_validate_replication_factor (replication_factor,
                                                cluster->options.n_brokers,
                                                error)
      || (configs != NULL && !mr_topic_config_apply (&config, configs, error)))
    return FALSE;

  assignment = mr_topic_assign_replicas ((const gint32 *)brokers->data,
                                         brokers->len, n_partitions,
                                         replication_factor, -1, error);
  if (assignment == NULL)
    return FALSE;

  g_mutex_lock (&cluster->lock);
  if (!check_new_topic_name_locked (cluster, name, error))
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }
  if (validate_only)
    {
      g_mutex_unlock (&cluster->lock);
      return TRUE;
    }

  topic = topic_state_new (name, configs);
  add_partitions_locked (cluster, topic, assignment);
  partitions = partitions_to_metadata (topic, 0);
  stored = mr_metadata_store_create_topic (cluster->store, name,
                                           topic->overrides, partitions,
                                           error);
  if (stored == NULL)
    {
      g_mutex_unlock (&cluster->lock);
      topic_state_free (topic);
      return FALSE;
    }
  g_hash_table_replace (cluster->topics, topic->name, topic);
  bump_version_locked (cluster);
  g_mutex_unlock (&cluster->lock);

  mr_cluster_emit (cluster,
                   mr_cluster_event_new_topic_created (name, n_partitions,
                                                       replication_factor,
                                                       "created"));
  wake_all_brokers (cluster);
  wait_for_leaders (cluster, 5000);
  return TRUE;
}

gboolean
mr_cluster_delete_topic (MrCluster   *cluster,
                         const char  *name,
                         GError     **error)
{
  g_return_val_if_fail (cluster != NULL, FALSE);

  if (refuse_internal_topic (name, error))
    return FALSE;
  g_mutex_lock (&cluster->lock);
  if (lookup_topic_locked (cluster, name, error) == NULL)
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }
  if (!mr_metadata_store_delete_topic (cluster->store, name, error))
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }
  g_hash_table_remove (cluster->topics, name);
  bump_version_locked (cluster);
  g_mutex_unlock (&cluster->lock);

  mr_cluster_emit (cluster, mr_cluster_event_new_topic_deleted (name,
                                                                "deleted"));
  wake_all_brokers (cluster);
  return TRUE;
}

gboolean
mr_cluster_create_partitions (MrCluster   *cluster,
                              const char  *name,
                              gint32       total_partitions,
                              gboolean     validate_only,
                              GError     **error)
{
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GPtrArray) partitions = NULL;
  g_autoptr(GArray) brokers = all_broker_ids (cluster);
  TopicState *topic;
  guint before;

  g_return_val_if_fail (cluster != NULL, FALSE);

  /* Group placement hashes over the offsets topic's partition count. */
  if (refuse_internal_topic (name, error))
    return FALSE;
  g_mutex_lock (&cluster->lock);
  topic = lookup_topic_locked (cluster, name, error);
  if (topic == NULL)
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }
  before = topic->partitions->len;
  if (total_partitions <= (gint32)before)
    {
      g_mutex_unlock (&cluster->lock);
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                   "Topic “%s” has %u partitions: it can only grow, to more "
                   "than that", name, before);
      return FALSE;
    }
  if (!mr_topic_validate_partition_count (total_partitions, error))
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }

  existing = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  for (guint i = 0; i < before; i++)
    g_ptr_array_add (existing,
                     ids_copy (((PartitionState *)g_ptr_array_index (
                       topic->partitions, i))->replicas));
  added = mr_topic_assign_added_replicas ((const gint32 *)brokers->data,
                                          brokers->len, existing,
                                          total_partitions - (gint32)before,
                                          error);
  if (added == NULL || validate_only)
    {
      g_mutex_unlock (&cluster->lock);
      return added != NULL;
    }

  add_partitions_locked (cluster, topic, added);
  partitions = partitions_to_metadata (topic, before);
  if (!mr_metadata_store_add_partitions (cluster->store, name, partitions,
                                         error))
    {
      g_ptr_array_set_size (topic->partitions, before);
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }
  bump_version_locked (cluster);
  g_mutex_unlock (&cluster->lock);

  mr_cluster_emit (cluster,
                   mr_cluster_event_new_partitions_added (name, (gint32)before,
                                                          total_partitions,
                                                          "partitions added"));
  wake_all_brokers (cluster);
  wait_for_leaders (cluster, 5000);
  return TRUE;
}

gboolean
mr_cluster_alter_topic_configs (MrCluster   *cluster,
                                const char  *name,
                                GHashTable  *configs,
                                gboolean     validate_only,
                                GError     **error)
{
  g_autoptr(GHashTable) overrides = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  MrTopicConfig config;
  TopicState *topic;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (cluster != NULL, FALSE);

  g_mutex_lock (&cluster->lock);
  topic = lookup_topic_locked (cluster, name, error);
  if (topic == NULL)
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }

  /* AlterConfigs semantics: the given set replaces the overrides. */
  overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (configs != NULL)
    {
      g_hash_table_iter_init (&iter, configs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_replace (overrides, g_strdup (key), g_strdup (value));
    }

  mr_topic_config_init_defaults (&config);
  if (!mr_topic_config_apply (&config, overrides, error))
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }
  if (validate_only)
    {
      g_mutex_unlock (&cluster->lock);
      return TRUE;
    }
  if (!mr_metadata_store_set_topic_configs (cluster->store, name, overrides,
                                            error))
    {
      g_mutex_unlock (&cluster->lock);
      return FALSE;
    }

  /* One event per config that changed, set or back to its default. */
  changes = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_cluster_event_unref);
  g_hash_table_iter_init (&iter, overrides);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (g_hash_table_lookup (topic->overrides, key), value) != 0)
      g_ptr_array_add (changes, mr_cluster_event_new_topic_config_changed (
                                  name, key, value, "config set"));
  g_hash_table_iter_init (&iter, topic->overrides);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (overrides, key))
      g_ptr_array_add (changes, mr_cluster_event_new_topic_config_changed (
                                  name, key, NULL, "back to its default"));

  g_hash_table_unref (topic->overrides);
  topic->overrides = g_steal_pointer (&overrides);
  topic->config = config;
  bump_version_locked (cluster);
  g_mutex_unlock (&cluster->lock);

  emit_all (cluster, changes);
  wake_all_brokers (cluster);
  return TRUE;
}

void
mr_partition_info_free (MrPartitionInfo *info)
{
  g_clear_pointer (&info->replicas, g_array_unref);
  g_clear_pointer (&info->isr, g_array_unref);
  g_clear_pointer (&info->replica_states, g_array_unref);
  g_free (info);
}

void
mr_topic_info_free (MrTopicInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->name);
  g_clear_pointer (&info->configs, g_hash_table_unref);
  g_clear_pointer (&info->partitions, g_ptr_array_unref);
  g_free (info);
}

/* @locks lock held: copies the controller's view; replica states are
 * filled in afterwards, without the lock. */
static MrTopicInfo *
topic_info_new_locked (TopicState *topic)
{
  MrTopicInfo *info = g_new0 (MrTopicInfo, 1);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  info->name = g_strdup (topic->name);
  info->internal = g_str_has_prefix (topic->name, "__");
  info->configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         g_free);
  g_hash_table_iter_init (&iter, topic->overrides);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (info->configs, g_strdup (key), g_strdup (value));

  info->partitions = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_partition_info_free);
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      PartitionState *state = g_ptr_array_index (topic->partitions, i);
      MrPartitionInfo *partition = g_new0 (MrPartitionInfo, 1);

      partition->partition = (gint32)i;
      partition->leader = state->leader;
      partition->leader_epoch = state->leader_epoch;
      partition->replicas = ids_copy (state->replicas);
      partition->isr = ids_copy (state->isr);
      partition->log_start_offset = -1;
      partition->high_watermark = -1;
      partition->replica_states = g_array_new (FALSE, TRUE,
                                               sizeof (MrReplicaInfo));
      g_ptr_array_add (info->partitions, partition);
    }

  return info;
}

static void
fill_replica_states (MrCluster   *cluster,
                     MrTopicInfo *info)
{
  for (guint i = 0; i < info->partitions->len; i++)
    {
      MrPartitionInfo *partition = g_ptr_array_index (info->partitions, i);

      for (guint r = 0; r < partition->replicas->len; r++)
        {
          gint32 id = g_array_index (partition->replicas, gint32, r);
          g_autoptr(MrReplica) replica = NULL;
          MrReplicaInfo state = { id, -1, -1, -1, FALSE, FALSE, -1 };

          state.in_sync = ids_contain (partition->isr, id);
          replica = mr_cluster_lookup_replica (cluster, id, info->name,
                                               partition->partition);
          if (replica != NULL)
            {
              MrReplicaSnapshot snapshot;

              mr_replica_snapshot (replica, &snapshot);
              state.online = TRUE;
              state.log_start_offset = snapshot.log_start_offset;
              state.log_end_offset = snapshot.log_end_offset;
              state.high_watermark = snapshot.high_watermark;
              state.size_bytes = mr_partition_log_get_size (
                mr_replica_get_log (replica));
              if (id == partition->leader && snapshot.is_leader)
                {
                  partition->log_start_offset = snapshot.log_start_offset;
                  partition->high_watermark = snapshot.high_watermark;
                }
              mr_replica_snapshot_clear (&snapshot);
            }
          g_array_append_val (partition->replica_states, state);
        }
    }
}

static gint
compare_topic_infos (gconstpointer a,
                     gconstpointer b)
{
  const MrTopicInfo *x = *(MrTopicInfo * const *)a;
  const MrTopicInfo *y = *(MrTopicInfo * const *)b;

  return strcmp (x->name, y->name);
}

GPtrArray *
mr_cluster_list_topics (MrCluster *cluster)
{
  GPtrArray *topics = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_topic_info_free);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&cluster->lock);
  g_hash_table_iter_init (&iter, cluster->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (topics, topic_info_new_locked (value));
  g_mutex_unlock (&cluster->lock);

  for (guint i = 0; i < topics->len; i++)
    fill_replica_states (cluster, g_ptr_array_index (topics, i));
  g_ptr_array_sort (topics, compare_topic_infos);

  return topics;
}

MrTopicInfo *
mr_cluster_describe_topic (MrCluster   *cluster,
                           const char  *name,
                           GError     **error)
{
  MrTopicInfo *info = NULL;
  TopicState *topic;

  g_mutex_lock (&cluster->lock);
  topic = lookup_topic_locked (cluster, name, error);
  if (topic != NULL)
    info = topic_info_new_locked (topic);
  g_mutex_unlock (&cluster->lock);

  if (info == NULL)
    return NULL;

  fill_replica_states (cluster, info);
  return info;
}

/* ---------------------------------------------------------------------- */
/* Data.                                                                  */

/* The broker a client request for a partition goes to: @via_broker, or the
 * partition's leader. Auto-creates unknown topics when allowed. */
static MrKafkaError
resolve_partition (MrCluster   *cluster,
                   gint32       via_broker,
                   const char  *topic_name,
                   gint32       partition,
                   gboolean     auto_create,
                   gint32      *broker_id)
{
  TopicState *topic;
  gint32 leader = -1;

  g_mutex_lock (&cluster->lock);
  topic = g_hash_table_lookup (cluster->topics, topic_name);
  if (topic == NULL)
    {
      g_mutex_unlock (&cluster->lock);
      if (!auto_create || !cluster->options.auto_create_topics)
        return MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
      if (!mr_topic_name_validate (topic_name, NULL))
        return MR_KAFKA_ERROR_INVALID_TOPIC_EXCEPTION;
      /* Another request may create it first: that is fine. */
      mr_cluster_create_topic (cluster, topic_name, -1, -1, NULL, FALSE,
                               NULL);
      g_mutex_lock (&cluster->lock);
      topic = g_hash_table_lookup (cluster->topics, topic_name);
      if (topic == NULL)
        {
          g_mutex_unlock (&cluster->lock);
          return MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        }
    }

  if (partition < 0 || (guint)partition >= topic->partitions->len)
    {
      g_mutex_unlock (&cluster->lock);
      return MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    }
  leader = ((PartitionState *)g_ptr_array_index (topic->partitions,
                                                 partition))->leader;
  g_mutex_unlock (&cluster->lock);

  if (via_broker > 0)
    {
      *broker_id = via_broker;
      return MR_KAFKA_ERROR_NONE;
    }
  if (leader < 0)
    return MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE;
  *broker_id = leader;
  return MR_KAFKA_ERROR_NONE;
}

typedef struct
{
  MrCluster         *cluster;
  MrProduceCallback  done;
  gpointer           user_data;
  char              *topic;
  gint32             partition;
} ProduceOp;

static void
produce_op_finish (ProduceOp    *op,
                   MrKafkaError  error,
                   const char   *message,
                   gint64        base_offset,
                   gint64        log_append_time,
                   gint64        log_start_offset)
{
  MrProduceResult result = { error, (char *)message, base_offset,
                             log_append_time, log_start_offset };

  if (op->done != NULL)
    op->done (&result, op->user_data);
  g_free (op->topic);
  g_free (op);
}

static void
produce_replicated_cb (MrKafkaError  error,
                       gint64        base_offset,
                       gint64        log_append_time,
                       gint64        log_start_offset,
                       gpointer      user_data)
{
  produce_op_finish (user_data, error, NULL, base_offset, log_append_time,
                     log_start_offset);
}

void
mr_cluster_produce_async (MrCluster         *cluster,
                          gint32             via_broker,
                          const char        *topic,
                          gint32             partition,
                          guint8            *batches,
                          gsize              len,
                          gint16             acks,
                          guint              timeout_ms,
                          MrProduceCallback  done,
                          gpointer           user_data)
{
  g_autofree guint8 *owned = batches;
  g_autoptr(MrReplica) replica = NULL;
  g_autoptr(GError) error = NULL;
  ProduceOp *op = g_new0 (ProduceOp, 1);
  gboolean pending = FALSE;
  gint64 base_offset = -1;
  gint64 append_time = -1;
  gint32 broker_id = -1;
  MrKafkaError code;

  /* No reference on the cluster: its shutdown completes every pending
   * produce, and the last unref must never happen on a broker thread. */
  op->cluster = cluster;
  op->done = done;
  op->user_data = user_data;
  op->topic = g_strdup (topic);
  op->partition = partition;

  code = resolve_partition (cluster, via_broker, topic, partition, TRUE,
                            &broker_id);
  if (code != MR_KAFKA_ERROR_NONE)
    {
      produce_op_finish (op, code, mr_kafka_error_to_string (code), -1, -1,
                         -1);
      return;
    }

  /* The Kafka listener counts its own requests. */
  if (via_broker < 0)
    mr_cluster_count_request (cluster, broker_id);

  if (!mr_broker_network_enter_client (cluster->network, broker_id,
                                       timeout_ms, &error))
    {
      produce_op_finish (op, (MrKafkaError)error->code, error->message, -1,
                         -1, -1);
      return;
    }

  replica = mr_cluster_lookup_replica (cluster, broker_id, topic, partition);
  if (replica == NULL)
    {
      produce_op_finish (op, MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER,
                         "That broker holds no replica of the partition",
                         -1, -1, -1);
      return;
    }

  code = mr_replica_produce (replica, owned, len, acks,
                             g_get_monotonic_time ()
                             + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND,
                             produce_replicated_cb, op, &pending,
                             &base_offset, &append_time, &error);
  if (code == MR_KAFKA_ERROR_NONE)
    mr_cluster_wake_followers (cluster, topic, partition);

  if (!pending)
    produce_op_finish (op, code, error != NULL ? error->message : NULL,
                       base_offset, append_time,
                       mr_partition_log_get_log_start_offset (
                         mr_replica_get_log (replica)));
}

typedef struct
{
  GMutex          lock;
  GCond           cond;
  gboolean        done;
  MrProduceResult result;
} ProduceWait;

static void
produce_wait_cb (const MrProduceResult *result,
                 gpointer               user_data)
{
  ProduceWait *wait = user_data;

  g_mutex_lock (&wait->lock);
  wait->result = *result;
  wait->result.error_message = g_strdup (result->error_message);
  wait->done = TRUE;
  g_cond_signal (&wait->cond);
  g_mutex_unlock (&wait->lock);
}

void
mr_cluster_produce (MrCluster       *cluster,
                    gint32           via_broker,
                    const char      *topic,
                    gint32           partition,
                    guint8          *batches,
                    gsize            len,
                    gint16           acks,
                    guint            timeout_ms,
                    MrProduceResult *result)
{
  ProduceWait wait = { 0, };

  g_mutex_init (&wait.lock);
  g_cond_init (&wait.cond);
  mr_cluster_produce_async (cluster, via_broker, topic, partition, batches,
                            len, acks, timeout_ms, produce_wait_cb, &wait);
  g_mutex_lock (&wait.lock);
  while (!wait.done)
    g_cond_wait (&wait.cond, &wait.lock);
  g_mutex_unlock (&wait.lock);
  g_mutex_clear (&wait.lock);
  g_cond_clear (&wait.cond);

  *result = wait.result;
}

void
mr_produce_result_clear (MrProduceResult *result)
{
  g_clear_pointer (&result->error_message, g_free);
}

void
mr_cluster_fetch (MrCluster     *cluster,
                  gint32         via_broker,
                  const char    *topic,
                  gint32         partition,
                  gint64         offset,
                  gsize          max_bytes,
                  guint          max_wait_ms,
                  gint32         current_leader_epoch,
                  MrFetchResult *result)
{
  g_autoptr(MrReplica) replica = NULL;
  gint32 broker_id = -1;

  memset (result, 0, sizeof *result);
  result->high_watermark = -1;
  result->last_stable_offset = -1;
  result->log_start_offset = -1;

  result->error = resolve_partition (cluster, via_broker, topic, partition,
                                     FALSE, &broker_id);
  if (result->error != MR_KAFKA_ERROR_NONE)
    return;

  /* The Kafka listener counts its own requests. */
  if (via_broker < 0)
    mr_cluster_count_request (cluster, broker_id);

  if (!mr_broker_network_enter_client (cluster->network, broker_id,
                                       MAX (max_wait_ms, 1000), NULL))
    {
      result->error = MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
      return;
    }

  replica = mr_cluster_lookup_replica (cluster, broker_id, topic, partition);
  if (replica == NULL)
    {
      result->error = MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;
      return;
    }

  result->error = mr_replica_read (replica, offset, max_bytes, max_wait_ms,
                                   current_leader_epoch, &result->records,
                                   &result->high_watermark,
                                   &result->log_start_offset);
  /* No transactions: the last stable offset is the high watermark. */
  result->last_stable_offset = result->high_watermark;
}

void
mr_cluster_fetch_partitions (MrCluster        *cluster,
                             gint32            via_broker,
                             MrFetchPartition *parts,
                             guint             n_parts,
                             gsize             min_bytes,
                             gsize             max_bytes,
                             guint             max_wait_ms,
                             const gint       *cancelled)
{
  g_autoptr(MrFetchWaiter) waiter = mr_fetch_waiter_new ();
  g_autoptr(GPtrArray) watched = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_replica_unref);
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64)max_wait_ms * G_TIME_SPAN_MILLISECOND;

  for (guint i = 0; i < n_parts; i++)
    memset (&parts[i].result, 0, sizeof parts[i].result);

  /* Watch every partition's replica before the first look, so that no
   * high watermark move between a look and the wait goes unnoticed. */
  for (guint i = 0; i < n_parts; i++)
    {
      MrReplica *replica;
      gint32 broker_id = -1;

      if (resolve_partition (cluster, via_broker, parts[i].topic,
                             parts[i].partition, FALSE, &broker_id)
          != MR_KAFKA_ERROR_NONE)
        continue;
      replica = mr_cluster_lookup_replica (cluster, broker_id, parts[i].topic,
                                           parts[i].partition);
      if (replica == NULL)
        continue;
      mr_replica_add_fetch_waiter (replica, waiter);
      g_ptr_array_add (watched, replica);
    }

  for (;;)
    {
      gboolean done = FALSE;
      gsize total = 0;

      mr_fetch_waiter_reset (waiter);
      for (guint i = 0; i < n_parts; i++)
        {
          MrFetchPartition *part = &parts[i];
          gsize budget;

          mr_fetch_result_clear (&part->result);
          memset (&part->result, 0, sizeof part->result);
          /* The response's size cap: once something is in, the other
           * partitions get only what is left; the first batch found is
           * always whole, even above the cap. */
          if (total > 0 && total >= max_bytes)
            {
              part->result.error = MR_KAFKA_ERROR_NONE;
              part->result.high_watermark = -1;
              part->result.last_stable_offset = -1;
              part->result.log_start_offset = -1;
              continue;
            }
          budget = MAX (MIN (part->max_bytes, max_bytes - total), 1);
          mr_cluster_fetch (cluster, via_broker, part->topic, part->partition,
                            part->offset, budget, 0, part->current_leader_epoch,
                            &part->result);
          if (part->result.error != MR_KAFKA_ERROR_NONE)
            done = TRUE;
          else if (part->result.records != NULL)
            total += g_bytes_get_size (part->result.records);
        }

      if (done || total >= MAX (min_bytes, 1) || n_parts == 0 ||
          (cancelled != NULL && g_atomic_int_get (cancelled)))
        break;
      {
        gint64 now = g_get_monotonic_time ();

        if (now >= deadline)
          break;
        /* Slices of at most 100 ms let a cancel end the poll soon. */
        mr_fetch_waiter_wait (waiter,
                              MIN (deadline, now + 100 * G_TIME_SPAN_MILLISECOND));
      }
    }

  for (guint i = 0; i < watched->len; i++)
    mr_replica_remove_fetch_waiter (g_ptr_array_index (watched, i), waiter);
}

void
mr_fetch_result_clear (MrFetchResult *result)
{
  g_clear_pointer (&result->records, g_bytes_unref);
}

MrKafkaError
mr_cluster_list_offset (MrCluster  *cluster,
                        gint32      via_broker,
                        const char *topic,
                        gint32      partition,
                        gint64      timestamp,
                        gint64     *offset,
                        gint64     *found_timestamp)
{
  g_autoptr(MrReplica) replica = NULL;
  g_autoptr(GError) error = NULL;
  MrReplicaSnapshot snapshot;
  gint32 broker_id = -1;
  MrKafkaError code;

  *offset = -1;
  if (found_timestamp != NULL)
    *found_timestamp = -1;

  code = resolve_partition (cluster, via_broker, topic, partition, FALSE,
                            &broker_id);
  if (code != MR_KAFKA_ERROR_NONE)
    return code;

  replica = mr_cluster_lookup_replica (cluster, broker_id, topic, partition);
  if (replica == NULL)
    return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;

  mr_replica_snapshot (replica, &snapshot);
  mr_replica_snapshot_clear (&snapshot);
  if (!snapshot.is_leader)
    return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;

  if (timestamp == -2)
    *offset = snapshot.log_start_offset;
  else if (timestamp == -1)
    *offset = snapshot.high_watermark;
  else
    {
      gint64 found = -1;

      if (!mr_partition_log_offset_for_timestamp (mr_replica_get_log (replica),
                                                  timestamp, offset, &found,
                                                  &error))
        return MR_KAFKA_ERROR_KAFKA_STORAGE_ERROR;
      /* Only committed records are visible. */
      if (*offset >= snapshot.high_watermark)
        {
          *offset = -1;
          found = -1;
        }
      if (found_timestamp != NULL)
        *found_timestamp = found;
    }

  return MR_KAFKA_ERROR_NONE;
}

MrKafkaError
mr_cluster_offset_for_leader_epoch (MrCluster  *cluster,
                                    gint32      via_broker,
                                    const char *topic,
                                    gint32      partition,
                                    gint32      current_leader_epoch,
                                    gint32      leader_epoch,
                                    gint32     *end_epoch,
                                    gint64     *end_offset)
{
  g_autoptr(MrReplica) replica = NULL;
  gint32 broker_id = -1;
  MrKafkaError code;

  *end_epoch = -1;
  *end_offset = -1;

  code = resolve_partition (cluster, via_broker, topic, partition, FALSE,
                            &broker_id);
  if (code != MR_KAFKA_ERROR_NONE)
    return code;

  replica = mr_cluster_lookup_replica (cluster, broker_id, topic, partition);
  if (replica == NULL)
    return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;

  return mr_replica_leader_end_offset_for_epoch (replica,
                                                 current_leader_epoch,
                                                 leader_epoch, end_epoch,
                                                 end_offset);
}

MrKafkaError
mr_cluster_init_producer_id (MrCluster *cluster,
                             gint64    *producer_id,
                             gint16    *producer_epoch)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  gint64 next = 1000;
  gint64 id;

  /* Ids come from a counter kept in the metadata store, so a producer id
   * is never handed out twice, even across restarts. */
  g_mutex_lock (&cluster->lock);
  stored = mr_metadata_store_dup_setting (cluster->store,
                                          "millrace.next.producer.id",
                                          &error);
  if (stored != NULL)
    g_ascii_string_to_signed (stored, 10, 0, G_MAXINT64, &next, NULL);
  id = next;
  g_clear_pointer (&stored, g_free);
  stored = g_strdup_printf ("%" G_GINT64_FORMAT, next + 1);
  if (error != NULL
      || !mr_metadata_store_set_setting (cluster->store,
                                         "millrace.next.producer.id", stored,
                                         &error))
    {
      g_mutex_unlock (&cluster->lock);
      g_warning ("Could not allocate a producer id: %s", error->message);
      return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    }
  g_mutex_unlock (&cluster->lock);

  *producer_id = id;
  *producer_epoch = 0;
  return MR_KAFKA_ERROR_NONE;
}

MrKafkaError
mr_cluster_delete_records (MrCluster  *cluster,
                           const char *topic_name,
                           gint32      partition,
                           gint64      offset,
                           gint64     *low_watermark)
{
  g_autoptr(MrReplica) leader = NULL;
  g_autoptr(GArray) replicas = NULL;
  MrReplicaSnapshot snapshot;
  TopicState *topic;
  gint32 leader_id = -1;

  *low_watermark = -1;

  g_mutex_lock (&cluster->lock);
  topic = g_hash_table_lookup (cluster->topics, topic_name);
  if (topic == NULL || partition < 0
      || (guint)partition >= topic->partitions->len)
    {
      g_mutex_unlock (&cluster->lock);
      return MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    }
  leader_id = ((PartitionState *)g_ptr_array_index (topic->partitions,
                                                    partition))->leader;
  replicas = ids_copy (((PartitionState *)g_ptr_array_index (
    topic->partitions, partition))->replicas);
  g_mutex_unlock (&cluster->lock);

  leader = mr_cluster_lookup_replica (cluster, leader_id, topic_name,
                                      partition);
  if (leader == NULL)
    return MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER;

  mr_replica_snapshot (leader, &snapshot);
  mr_replica_snapshot_clear (&snapshot);
  if (offset < 0)
    offset = snapshot.high_watermark;
  if (offset > snapshot.high_watermark)
    return MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE;

  /* Every live replica moves its start; a replica that is down learns the
   * new start from its leader when it fetches again. */
  for (guint i = 0; i < replicas->len; i++)
    {
      g_autoptr(MrReplica) replica = NULL;
      g_autoptr(GError) error = NULL;

      replica = mr_cluster_lookup_replica (cluster,
                                           g_array_index (replicas, gint32, i),
                                           topic_name, partition);
      if (replica == NULL)
        continue;
      if (!mr_replica_delete_records (replica,
                                      MIN (offset,
                                           mr_partition_log_get_log_end_offset (
                                             mr_replica_get_log (replica))),
                                      &error))
        g_warning ("DeleteRecords on %s-%d: %s", topic_name, partition,
                   error->message);
    }

  *low_watermark = mr_partition_log_get_log_start_offset (
    mr_replica_get_log (leader));
  return MR_KAFKA_ERROR_NONE;
}

/* ---------------------------------------------------------------------- */
/* Consumer groups.                                                       */

gint32
mr_cluster_get_partition_leader (MrCluster  *cluster,
                                 const char *topic_name,
                                 gint32      partition,
                                 gint32     *leader_epoch)
{
  TopicState *topic;
  gint32 leader = -1;

  g_mutex_lock (&cluster->lock);
  topic = g_hash_table_lookup (cluster->topics, topic_name);
  if (topic != NULL && partition >= 0 &&
      (guint)partition < topic->partitions->len)
    {
      PartitionState *state = g_ptr_array_index (topic->partitions, partition);

      leader = state->leader;
      if (leader_epoch != NULL)
        *leader_epoch = state->leader_epoch;
    }
  g_mutex_unlock (&cluster->lock);
  return leader;
}

MrGroupCoordinator *
mr_cluster_get_group_coordinator (MrCluster *cluster)
{
  g_return_val_if_fail (cluster != NULL, NULL);

  return cluster->groups;
}

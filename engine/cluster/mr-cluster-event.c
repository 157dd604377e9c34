/* mr-cluster-event.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-cluster-event.h"

#include "mr-cluster-event-private.h"

/* One struct for every kind: events are small and few (thousands, not
 * millions), and one layout keeps the getters trivial. Fields a kind does
 * not use keep the values of event_new(): -1 and NULL.
 *
 * @locks: none. Every field but seq and time_ms is written by the
 * constructor; seq and time_ms are written once by the emitting thread
 * under its stream's lock, before the event is published. After that the
 * event is read-only. */
struct _MrClusterEvent
{
  gatomicrefcount     ref_count;
  MrClusterEventKind  kind;
  guint64             seq;
  gint64              time_ms;

  gint32              broker_id;
  MrBrokerState       old_state;
  MrBrokerState       new_state;

  char               *topic;
  gint32              partition;
  gint32              leader;
  gint32              leader_epoch;
  gint32              previous_leader;
  GArray             *isr_before;
  GArray             *isr_after;
  gint64              from_offset;
  gint64              to_offset;

  gint32              n_partitions;
  gint32              partitions_before;
  gint32              replication_factor;
  char               *config_name;
  char               *config_value;

  char               *fault;
  gint64              parameter;

  gint32              controller_before;
  gint32              controller_after;
  gint32              controller_epoch;

  char               *group_id;
  gint32              generation;
  gint32              n_members;
  char               *protocol;

  char               *reason;
};

G_DEFINE_BOXED_TYPE (MrClusterEvent, mr_cluster_event,
                     mr_cluster_event_ref, mr_cluster_event_unref)

static const char * const broker_state_names[] = {
  [MR_BROKER_STATE_RUNNING] = "running",
  [MR_BROKER_STATE_STOPPED] = "stopped",
  [MR_BROKER_STATE_CRASHED] = "crashed",
  [MR_BROKER_STATE_PAUSED] = "paused",
  [MR_BROKER_STATE_ISOLATED] = "isolated",
};

static const char * const kind_names[] = {
  [MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED] = "broker-state-changed",
  [MR_CLUSTER_EVENT_KIND_CONTROLLER_MOVED] = "controller-moved",
  [MR_CLUSTER_EVENT_KIND_LEADER_ELECTED] = "leader-elected",
  [MR_CLUSTER_EVENT_KIND_ISR_SHRUNK] = "isr-shrunk",
  [MR_CLUSTER_EVENT_KIND_ISR_EXPANDED] = "isr-expanded",
  [MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED] = "replica-truncated",
  [MR_CLUSTER_EVENT_KIND_TOPIC_CREATED] = "topic-created",
  [MR_CLUSTER_EVENT_KIND_TOPIC_DELETED] = "topic-deleted",
  [MR_CLUSTER_EVENT_KIND_PARTITIONS_ADDED] = "partitions-added",
  [MR_CLUSTER_EVENT_KIND_TOPIC_CONFIG_CHANGED] = "topic-config-changed",
  [MR_CLUSTER_EVENT_KIND_FAULT_INJECTED] = "fault-injected",
  [MR_CLUSTER_EVENT_KIND_FAULT_HEALED] = "fault-healed",
  [MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED] = "unclean-leader-elected",
  [MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED] =
    "preferred-leader-restored",
  [MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED] = "group-rebalanced",
};

static MrClusterEvent *
event_new (MrClusterEventKind  kind,
           const char         *topic,
           const char         *reason)
{
  MrClusterEvent *event = g_new0 (MrClusterEvent, 1);

  g_atomic_ref_count_init (&event->ref_count);
  event->kind = kind;
  event->broker_id = -1;
  event->old_state = MR_BROKER_STATE_RUNNING;
  event->new_state = MR_BROKER_STATE_RUNNING;
  event->topic = g_strdup (topic);
  event->partition = -1;
  event->leader = -1;
  event->leader_epoch = -1;
  event->previous_leader = -1;
  event->from_offset = -1;
  event->to_offset = -1;
  event->n_partitions = -1;
  event->partitions_before = -1;
  event->replication_factor = -1;
  event->parameter = -1;
  event->controller_before = -1;
  event->controller_after = -1;
  event->controller_epoch = -1;
  event->reason = g_strdup (reason);

  return event;
}

static GArray *
copy_isr (GArray *isr)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (gint32),
                                    isr != NULL ? isr->len : 0);

  if (isr != NULL)
    {
      g_assert (g_array_get_element_size (isr) == sizeof (gint32));
      g_array_append_vals (copy, isr->data, isr->len);
    }
  return copy;
}

static MrClusterEvent *
isr_changed_new (MrClusterEventKind  kind,
                 const char         *topic,
                 gint32              partition,
                 gint32              leader,
                 gint32              leader_epoch,
                 GArray             *isr_before,
                 GArray             *isr_after,
                 const char         *reason)
{
  MrClusterEvent *event = event_new (kind, topic, reason);

  event->partition = partition;
  event->leader = leader;
  event->leader_epoch = leader_epoch;
  event->isr_before = copy_isr (isr_before);
  event->isr_after = copy_isr (isr_after);
  return event;
}

static void
event_free (MrClusterEvent *event)
{
  g_free (event->topic);
  g_clear_pointer (&event->isr_before, g_array_unref);
  g_clear_pointer (&event->isr_after, g_array_unref);
  g_free (event->config_name);
  g_free (event->config_value);
  g_free (event->fault);
  g_free (event->group_id);
  g_free (event->protocol);
  g_free (event->reason);
  g_free (event);
}

/* Summaries. */

static void
append_isr (GString *str,
            GArray  *isr)
{
  g_string_append_c (str, '[');
  for (guint i = 0; isr != NULL && i < isr->len; i++)
    {
      if (i > 0)
        g_string_append (str, ", ");
      g_string_append_printf (str, "%d", g_array_index (isr, gint32, i));
    }
  g_string_append_c (str, ']');
}

static void
append_reason_after (GString        *str,
                     MrClusterEvent *event)
{
  if (event->reason != NULL)
    g_string_append_printf (str, " after %s", event->reason);
}

static void
append_reason_in_parentheses (GString        *str,
                              MrClusterEvent *event)
{
  if (event->reason != NULL)
    g_string_append_printf (str, " (%s)", event->reason);
}

static const char *
broker_state_verb (MrBrokerState old_state,
                   MrBrokerState new_state)
{
  switch (new_state)
    {
    case MR_BROKER_STATE_RUNNING:
      switch (old_state)
        {
        case MR_BROKER_STATE_STOPPED:
        case MR_BROKER_STATE_CRASHED:
          return "started";
        case MR_BROKER_STATE_PAUSED:
          return "resumed";
        case MR_BROKER_STATE_ISOLATED:
          return "rejoined the cluster";
        case MR_BROKER_STATE_RUNNING:
        default:
          return "is running";
        }
    case MR_BROKER_STATE_STOPPED:
      return "stopped";
    case MR_BROKER_STATE_CRASHED:
      return "crashed";
    case MR_BROKER_STATE_PAUSED:
      return "paused";
    case MR_BROKER_STATE_ISOLATED:
      return "isolated";
    default:
      return "changed state";
    }
}

static void
append_partition_prefix (GString        *str,
                         MrClusterEvent *event)
{
  g_string_append_printf (str, "Partition %s-%d: ",
                          event->topic, event->partition);
}

static void
append_fault (GString        *str,
              MrClusterEvent *event,
              const char     *verb)
{
  g_string_append_printf (str, "%s fault %s", verb, event->fault);
  if (event->parameter >= 0)
    g_string_append_printf (str, " (%" G_GINT64_FORMAT ")", event->parameter);
  if (event->broker_id >= 0)
    g_string_append_printf (str, " on broker %d", event->broker_id);
  else
    g_string_append (str, " on the cluster");
  append_reason_in_parentheses (str, event);
}

/* JSON. */

static void
add_int_or_null (JsonBuilder *builder,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_isr (JsonBuilder *builder,
         const char  *name,
         GArray      *isr)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; isr != NULL && i < isr->len; i++)
    json_builder_add_int_value (builder, g_array_index (isr, gint32, i));
  json_builder_end_array (builder);
}

static void
add_topic_partition (JsonBuilder    *builder,
                     MrClusterEvent *event)
{
  add_string_or_null (builder, "topic", event->topic);
  add_int_or_null (builder, "partition", event->partition);
}

/* Public API. */

const char *
mr_broker_state_to_string (MrBrokerState state)
{
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (broker_state_names),
                        NULL);

  return broker_state_names[state];
}

gboolean
mr_broker_state_from_string (const char    *name,
                             MrBrokerState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (broker_state_names); i++)
    {
      if (g_str_equal (name, broker_state_names[i]))
        {
          *state = (MrBrokerState)i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
mr_cluster_event_kind_to_string (MrClusterEventKind kind)
{
  g_return_val_if_fail ((guint)kind < G_N_ELEMENTS (kind_names), NULL);

  return kind_names[kind];
}

gboolean
mr_cluster_event_kind_from_string (const char         *name,
                                   MrClusterEventKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_str_equal (name, kind_names[i]))
        {
          *kind = (MrClusterEventKind)i;
          return TRUE;
        }
    }
  return FALSE;
}

MrClusterEvent *
mr_cluster_event_new_broker_state_changed (gint32         broker_id,
                                           MrBrokerState  old_state,
                                           MrBrokerState  new_state,
                                           const char    *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail ((guint)old_state < G_N_ELEMENTS (broker_state_names),
                        NULL);
  g_return_val_if_fail ((guint)new_state < G_N_ELEMENTS (broker_state_names),
                        NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED, NULL, reason);
  event->broker_id = broker_id;
  event->old_state = old_state;
  event->new_state = new_state;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_controller_moved (gint32      controller_before,
                                       gint32      controller_after,
                                       gint32      controller_epoch,
                                       const char *reason)
{
  MrClusterEvent *event;

  event = event_new (MR_CLUSTER_EVENT_KIND_CONTROLLER_MOVED, NULL, reason);
  event->controller_before = controller_before;
  event->controller_after = controller_after;
  event->controller_epoch = controller_epoch;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_leader_elected (const char *topic,
                                     gint32      partition,
                                     gint32      leader,
                                     gint32      leader_epoch,
                                     gint32      previous_leader,
                                     const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (topic != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_LEADER_ELECTED, topic, reason);
  event->partition = partition;
  event->leader = leader;
  event->leader_epoch = leader_epoch;
  event->previous_leader = previous_leader;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_isr_shrunk (const char *topic,
                                 gint32      partition,
                                 gint32      leader,
                                 gint32      leader_epoch,
                                 GArray     *isr_before,
                                 GArray     *isr_after,
                                 const char *reason)
{
  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (isr_before != NULL, NULL);
  g_return_val_if_fail (isr_after != NULL, NULL);

  return isr_changed_new (MR_CLUSTER_EVENT_KIND_ISR_SHRUNK, topic, partition,
                          leader, leader_epoch, isr_before, isr_after, reason);
}

MrClusterEvent *
mr_cluster_event_new_isr_expanded (const char *topic,
                                   gint32      partition,
                                   gint32      leader,
                                   gint32      leader_epoch,
                                   GArray     *isr_before,
                                   GArray     *isr_after,
                                   const char *reason)
{
  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (isr_before != NULL, NULL);
  g_return_val_if_fail (isr_after != NULL, NULL);

  return isr_changed_new (MR_CLUSTER_EVENT_KIND_ISR_EXPANDED, topic, partition,
                          leader, leader_epoch, isr_before, isr_after, reason);
}

MrClusterEvent *
mr_cluster_event_new_replica_truncated (gint32      broker_id,
                                        const char *topic,
                                        gint32      partition,
                                        gint32      leader_epoch,
                                        gint64      from_offset,
                                        gint64      to_offset,
                                        const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (topic != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED, topic, reason);
  event->broker_id = broker_id;
  event->partition = partition;
  event->leader_epoch = leader_epoch;
  event->from_offset = from_offset;
  event->to_offset = to_offset;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_topic_created (const char *topic,
                                    gint32      n_partitions,
                                    gint32      replication_factor,
                                    const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (topic != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_TOPIC_CREATED, topic, reason);
  event->n_partitions = n_partitions;
  event->replication_factor = replication_factor;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_topic_deleted (const char *topic,
                                    const char *reason)
{
  g_return_val_if_fail (topic != NULL, NULL);

  return event_new (MR_CLUSTER_EVENT_KIND_TOPIC_DELETED, topic, reason);
}

MrClusterEvent *
mr_cluster_event_new_partitions_added (const char *topic,
                                       gint32      partitions_before,
                                       gint32      partitions_after,
                                       const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (topic != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_PARTITIONS_ADDED, topic, reason);
  event->partitions_before = partitions_before;
  event->n_partitions = partitions_after;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_topic_config_changed (const char *topic,
                                           const char *config_name,
                                           const char *value,
                                           const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (config_name != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_TOPIC_CONFIG_CHANGED, topic,
                     reason);
  event->config_name = g_strdup (config_name);
  event->config_value = g_strdup (value);
  return event;
}

MrClusterEvent *
mr_cluster_event_new_fault_injected (gint32      broker_id,
                                     const char *fault,
                                     gint64      parameter,
                                     const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (fault != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_FAULT_INJECTED, NULL, reason);
  event->broker_id = broker_id;
  event->fault = g_strdup (fault);
  event->parameter = parameter;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_fault_healed (gint32      broker_id,
                                   const char *fault,
                                   gint64      parameter,
                                   const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (fault != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_FAULT_HEALED, NULL, reason);
  event->broker_id = broker_id;
  event->fault = g_strdup (fault);
  event->parameter = parameter;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_unclean_leader_elected (const char *topic,
                                             gint32      partition,
                                             gint32      leader,
                                             gint32      leader_epoch,
                                             gint32      previous_leader,
                                             gint64      first_lost_offset,
                                             gint64      last_lost_offset,
                                             const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail ((first_lost_offset < 0) == (last_lost_offset < 0),
                        NULL);
  g_return_val_if_fail (first_lost_offset <= last_lost_offset, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED, topic,
                     reason);
  event->partition = partition;
  event->leader = leader;
  event->leader_epoch = leader_epoch;
  event->previous_leader = previous_leader;
  event->from_offset = first_lost_offset;
  event->to_offset = last_lost_offset;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_preferred_leader_restored (const char *topic,
                                                gint32      partition,
                                                gint32      leader,
                                                gint32      leader_epoch,
                                                gint32      previous_leader,
                                                const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (topic != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED, topic,
                     reason);
  event->partition = partition;
  event->leader = leader;
  event->leader_epoch = leader_epoch;
  event->previous_leader = previous_leader;
  return event;
}

MrClusterEvent *
mr_cluster_event_new_group_rebalanced (const char *group_id,
                                       gint32      generation,
                                       gint32      n_members,
                                       const char *protocol,
                                       gint32      coordinator,
                                       const char *reason)
{
  MrClusterEvent *event;

  g_return_val_if_fail (group_id != NULL, NULL);

  event = event_new (MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED, NULL, reason);
  event->group_id = g_strdup (group_id);
  event->generation = generation;
  event->n_members = n_members;
  event->protocol = g_strdup (protocol);
  event->broker_id = coordinator;
  return event;
}

MrClusterEvent *
mr_cluster_event_ref (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  g_atomic_ref_count_inc (&event->ref_count);
  return event;
}

void
mr_cluster_event_unref (MrClusterEvent *event)
{
  g_return_if_fail (event != NULL);

  if (g_atomic_ref_count_dec (&event->ref_count))
    event_free (event);
}

void
mr_cluster_event_set_time (MrClusterEvent *event,
                           gint64          time_ms)
{
  g_return_if_fail (event != NULL);
  g_return_if_fail (event->seq == 0);

  event->time_ms = time_ms;
}

void
mr_cluster_event_stamp (MrClusterEvent *event,
                        guint64         seq)
{
  g_assert (event->seq == 0);
  g_assert (seq > 0);

  event->seq = seq;
  if (event->time_ms == 0)
    event->time_ms = g_get_real_time () / 1000;
}

MrClusterEventKind
mr_cluster_event_get_kind (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, 0);

  return event->kind;
}

guint64
mr_cluster_event_get_seq (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, 0);

  return event->seq;
}

gint64
mr_cluster_event_get_time (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, 0);

  return event->time_ms;
}

gint32
mr_cluster_event_get_broker_id (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->broker_id;
}

MrBrokerState
mr_cluster_event_get_old_state (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, MR_BROKER_STATE_RUNNING);

  return event->old_state;
}

MrBrokerState
mr_cluster_event_get_new_state (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, MR_BROKER_STATE_RUNNING);

  return event->new_state;
}

const char *
mr_cluster_event_get_topic (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->topic;
}

gint32
mr_cluster_event_get_partition (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->partition;
}

gint32
mr_cluster_event_get_leader (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->leader;
}

gint32
mr_cluster_event_get_leader_epoch (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->leader_epoch;
}

gint32
mr_cluster_event_get_previous_leader (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->previous_leader;
}

GArray *
mr_cluster_event_get_isr_before (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->isr_before;
}

GArray *
mr_cluster_event_get_isr_after (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->isr_after;
}

gint64
mr_cluster_event_get_from_offset (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->from_offset;
}

gint64
mr_cluster_event_get_to_offset (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->to_offset;
}

gint32
mr_cluster_event_get_n_partitions (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->n_partitions;
}

gint32
mr_cluster_event_get_partitions_before (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->partitions_before;
}

gint32
mr_cluster_event_get_replication_factor (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->replication_factor;
}

const char *
mr_cluster_event_get_config_name (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->config_name;
}

const char *
mr_cluster_event_get_config_value (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->config_value;
}

const char *
mr_cluster_event_get_fault (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->fault;
}

gint64
mr_cluster_event_get_parameter (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->parameter;
}

gint32
mr_cluster_event_get_controller_before (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->controller_before;
}

gint32
mr_cluster_event_get_controller_after (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->controller_after;
}

const char *
mr_cluster_event_get_group_id (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->group_id;
}

gint32
mr_cluster_event_get_generation (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->generation;
}

gint32
mr_cluster_event_get_n_members (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->n_members;
}

const char *
mr_cluster_event_get_protocol (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->protocol;
}

gint32
mr_cluster_event_get_controller_epoch (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->controller_epoch;
}

const char *
mr_cluster_event_get_reason (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->reason;
}

char *
mr_cluster_event_dup_summary (MrClusterEvent *event)
{
  GString *str;

  g_return_val_if_fail (event != NULL, NULL);

  str = g_string_new (NULL);

  switch (event->kind)
    {
    case MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED:
      g_string_append_printf (str, "Broker %d %s", event->broker_id,
                              broker_state_verb (event->old_state,
                                                 event->new_state));
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_CONTROLLER_MOVED:
      if (event->controller_before >= 0 && event->controller_after >= 0)
        g_string_append_printf (str,
                                "Controller moved from broker %d to broker %d",
                                event->controller_before,
                                event->controller_after);
      else if (event->controller_after >= 0)
        g_string_append_printf (str, "Broker %d became the controller",
                                event->controller_after);
      else if (event->controller_before >= 0)
        g_string_append_printf (str, "No controller: broker %d lost the role",
                                event->controller_before);
      else
        g_string_append (str, "No controller");
      g_string_append_printf (str, " (epoch %d)", event->controller_epoch);
      append_reason_after (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_LEADER_ELECTED:
      append_partition_prefix (str, event);
      if (event->leader < 0)
        g_string_append (str, "no leader");
      else if (event->leader == event->previous_leader)
        g_string_append_printf (str, "broker %d re-elected leader",
                                event->leader);
      else
        g_string_append_printf (str, "broker %d elected leader",
                                event->leader);
      g_string_append_printf (str, " (epoch %d)", event->leader_epoch);
      if (event->reason != NULL)
        append_reason_after (str, event);
      else if (event->previous_leader >= 0
               && event->previous_leader != event->leader)
        g_string_append_printf (str, ", replacing broker %d",
                                event->previous_leader);
      break;

    case MR_CLUSTER_EVENT_KIND_ISR_SHRUNK:
    case MR_CLUSTER_EVENT_KIND_ISR_EXPANDED:
      append_partition_prefix (str, event);
      g_string_append (str,
                       event->kind == MR_CLUSTER_EVENT_KIND_ISR_SHRUNK
                       ? "ISR shrank from " : "ISR expanded from ");
      append_isr (str, event->isr_before);
      g_string_append (str, " to ");
      append_isr (str, event->isr_after);
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED:
      append_partition_prefix (str, event);
      g_string_append_printf (str,
                              "replica on broker %d truncated from offset %"
                              G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                              event->broker_id, event->from_offset,
                              event->to_offset);
      if (event->leader_epoch >= 0)
        g_string_append_printf (str, " at epoch %d", event->leader_epoch);
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_TOPIC_CREATED:
      g_string_append_printf (str,
                              "Topic %s created with %d partition%s, "
                              "replication factor %d",
                              event->topic, event->n_partitions,
                              event->n_partitions == 1 ? "" : "s",
                              event->replication_factor);
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_TOPIC_DELETED:
      g_string_append_printf (str, "Topic %s deleted", event->topic);
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_PARTITIONS_ADDED:
      g_string_append_printf (str,
                              "Topic %s: partitions increased from %d to %d",
                              event->topic, event->partitions_before,
                              event->n_partitions);
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_TOPIC_CONFIG_CHANGED:
      if (event->config_value != NULL)
        g_string_append_printf (str, "Topic %s: %s set to %s", event->topic,
                                event->config_name, event->config_value);
      else
        g_string_append_printf (str, "Topic %s: %s reset to its default",
                                event->topic, event->config_name);
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_FAULT_INJECTED:
      append_fault (str, event, "Injected");
      break;

    case MR_CLUSTER_EVENT_KIND_FAULT_HEALED:
      append_fault (str, event, "Healed");
      break;

    case MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED:
      append_partition_prefix (str, event);
      g_string_append_printf (str,
                              "broker %d elected leader uncleanly (epoch %d)",
                              event->leader, event->leader_epoch);
      append_reason_after (str, event);
      if (event->from_offset < 0)
        g_string_append (str, ", losing no offsets");
      else if (event->from_offset == event->to_offset)
        g_string_append_printf (str, ", losing offset %" G_GINT64_FORMAT,
                                event->from_offset);
      else
        g_string_append_printf (str,
                                ", losing offsets %" G_GINT64_FORMAT
                                " to %" G_GINT64_FORMAT,
                                event->from_offset, event->to_offset);
      break;

    case MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED:
      append_partition_prefix (str, event);
      g_string_append_printf (str,
                              "preferred leader broker %d restored (epoch %d)",
                              event->leader, event->leader_epoch);
      if (event->previous_leader >= 0)
        g_string_append_printf (str, ", replacing broker %d",
                                event->previous_leader);
      append_reason_in_parentheses (str, event);
      break;

    case MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED:
      if (event->n_members == 0)
        g_string_append_printf (str, "Group %s: empty at generation %d",
                                event->group_id, event->generation);
      else
        g_string_append_printf (str,
                                "Group %s: generation %d with %d member%s (%s)",
                                event->group_id, event->generation,
                                event->n_members,
                                event->n_members == 1 ? "" : "s",
                                event->protocol != NULL ? event->protocol : "?");
      if (event->broker_id >= 0)
        g_string_append_printf (str, " on broker %d", event->broker_id);
      append_reason_in_parentheses (str, event);
      break;

    default:
      g_assert_not_reached ();
    }

  return g_string_free (str, FALSE);
}

JsonNode *
mr_cluster_event_to_json_node (MrClusterEvent *event)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (event != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_int (builder, "seq", (gint64)event->seq);
  add_int (builder, "time", event->time_ms);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_names[event->kind]);

  switch (event->kind)
    {
    case MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED:
      add_int_or_null (builder, "broker", event->broker_id);
      add_string_or_null (builder, "old_state",
                          broker_state_names[event->old_state]);
      add_string_or_null (builder, "new_state",
                          broker_state_names[event->new_state]);
      break;

    case MR_CLUSTER_EVENT_KIND_CONTROLLER_MOVED:
      add_int_or_null (builder, "controller_before", event->controller_before);
      add_int_or_null (builder, "controller_after", event->controller_after);
      add_int_or_null (builder, "controller_epoch", event->controller_epoch);
      break;

    case MR_CLUSTER_EVENT_KIND_LEADER_ELECTED:
    case MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED:
      add_topic_partition (builder, event);
      add_int_or_null (builder, "leader", event->leader);
      add_int_or_null (builder, "leader_epoch", event->leader_epoch);
      add_int_or_null (builder, "previous_leader", event->previous_leader);
      break;

    case MR_CLUSTER_EVENT_KIND_ISR_SHRUNK:
    case MR_CLUSTER_EVENT_KIND_ISR_EXPANDED:
      add_topic_partition (builder, event);
      add_int_or_null (builder, "leader", event->leader);
      add_int_or_null (builder, "leader_epoch", event->leader_epoch);
      add_isr (builder, "isr_before", event->isr_before);
      add_isr (builder, "isr_after", event->isr_after);
      break;

    case MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED:
      add_int_or_null (builder, "broker", event->broker_id);
      add_topic_partition (builder, event);
      add_int_or_null (builder, "leader_epoch", event->leader_epoch);
      add_int_or_null (builder, "from_offset", event->from_offset);
      add_int_or_null (builder, "to_offset", event->to_offset);
      break;

    case MR_CLUSTER_EVENT_KIND_TOPIC_CREATED:
      add_string_or_null (builder, "topic", event->topic);
      add_int_or_null (builder, "partitions", event->n_partitions);
      add_int_or_null (builder, "replication_factor",
                       event->replication_factor);
      break;

    case MR_CLUSTER_EVENT_KIND_TOPIC_DELETED:
      add_string_or_null (builder, "topic", event->topic);
      break;

    case MR_CLUSTER_EVENT_KIND_PARTITIONS_ADDED:
      add_string_or_null (builder, "topic", event->topic);
      add_int_or_null (builder, "partitions_before", event->partitions_before);
      add_int_or_null (builder, "partitions", event->n_partitions);
      break;

    case MR_CLUSTER_EVENT_KIND_TOPIC_CONFIG_CHANGED:
      add_string_or_null (builder, "topic", event->topic);
      add_string_or_null (builder, "config", event->config_name);
      add_string_or_null (builder, "value", event->config_value);
      break;

    case MR_CLUSTER_EVENT_KIND_FAULT_INJECTED:
    case MR_CLUSTER_EVENT_KIND_FAULT_HEALED:
      add_int_or_null (builder, "broker", event->broker_id);
      add_string_or_null (builder, "fault", event->fault);
      add_int_or_null (builder, "parameter", event->parameter);
      break;

    case MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED:
      add_topic_partition (builder, event);
      add_int_or_null (builder, "leader", event->leader);
      add_int_or_null (builder, "leader_epoch", event->leader_epoch);
      add_int_or_null (builder, "previous_leader", event->previous_leader);
      add_int_or_null (builder, "from_offset", event->from_offset);
      add_int_or_null (builder, "to_offset", event->to_offset);
      break;

    case MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED:
      add_string_or_null (builder, "group", event->group_id);
      add_int_or_null (builder, "generation", event->generation);
      add_int_or_null (builder, "members", event->n_members);
      add_string_or_null (builder, "protocol", event->protocol);
      add_int_or_null (builder, "broker", event->broker_id);
      break;

    default:
      g_assert_not_reached ();
    }

  if (event->reason != NULL)
    {
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, event->reason);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

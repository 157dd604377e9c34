/* mr-cluster-event.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What a broker is doing, as the failure lab and the controller see it. */
typedef enum
{
  MR_BROKER_STATE_RUNNING,
  MR_BROKER_STATE_STOPPED,
  MR_BROKER_STATE_CRASHED,
  MR_BROKER_STATE_PAUSED,
  MR_BROKER_STATE_ISOLATED,
} MrBrokerState;

/* One thing that happened in the cluster. The numbers are not part of any
 * format: JSON carries the kebab-case names of mr_cluster_event_kind_to_string(). */
typedef enum
{
  MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED,
  MR_CLUSTER_EVENT_KIND_CONTROLLER_MOVED,
  MR_CLUSTER_EVENT_KIND_LEADER_ELECTED,
  MR_CLUSTER_EVENT_KIND_ISR_SHRUNK,
  MR_CLUSTER_EVENT_KIND_ISR_EXPANDED,
  MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED,
  MR_CLUSTER_EVENT_KIND_TOPIC_CREATED,
  MR_CLUSTER_EVENT_KIND_TOPIC_DELETED,
  MR_CLUSTER_EVENT_KIND_PARTITIONS_ADDED,
  MR_CLUSTER_EVENT_KIND_TOPIC_CONFIG_CHANGED,
  MR_CLUSTER_EVENT_KIND_FAULT_INJECTED,
  MR_CLUSTER_EVENT_KIND_FAULT_HEALED,
  MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED,
  MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED,
  MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED,
} MrClusterEventKind;

/* An event: a ref-counted, boxed record of one occurrence.
 *
 * Broker ids are -1 where there is no broker (no previous leader, no
 * controller, a fault on the whole cluster); offsets, epochs and fault
 * parameters are -1 where they do not exist.
 *
 * @reason is an optional English clause about the cause. Summaries of
 * elections and controller moves read it after "after" ("broker 1
 * stopped"); summaries of other kinds put it in parentheses.
 *
 * Threads: an event is immutable once emitted on an MrEventStream (the
 * stream stamps its sequence number and time first), so any thread may read
 * it; references are atomic. mr_cluster_event_set_time() is the only
 * mutator and is for the creating thread, before the emit. */
typedef struct _MrClusterEvent MrClusterEvent;

#define MR_TYPE_CLUSTER_EVENT (mr_cluster_event_get_type ())

GType               mr_cluster_event_get_type                      (void) G_GNUC_CONST;

/* "running", "stopped", "crashed", "paused", "isolated". */
const char         *mr_broker_state_to_string                      (MrBrokerState       state);
gboolean            mr_broker_state_from_string                    (const char         *name,
                                                                    MrBrokerState      *state);
/* "broker-state-changed", "leader-elected", ... */
const char         *mr_cluster_event_kind_to_string                (MrClusterEventKind  kind);
gboolean            mr_cluster_event_kind_from_string              (const char         *name,
                                                                    MrClusterEventKind *kind);

MrClusterEvent     *mr_cluster_event_new_broker_state_changed      (gint32              broker_id,
                                                                    MrBrokerState       old_state,
                                                                    MrBrokerState       new_state,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent     *mr_cluster_event_new_controller_moved          (gint32              controller_before,
                                                                    gint32              controller_after,
                                                                    gint32              controller_epoch,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
/* @leader is -1 when no replica could be elected (the partition is offline). */
MrClusterEvent     *mr_cluster_event_new_leader_elected            (const char         *topic,
                                                                    gint32              partition,
                                                                    gint32              leader,
                                                                    gint32              leader_epoch,
                                                                    gint32              previous_leader,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
/* @isr_before and @isr_after are GArrays of gint32 broker ids; they are
 * copied. */
MrClusterEvent     *mr_cluster_event_new_isr_shrunk                (const char         *topic,
                                                                    gint32              partition,
                                                                    gint32              leader,
                                                                    gint32              leader_epoch,
                                                                    GArray             *isr_before,
                                                                    GArray             *isr_after,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent     *mr_cluster_event_new_isr_expanded              (const char         *topic,
                                                                    gint32              partition,
                                                                    gint32              leader,
                                                                    gint32              leader_epoch,
                                                                    GArray             *isr_before,
                                                                    GArray             *isr_after,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
/* The replica on @broker_id cut its log from log end @from_offset back to
 * @to_offset (the new log end), following @leader_epoch. */
MrClusterEvent     *mr_cluster_event_new_replica_truncated         (gint32              broker_id,
                                                                    const char         *topic,
                                                                    gint32              partition,
                                                                    gint32              leader_epoch,
                                                                    gint64              from_offset,
                                                                    gint64              to_offset,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent     *mr_cluster_event_new_topic_created             (const char         *topic,
                                                                    gint32              n_partitions,
                                                                    gint32              replication_factor,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent     *mr_cluster_event_new_topic_deleted             (const char         *topic,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent     *mr_cluster_event_new_partitions_added          (const char         *topic,
                                                                    gint32              partitions_before,
                                                                    gint32              partitions_after,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
/* One config of one topic; @value is NULL when the config went back to its
 * default. */
MrClusterEvent     *mr_cluster_event_new_topic_config_changed      (const char         *topic,
                                                                    const char         *config_name,
                                                                    const char         *value,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
/* @fault is the fault's name ("slow", "drop", "isolate", ...); @parameter its
 * argument in the fault's unit (milliseconds for "slow"), or -1. */
MrClusterEvent     *mr_cluster_event_new_fault_injected            (gint32              broker_id,
                                                                    const char         *fault,
                                                                    gint64              parameter,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent     *mr_cluster_event_new_fault_healed              (gint32              broker_id,
                                                                    const char         *fault,
                                                                    gint64              parameter,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
/* The offsets lost are @first_lost_offset to @last_lost_offset inclusive,
 * or -1 and -1 when none were. The getters and the JSON call them
 * from_offset and to_offset. */
MrClusterEvent     *mr_cluster_event_new_unclean_leader_elected    (const char         *topic,
                                                                    gint32              partition,
                                                                    gint32              leader,
                                                                    gint32              leader_epoch,
                                                                    gint32              previous_leader,
                                                                    gint64              first_lost_offset,
                                                                    gint64              last_lost_offset,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;
MrClusterEvent     *mr_cluster_event_new_preferred_leader_restored (const char         *topic,
                                                                    gint32              partition,
                                                                    gint32              leader,
                                                                    gint32              leader_epoch,
                                                                    gint32              previous_leader,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;

/* A consumer group completed a rebalance: @generation with @n_members
 * (0: the group became empty) on @coordinator's broker. */
MrClusterEvent     *mr_cluster_event_new_group_rebalanced          (const char         *group_id,
                                                                    gint32              generation,
                                                                    gint32              n_members,
                                                                    const char         *protocol,
                                                                    gint32              coordinator,
                                                                    const char         *reason) G_GNUC_WARN_UNUSED_RESULT;

MrClusterEvent     *mr_cluster_event_ref                           (MrClusterEvent     *event);
void                mr_cluster_event_unref                         (MrClusterEvent     *event);

/* Records when the event happened, in wall-clock milliseconds since the
 * epoch, before it is emitted; emitting an event whose time is 0 stamps the
 * current time. */
void                mr_cluster_event_set_time                      (MrClusterEvent     *event,
                                                                    gint64              time_ms);

MrClusterEventKind  mr_cluster_event_get_kind                      (MrClusterEvent     *event);
/* 0 until the event is emitted; then its stream's sequence number, from 1. */
guint64             mr_cluster_event_get_seq                       (MrClusterEvent     *event);
gint64              mr_cluster_event_get_time                      (MrClusterEvent     *event);
/* The broker of a state change, a truncation or a fault. */
gint32              mr_cluster_event_get_broker_id                 (MrClusterEvent     *event);
MrBrokerState       mr_cluster_event_get_old_state                 (MrClusterEvent     *event);
MrBrokerState       mr_cluster_event_get_new_state                 (MrClusterEvent     *event);
const char         *mr_cluster_event_get_topic                     (MrClusterEvent     *event);
gint32              mr_cluster_event_get_partition                 (MrClusterEvent     *event);
gint32              mr_cluster_event_get_leader                    (MrClusterEvent     *event);
gint32              mr_cluster_event_get_leader_epoch              (MrClusterEvent     *event);
gint32              mr_cluster_event_get_previous_leader           (MrClusterEvent     *event);
/* GArrays of gint32, or NULL for kinds other than the ISR changes. */
GArray             *mr_cluster_event_get_isr_before                (MrClusterEvent     *event);
GArray             *mr_cluster_event_get_isr_after                 (MrClusterEvent     *event);
/* Truncation: the old and the new log end. Unclean election: the first and
 * the last offset lost. */
gint64              mr_cluster_event_get_from_offset               (MrClusterEvent     *event);
gint64              mr_cluster_event_get_to_offset                 (MrClusterEvent     *event);
/* Topic creation: the partition count. Partitions added: the new count. */
gint32              mr_cluster_event_get_n_partitions              (MrClusterEvent     *event);
gint32              mr_cluster_event_get_partitions_before         (MrClusterEvent     *event);
gint32              mr_cluster_event_get_replication_factor        (MrClusterEvent     *event);
const char         *mr_cluster_event_get_config_name               (MrClusterEvent     *event);
const char         *mr_cluster_event_get_config_value              (MrClusterEvent     *event);
const char         *mr_cluster_event_get_fault                     (MrClusterEvent     *event);
gint64              mr_cluster_event_get_parameter                 (MrClusterEvent     *event);
gint32              mr_cluster_event_get_controller_before         (MrClusterEvent     *event);
gint32              mr_cluster_event_get_controller_after          (MrClusterEvent     *event);
gint32              mr_cluster_event_get_controller_epoch          (MrClusterEvent     *event);
const char         *mr_cluster_event_get_reason                    (MrClusterEvent     *event);
/* Group rebalances: the group, its generation, member count and protocol
 * (NULL when empty); the coordinator is the broker id. */
const char         *mr_cluster_event_get_group_id                  (MrClusterEvent     *event);
gint32              mr_cluster_event_get_generation                (MrClusterEvent     *event);
gint32              mr_cluster_event_get_n_members                 (MrClusterEvent     *event);
const char         *mr_cluster_event_get_protocol                  (MrClusterEvent     *event);

/* One English sentence for logs and tooltips, e.g. "Broker 2 crashed" or
 * "Partition orders-1: broker 3 elected leader (epoch 5) after broker 1
 * stopped". Not translated. */
char               *mr_cluster_event_dup_summary                   (MrClusterEvent     *event) G_GNUC_WARN_UNUSED_RESULT;

/* A JSON object: "seq", "time" (ms since the epoch), "kind" (kebab-case)
 * and the kind's fields in snake_case:
 *
 *   broker-state-changed       broker, old_state, new_state
 *   controller-moved           controller_before, controller_after,
 *                              controller_epoch
 *   leader-elected,            topic, partition, leader, leader_epoch,
 *   preferred-leader-restored  previous_leader
 *   isr-shrunk, isr-expanded   topic, partition, leader, leader_epoch,
 *                              isr_before, isr_after (arrays of integers)
 *   replica-truncated          broker, topic, partition, leader_epoch,
 *                              from_offset, to_offset
 *   topic-created              topic, partitions, replication_factor
 *   topic-deleted              topic
 *   partitions-added           topic, partitions_before, partitions
 *   topic-config-changed       topic, config, value
 *   fault-injected,            broker, fault, parameter
 *   fault-healed
 *   unclean-leader-elected     topic, partition, leader, leader_epoch,
 *                              previous_leader, from_offset, to_offset
 *                              (the offsets lost)
 *   group-rebalanced           group, generation, members, protocol,
 *                              broker (the coordinator)
 *
 * A field of the kind is always present. An integer that does not exist
 * (-1: no such broker, epoch or offset, no parameter) and a config value
 * reset to its default are null. "reason" is present only when the event
 * has one. */
JsonNode           *mr_cluster_event_to_json_node                  (MrClusterEvent     *event) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrClusterEvent, mr_cluster_event_unref)

G_END_DECLS

/* mr-consumer-group.h
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

#include "mr-group-offsets-codec.h"
#include "cluster/mr-kafka-error.h"

G_BEGIN_DECLS

/* One consumer group's membership state machine and committed offsets,
 * as Kafka's GroupCoordinator keeps them (see mr-consumer-group.c). It
 * does no I/O and takes no lock: its coordinator holds its lock around
 * every call, and runs the completions the calls queue after releasing
 * it. Times are monotonic microseconds. */
typedef struct _MrConsumerGroup MrConsumerGroup;

typedef enum
{
  MR_GROUP_STATE_EMPTY,
  MR_GROUP_STATE_PREPARING_REBALANCE,
  MR_GROUP_STATE_COMPLETING_REBALANCE,
  MR_GROUP_STATE_STABLE,
  MR_GROUP_STATE_DEAD,
} MrGroupState;

/* Kafka's names: "Empty", "PreparingRebalance", ... */
const char *mr_group_state_to_string (MrGroupState state);

typedef struct
{
  char   *name;
  GBytes *metadata;
} MrGroupProtocol;

typedef struct
{
  char   *member_id;
  char   *group_instance_id;
  GBytes *metadata;               /* in the JoinGroup response: the
                                   * chosen protocol's; in SyncGroup
                                   * requests: the assignment */
} MrGroupMemberData;

void  mr_group_protocol_free    (MrGroupProtocol   *protocol);
void  mr_group_member_data_free (MrGroupMemberData *data);

/* What a parked JoinGroup or SyncGroup gets. */
typedef struct
{
  MrKafkaError  error;
  gint32        generation;
  char         *protocol_type;
  char         *protocol_name;
  char         *leader_id;
  char         *member_id;
  GPtrArray    *members;          /* MrGroupMemberData: the leader's join */
  GBytes       *assignment;       /* sync */
} MrGroupResponse;

typedef void (*MrGroupResponseFunc) (const MrGroupResponse *response,
                                     gpointer               user_data);

typedef struct
{
  const char *member_id;          /* "" for a new member */
  const char *group_instance_id;  /* NULL: dynamic */
  const char *client_id;
  const char *client_host;
  gint32      session_timeout_ms;
  gint32      rebalance_timeout_ms;
  const char *protocol_type;
  GPtrArray  *protocols;          /* MrGroupProtocol */
  gboolean    require_known_member_id;  /* JoinGroup v4+ */
} MrGroupJoinRequest;

/* Responses owed to parked requests, run once the lock is released. */
GPtrArray       *mr_group_completions_new       (void);
void             mr_group_completions_run       (GPtrArray          *completions);

MrConsumerGroup *mr_consumer_group_new          (const char         *group_id,
                                                 guint               initial_rebalance_delay_ms);
void             mr_consumer_group_free         (MrConsumerGroup    *group);

const char      *mr_consumer_group_get_id       (MrConsumerGroup    *group);
MrGroupState     mr_consumer_group_get_state    (MrConsumerGroup    *group);
gint32           mr_consumer_group_get_generation (MrConsumerGroup  *group);
const char      *mr_consumer_group_get_protocol_type (MrConsumerGroup *group);
const char      *mr_consumer_group_get_protocol (MrConsumerGroup    *group);
guint            mr_consumer_group_get_n_members (MrConsumerGroup   *group);
gboolean         mr_consumer_group_has_member   (MrConsumerGroup    *group,
                                                 const char         *member_id);

void             mr_consumer_group_join         (MrConsumerGroup          *group,
                                                 const MrGroupJoinRequest *request,
                                                 MrGroupResponseFunc       func,
                                                 gpointer                  user_data,
                                                 gint64                    now,
                                                 GPtrArray                *completions);
/* @assignments: MrGroupMemberData, from the leader (may be NULL). */
void             mr_consumer_group_sync         (MrConsumerGroup    *group,
                                                 gint32              generation,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 GPtrArray          *assignments,
                                                 MrGroupResponseFunc func,
                                                 gpointer            user_data,
                                                 gint64              now,
                                                 GPtrArray          *completions);
MrKafkaError     mr_consumer_group_heartbeat    (MrConsumerGroup    *group,
                                                 gint32              generation,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 gint64              now);
/* @member_id may be "" when @group_instance_id names the member. */
MrKafkaError     mr_consumer_group_leave        (MrConsumerGroup    *group,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 gint64              now,
                                                 GPtrArray          *completions);
/* Whether an OffsetCommit from this member may be applied. Generation -1
 * with an empty member id is a simple commit, allowed while the group
 * has no members. */
MrKafkaError     mr_consumer_group_check_commit (MrConsumerGroup    *group,
                                                 gint32              generation,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 gint64              now);
/* Expires sessions, pending member ids and the join phase. */
void             mr_consumer_group_tick         (MrConsumerGroup    *group,
                                                 gint64              now,
                                                 GPtrArray          *completions);
/* The coordinator lost the group (unload, deletion): every parked
 * request gets @error and the group goes Dead. */
void             mr_consumer_group_shutdown     (MrConsumerGroup    *group,
                                                 MrKafkaError        error,
                                                 GPtrArray          *completions);
/* The earliest monotonic time a tick has work, G_MAXINT64 for none. */
gint64           mr_consumer_group_next_deadline (MrConsumerGroup   *group);
/* Whether the membership changed since the last call (a rebalance
 * completed or an assignment was set): time to write the metadata. */
gboolean         mr_consumer_group_take_dirty   (MrConsumerGroup    *group);
/* Whether a join phase completed (a new generation) since the last call. */
gboolean         mr_consumer_group_take_rebalanced (MrConsumerGroup *group);

/* The group as a metadata record (members with the chosen protocol's
 * metadata and their assignments); also what DescribeGroups shows. */
void             mr_consumer_group_to_record    (MrConsumerGroup       *group,
                                                 MrGroupMetadataRecord *record);
/* Restores what a loaded record says: generation, protocol, and for a
 * group with members those members, their assignments and fresh
 * sessions from @now (Stable); Empty otherwise. */
void             mr_consumer_group_load_record  (MrConsumerGroup             *group,
                                                 const MrGroupMetadataRecord *record,
                                                 gint64                       now);
/* Whether a member's "consumer" subscription names @topic. */
gboolean         mr_consumer_group_is_subscribed (MrConsumerGroup   *group,
                                                 const char         *topic);

/* Committed offsets. */
void             mr_consumer_group_set_offset   (MrConsumerGroup              *group,
                                                 const char                   *topic,
                                                 gint32                        partition,
                                                 const MrGroupCommittedOffset *offset);
void             mr_consumer_group_remove_offset (MrConsumerGroup   *group,
                                                 const char         *topic,
                                                 gint32              partition);
const MrGroupCommittedOffset *
                 mr_consumer_group_lookup_offset (MrConsumerGroup   *group,
                                                 const char         *topic,
                                                 gint32              partition);
typedef void (*MrGroupOffsetFunc) (const char                   *topic,
                                   gint32                        partition,
                                   const MrGroupCommittedOffset *offset,
                                   gpointer                      user_data);
/* In topic, then partition order. */
void             mr_consumer_group_foreach_offset (MrConsumerGroup  *group,
                                                 MrGroupOffsetFunc   func,
                                                 gpointer            user_data);
guint            mr_consumer_group_get_n_offsets (MrConsumerGroup   *group);

G_END_DECLS

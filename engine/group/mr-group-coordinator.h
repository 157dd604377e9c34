/* mr-group-coordinator.h
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

#include "cluster/mr-cluster.h"
#include "mr-consumer-group.h"
#include "mr-group-offsets-codec.h"
#include "cluster/mr-kafka-error.h"

G_BEGIN_DECLS

/* The group coordinators of a cluster (see mr-group-coordinator.c): every
 * broker coordinates the groups whose __consumer_offsets partition it
 * leads. Every call names the broker it arrived at (@via_broker; -1 for
 * in-process callers, which go to the coordinator wherever it is) and
 * answers NOT_COORDINATOR when that broker does not lead the group's
 * offsets partition. Any thread; the blocking calls (commit, delete) not
 * on the GTK main thread. */
typedef struct _MrGroupCoordinator MrGroupCoordinator;

/* An offset to commit, or one fetched. */
typedef struct
{
  char        *topic;
  gint32       partition;
  gint64       offset;            /* -1: none committed */
  gint32       leader_epoch;
  char        *metadata;
  MrKafkaError error;
} MrGroupOffsetEntry;

typedef struct
{
  char         *group_id;
  char         *protocol_type;
  MrGroupState  state;
  gint32        coordinator;
} MrGroupListing;

typedef void (*MrGroupCommitFunc) (MrKafkaError error,
                                   gpointer     user_data);

MrGroupOffsetEntry *mr_group_offset_entry_new   (const char  *topic,
                                                 gint32       partition,
                                                 gint64       offset);
void         mr_group_offset_entry_free         (MrGroupOffsetEntry *entry);
void         mr_group_listing_free              (MrGroupListing     *listing);

MrGroupCoordinator *mr_group_coordinator_new    (MrCluster          *cluster);
void         mr_group_coordinator_free          (MrGroupCoordinator *self);
void         mr_group_coordinator_start         (MrGroupCoordinator *self);
void         mr_group_coordinator_stop          (MrGroupCoordinator *self);

MrGroupCoordinator *mr_cluster_get_group_coordinator (MrCluster     *cluster);

/* FindCoordinator: the broker that leads the group's offsets partition. */
MrKafkaError mr_group_coordinator_find          (MrGroupCoordinator *self,
                                                 const char         *group_id,
                                                 gint32             *broker_id);

/* JoinGroup and SyncGroup park: @func runs once, from any thread, maybe
 * before these return. */
void         mr_group_coordinator_join          (MrGroupCoordinator       *self,
                                                 gint32                    via_broker,
                                                 const char               *group_id,
                                                 const MrGroupJoinRequest *request,
                                                 MrGroupResponseFunc       func,
                                                 gpointer                  user_data);
void         mr_group_coordinator_sync          (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id,
                                                 gint32              generation,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 GPtrArray          *assignments,
                                                 MrGroupResponseFunc func,
                                                 gpointer            user_data);
MrKafkaError mr_group_coordinator_heartbeat     (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id,
                                                 gint32              generation,
                                                 const char         *member_id,
                                                 const char         *group_instance_id);
/* Returns the group-level error; @member_error gets the member's. */
MrKafkaError mr_group_coordinator_leave         (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 MrKafkaError       *member_error);
/* OffsetCommit: @entries (MrGroupOffsetEntry) are written to the offsets
 * partition with acks=all; @func runs once they are replicated (or not). */
void         mr_group_coordinator_commit_async  (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id,
                                                 gint32              generation,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 GPtrArray          *entries,
                                                 MrGroupCommitFunc   func,
                                                 gpointer            user_data);
MrKafkaError mr_group_coordinator_commit        (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id,
                                                 gint32              generation,
                                                 const char         *member_id,
                                                 const char         *group_instance_id,
                                                 GPtrArray          *entries);
/* OffsetFetch: fills @entries in place; with @entries NULL, *@all gets
 * every committed offset of the group. */
MrKafkaError mr_group_coordinator_fetch_offsets (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id,
                                                 GPtrArray          *entries,
                                                 GPtrArray         **all);
/* ListGroups: the groups @via_broker coordinates (-1: every group). */
GPtrArray   *mr_group_coordinator_list          (MrGroupCoordinator *self,
                                                 gint32              via_broker) G_GNUC_WARN_UNUSED_RESULT;
/* DescribeGroups: an unknown group is Dead with no members. */
MrKafkaError mr_group_coordinator_describe      (MrGroupCoordinator    *self,
                                                 gint32                 via_broker,
                                                 const char            *group_id,
                                                 MrGroupState          *state,
                                                 MrGroupMetadataRecord *record);
/* DeleteGroups: only an Empty group (NON_EMPTY_GROUP otherwise). */
MrKafkaError mr_group_coordinator_delete_group  (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id);
/* OffsetDelete: per entry errors (GROUP_SUBSCRIBED_TO_TOPIC). */
MrKafkaError mr_group_coordinator_delete_offsets (MrGroupCoordinator *self,
                                                 gint32              via_broker,
                                                 const char         *group_id,
                                                 GPtrArray          *entries);

/* In-process members (mr-group-member.c) and lag samples. */
typedef struct _MrGroupMember MrGroupMember;
typedef struct _MrLagSampler MrLagSampler;

MrLagSampler *mr_group_coordinator_get_lag_sampler  (MrGroupCoordinator *self);
/* Takes @member; stop_local_members frees it (NULL: every group). */
void         mr_group_coordinator_add_local_member  (MrGroupCoordinator *self,
                                                     MrGroupMember      *member);
gboolean     mr_group_coordinator_is_local_member   (MrGroupCoordinator *self,
                                                     const char         *member_id);
guint        mr_group_coordinator_stop_local_members (MrGroupCoordinator *self,
                                                     const char         *group_id);
/* Stops the one local member of @group_id whose client id is @client_id. */
gboolean     mr_group_coordinator_stop_local_member (MrGroupCoordinator *self,
                                                     const char         *group_id,
                                                     const char         *client_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrGroupOffsetEntry, mr_group_offset_entry_free)

G_END_DECLS

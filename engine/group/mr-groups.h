/* mr-groups.h
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
#include "mr-group-coordinator.h"

G_BEGIN_DECLS

/* Consumer groups, replay and lag: the cluster API that the window, the
 * HTTP API and the sinks use. Every call blocks (not on the GTK main
 * thread) and may be made from any thread. */

#define MR_GROUP_ERROR (mr_group_error_quark ())

typedef enum
{
  MR_GROUP_ERROR_UNAVAILABLE,        /* no coordinator now (retry) */
  MR_GROUP_ERROR_UNKNOWN_GROUP,
  MR_GROUP_ERROR_ACTIVE_MEMBERS,     /* the group has members */
  MR_GROUP_ERROR_INVALID_ARGUMENT,
  MR_GROUP_ERROR_UNKNOWN_TOPIC,
  MR_GROUP_ERROR_FAILED,             /* a write or read failed */
} MrGroupError;

GQuark       mr_group_error_quark           (void);

typedef struct
{
  char   *topic;
  gint32  partition;
} MrTopicPartition;

typedef struct
{
  char      *member_id;
  char      *group_instance_id;    /* NULL: dynamic */
  char      *client_id;
  char      *client_host;
  GPtrArray *assignment;           /* MrTopicPartition, from the consumer
                                    * protocol's assignment */
  gboolean   in_process;           /* a member started here */
} MrGroupMemberInfo;

typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  committed_offset;        /* -1: none */
  gint64  log_start_offset;
  gint64  high_watermark;
  gint64  lag;                     /* high watermark - committed; -1: none */
  gint64  time_lag_ms;             /* age of the oldest unconsumed record;
                                    * 0 when caught up, -1 unknown */
  char   *metadata;
} MrGroupPartitionInfo;

typedef struct
{
  char         *group_id;
  MrGroupState  state;
  char         *protocol_type;
  char         *protocol;
  gint32        generation;
  gint32        coordinator;       /* broker id */
  GPtrArray    *members;           /* MrGroupMemberInfo */
  GPtrArray    *offsets;           /* MrGroupPartitionInfo, by topic and
                                    * partition */
  gint64        total_lag;
} MrGroupInfo;

/* Every group of the cluster (MrGroupListing). */
GPtrArray   *mr_cluster_list_groups         (MrCluster         *cluster,
                                             GError           **error) G_GNUC_WARN_UNUSED_RESULT;
/* State, protocol, members with their assignments, committed offsets
 * with lag per partition. */
MrGroupInfo *mr_cluster_describe_group      (MrCluster         *cluster,
                                             const char        *group_id,
                                             GError           **error) G_GNUC_WARN_UNUSED_RESULT;
void         mr_group_info_free             (MrGroupInfo       *info);
void         mr_topic_partition_free        (MrTopicPartition  *tp);

/* Decodes a ConsumerProtocolAssignment into MrTopicPartitions (NULL if
 * it does not parse). */
GPtrArray   *mr_consumer_assignment_decode  (GBytes            *assignment);

/* Resets, as kafka-consumer-groups --reset-offsets does. */
typedef enum
{
  MR_OFFSET_RESET_TO_EARLIEST,
  MR_OFFSET_RESET_TO_LATEST,
  MR_OFFSET_RESET_TO_OFFSET,       /* value: the offset */
  MR_OFFSET_RESET_TO_DATETIME,     /* value: ms since the epoch */
  MR_OFFSET_RESET_BY_DURATION,     /* value: ms before now */
  MR_OFFSET_RESET_SHIFT_BY,        /* value: N, negative goes back */
} MrOffsetResetKind;

typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  old_offset;              /* -1: none committed */
  gint64  new_offset;
} MrOffsetChange;

void         mr_offset_change_free          (MrOffsetChange    *change);
const char  *mr_offset_reset_kind_to_string (MrOffsetResetKind  kind);
gboolean     mr_offset_reset_kind_from_string (const char      *name,
                                             MrOffsetResetKind *kind);

/* Computes the new offsets of @topic's @partitions (NULL or empty: every
 * partition) and, unless @dry_run, commits them. Refused with
 * MR_GROUP_ERROR_ACTIVE_MEMBERS while the group has members. Returns the
 * changes (MrOffsetChange), or NULL with @error set, nothing changed. */
GPtrArray   *mr_cluster_reset_group_offsets (MrCluster         *cluster,
                                             const char        *group_id,
                                             const char        *topic,
                                             GArray            *partitions,
                                             MrOffsetResetKind  kind,
                                             gint64             value,
                                             gboolean           dry_run,
                                             GError           **error) G_GNUC_WARN_UNUSED_RESULT;

/* How far a copy got: the records the target has acknowledged so far.
 * Called on the copying thread after each batch. */
typedef void (*MrCopyProgressFunc) (gint64   copied,
                                    gpointer user_data);

/* Copies the records of @source (every partition, into the same
 * partition index modulo @target's count) whose offsets lie in
 * [@from_offset, @to_offset) and timestamps in [@from_time, @to_time)
 * (-1: unbounded) into @target, keys, headers and timestamps kept, with
 * acks=all. Returns the number of records copied, -1 with @error.
 * @cancellable stops it between two batches: G_IO_ERROR_CANCELLED, and
 * what was acknowledged before stays in @target (@progress has its
 * count). */
gint64       mr_cluster_copy_records        (MrCluster         *cluster,
                                             const char        *source,
                                             const char        *target,
                                             gint64             from_offset,
                                             gint64             to_offset,
                                             gint64             from_time,
                                             gint64             to_time,
                                             GCancellable      *cancellable,
                                             MrCopyProgressFunc progress,
                                             gpointer           user_data,
                                             GError           **error);

/* Lag over time, sampled every second for the last ten minutes. */
typedef struct
{
  gint64 time_ms;                  /* ms since the epoch */
  gint64 lag;                      /* sum over partitions */
  gint64 time_lag_ms;              /* the largest */
} MrLagSample;

GArray      *mr_cluster_get_group_lag_samples (MrCluster       *cluster,
                                             const char        *group_id) G_GNUC_WARN_UNUSED_RESULT;

/* In-process demo members: a consumer of @topics in @group that reads
 * and commits as a real client does. */
gboolean     mr_cluster_start_group_member  (MrCluster         *cluster,
                                             const char        *group_id,
                                             const char        *client_id,
                                             const char * const *topics,
                                             char             **member_name,
                                             GError           **error);
/* Stops the in-process members of @group (all groups with NULL); they
 * leave the group. Returns how many stopped. */
guint        mr_cluster_stop_group_members  (MrCluster         *cluster,
                                             const char        *group_id);
/* Stops the one in-process member of @group whose client id (the
 * @member_name start_group_member returned) is @client_id; it leaves the
 * group, which rebalances. Returns whether there was one. */
gboolean     mr_cluster_stop_group_member   (MrCluster         *cluster,
                                             const char        *group_id,
                                             const char        *client_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrGroupInfo, mr_group_info_free)

G_END_DECLS

/* mr-replica.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Private to the cluster module. */

#include <glib.h>

#include "mr-fetch-waiter.h"
#include "mr-kafka-error.h"
#include "mr-partition-log.h"

G_BEGIN_DECLS

/* One replica of one partition on one broker: its log, and the state that
 * replication needs, as leader or follower.
 *
 * @locks: every field is protected by the replica's lock; the functions
 * below take it themselves, and never call out (callbacks, other replicas,
 * the network) while holding it. Any thread may call them. */
typedef struct _MrReplica MrReplica;

typedef void (*MrReplicaProduceDone) (MrKafkaError  error,
                                      gint64        base_offset,
                                      gint64        log_append_time,
                                      gint64        log_start_offset,
                                      gpointer      user_data);

typedef struct
{
  MrReplicaProduceDone done;
  gpointer             user_data;
  MrKafkaError         error;
  gint64               base_offset;
  gint64               log_append_time;
  gint64               log_start_offset;
} MrReplicaCompletion;

typedef struct
{
  gint32 broker_id;
  gint64 log_end_offset;       /* as the leader last heard it */
  gint64 last_caught_up_ms;
  gboolean in_isr;
} MrReplicaFollowerState;

typedef struct
{
  gboolean is_leader;
  gint32   leader_id;
  gint32   leader_epoch;
  gint32   partition_epoch;
  gint64   log_start_offset;
  gint64   log_end_offset;
  gint64   high_watermark;
  GArray  *isr;                /* gint32, the leader's view */
  GArray  *followers;          /* MrReplicaFollowerState, leader only */
} MrReplicaSnapshot;

MrReplica    *mr_replica_open                   (const char          *directory,
                                                 const char          *topic,
                                                 gint32               partition,
                                                 gint32               broker_id,
                                                 const MrLogConfig   *config,
                                                 const MrLogIo       *io,
                                                 gint32               min_insync_replicas,
                                                 GError             **error) G_GNUC_WARN_UNUSED_RESULT;
MrReplica    *mr_replica_ref                    (MrReplica           *replica);
void          mr_replica_unref                  (MrReplica           *replica);

const char   *mr_replica_get_topic              (MrReplica           *replica);
gint32        mr_replica_get_partition          (MrReplica           *replica);
MrPartitionLog *mr_replica_get_log              (MrReplica           *replica);
void          mr_replica_set_min_insync         (MrReplica           *replica,
                                                 gint32               min_insync_replicas);

/* Role changes from the controller's metadata. Both fail pending produces
 * (NOT_LEADER_OR_FOLLOWER) that the new role cannot complete, and return
 * them in @completions for the caller to run after. */
void          mr_replica_become_leader          (MrReplica           *replica,
                                                 gint32               leader_epoch,
                                                 gint32               partition_epoch,
                                                 const GArray        *isr,
                                                 const GArray        *replicas,
                                                 gint64               now_ms,
                                                 GArray              *completions);
void          mr_replica_become_follower        (MrReplica           *replica,
                                                 gint32               leader_id,
                                                 gint32               leader_epoch,
                                                 gint32               partition_epoch,
                                                 GArray              *completions);
/* The leader learns of an ISR the controller accepted. */
void          mr_replica_set_isr                (MrReplica           *replica,
                                                 gint32               partition_epoch,
                                                 const GArray        *isr,
                                                 GArray              *completions);

/* A client's produce on the leader. Returns NONE with the offsets when the
 * answer is immediate (acks 0 or 1, or an ISR of one), an error code, or
 * MR_KAFKA_ERROR_NONE with *pending set when acks=all must wait for the
 * high watermark: @done then runs later, from whatever thread advances it
 * or fails it. @batches is rewritten in place (see the log). */
MrKafkaError  mr_replica_produce                (MrReplica           *replica,
                                                 guint8              *batches,
                                                 gsize                len,
                                                 gint16               acks,
                                                 gint64               deadline,
                                                 MrReplicaProduceDone done,
                                                 gpointer             user_data,
                                                 gboolean            *pending,
                                                 gint64              *base_offset,
                                                 gint64              *log_append_time,
                                                 GError             **error);

/* The leader's side of a follower's fetch: records the follower's log end
 * offset (its fetch offset), advances the high watermark, and copies what
 * the follower lacks (up to @max_bytes, whole batches). */
MrKafkaError  mr_replica_serve_follower         (MrReplica           *replica,
                                                 gint32               follower_id,
                                                 gint32               follower_epoch,
                                                 gint64               fetch_offset,
                                                 gsize                max_bytes,
                                                 gint64               now_ms,
                                                 GBytes             **records,
                                                 gint64              *high_watermark,
                                                 gint64              *log_start_offset,
                                                 GArray              *completions);
/* The follower appends what its leader sent. */
gboolean      mr_replica_append_from_leader     (MrReplica           *replica,
                                                 GBytes              *records,
                                                 gint64               leader_high_watermark,
                                                 GError             **error);

/* A consumer's read on the leader: whole batches from @offset, below the
 * high watermark. Waits up to @max_wait_ms for data when there is none. */
MrKafkaError  mr_replica_read                   (MrReplica           *replica,
                                                 gint64               offset,
                                                 gsize                max_bytes,
                                                 guint                max_wait_ms,
                                                 gint32               current_leader_epoch,
                                                 GBytes             **records,
                                                 gint64              *high_watermark,
                                                 gint64              *log_start_offset);

/* Registers a multi-partition fetch's waiter: notified whenever the high
 * watermark moves or the leadership ends, until removed. */
void          mr_replica_add_fetch_waiter       (MrReplica           *replica,
                                                 MrFetchWaiter       *waiter);
void          mr_replica_remove_fetch_waiter    (MrReplica           *replica,
                                                 MrFetchWaiter       *waiter);

/* The leader's ISR check: followers behind for longer than @lag_max_ms
 * leave, caught-up ones join. Returns a proposed ISR, or NULL if none. */
GArray       *mr_replica_propose_isr            (MrReplica           *replica,
                                                 gint64               now_ms,
                                                 gint64               lag_max_ms,
                                                 gint32              *partition_epoch);

/* Leader epochs (KIP-101/279). The leader answers a follower's
 * OffsetForLeaderEpoch; the follower turns the answer into the offset to
 * truncate to (*completed FALSE: ask again with its new latest epoch). */
gint32        mr_replica_get_latest_epoch       (MrReplica           *replica);
void          mr_replica_end_offset_for_epoch   (MrReplica           *replica,
                                                 gint32               requested_epoch,
                                                 gint32              *epoch,
                                                 gint64              *end_offset);
/* A client's OffsetForLeaderEpoch on the leader, fenced by the client's
 * idea of the current leader epoch (-1: not checked). */
MrKafkaError  mr_replica_leader_end_offset_for_epoch (MrReplica      *replica,
                                                 gint32               current_leader_epoch,
                                                 gint32               requested_epoch,
                                                 gint32              *epoch,
                                                 gint64              *end_offset);
gint64        mr_replica_truncation_offset      (MrReplica           *replica,
                                                 gint32               leader_epoch,
                                                 gint64               leader_end_offset,
                                                 gboolean            *completed);
/* A follower whose leader's log starts after this replica's end: empty the
 * log and restart it at @offset. */
gboolean      mr_replica_reset_to               (MrReplica           *replica,
                                                 gint64               offset,
                                                 GError             **error);
/* DeleteRecords on this replica. */
gboolean      mr_replica_delete_records         (MrReplica           *replica,
                                                 gint64               offset,
                                                 GError             **error);

/* The controller refused the proposed ISR (or could not be reached):
 * followers proposed to join stop holding the high watermark back. */
void          mr_replica_cancel_isr_proposal    (MrReplica           *replica);

/* The follower's truncation after a leader change: cut the log to
 * @offset. */
gboolean      mr_replica_truncate               (MrReplica           *replica,
                                                 gint64               offset,
                                                 gint64              *truncated_from,
                                                 GError             **error);

void          mr_replica_snapshot               (MrReplica           *replica,
                                                 MrReplicaSnapshot   *snapshot);
void          mr_replica_snapshot_clear         (MrReplicaSnapshot   *snapshot);

/* Fails every pending produce and wakes every waiting read (shutdown,
 * crash, leadership loss). */
void          mr_replica_fail_pending           (MrReplica           *replica,
                                                 MrKafkaError         error,
                                                 GArray              *completions);

/* Fails pending produces whose deadline (monotonic µs) has passed with
 * REQUEST_TIMED_OUT. Returns whether any produce is still waiting. */
gboolean      mr_replica_expire_pending         (MrReplica           *replica,
                                                 gint64               now_monotonic,
                                                 GArray              *completions);

/* Closes the log: cleanly (flushed), or as a crash (nothing flushed; with
 * @power_loss, unsynced bytes lost too). Fails what is pending. */
void          mr_replica_close                  (MrReplica           *replica,
                                                 gboolean             crash,
                                                 gboolean             power_loss,
                                                 GArray              *completions);

/* Runs completions collected by the calls above, outside any lock. */
void          mr_replica_run_completions        (GArray              *completions);
GArray       *mr_replica_completions_new        (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrReplica, mr_replica_unref)

G_END_DECLS

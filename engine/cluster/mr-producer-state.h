/* mr-producer-state.h
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

#include "mr-kafka-error.h"

/* Spelled from the engine directory: the header is also read from outside
 * the engine, where only that directory is on the include path. */
#include "log/mr-partition-log.h"
#include "log/mr-record-batch.h"

G_BEGIN_DECLS

/* The idempotent-producer state of one replica of one partition (KIP-98):
 * for each producer id, its current epoch and its last
 * MR_PRODUCER_STATE_MAX_BATCHES appended batches, enough to recognise a
 * retried batch and to refuse a gap. See mr-producer-state.c for the rules.
 *
 * Threads: the table has no lock of its own. It belongs to its partition
 * replica, and every function must be called with that replica's lock held
 * (the lock that also orders the replica's appends), so that a check, the
 * append it allows and the update after it happen as one step. */
typedef struct _MrProducerStateTable MrProducerStateTable;

/* How many batches per producer are remembered: the most a producer may have
 * in flight (max.in.flight.requests.per.connection <= 5). */
#define MR_PRODUCER_STATE_MAX_BATCHES 5

/* Kafka's producer.id.expiration.ms default (KIP-854): one day. */
#define MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT G_GINT64_CONSTANT (86400000)

/* One remembered batch. Sequences wrap from G_MAXINT32 to 0. */
typedef struct
{
  gint32 first_sequence;
  gint32 last_sequence;
  gint64 first_offset;
  gint64 last_offset;
  gint64 timestamp;        /* the batch's max timestamp */
} MrProducerBatchInfo;

MrProducerStateTable *mr_producer_state_table_new                (gint64                      expiration_ms) G_GNUC_WARN_UNUSED_RESULT;
void                  mr_producer_state_table_free               (MrProducerStateTable       *table);

gint64                mr_producer_state_table_get_expiration_ms  (MrProducerStateTable       *table);
void                  mr_producer_state_table_set_expiration_ms  (MrProducerStateTable       *table,
                                                                  gint64                      expiration_ms);
guint                 mr_producer_state_table_get_n_producers    (MrProducerStateTable       *table);

/* Decides whether the batch described by @header may be appended, before
 * it is. Returns:
 *  - MR_KAFKA_ERROR_NONE: append it, then call _update();
 *  - MR_KAFKA_ERROR_DUPLICATE_SEQUENCE_NUMBER: a retry of a batch that is
 *    already in the log. Do not append it; answer the producer with NONE
 *    and the original offsets, which are stored in @duplicate (may be
 *    NULL). The code never goes on the wire as it is;
 *  - MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER,
 *    MR_KAFKA_ERROR_INVALID_PRODUCER_EPOCH, MR_KAFKA_ERROR_INVALID_RECORD:
 *    refuse the batch with that code.
 * Batches without a producer id (-1) and control batches always pass. */
MrKafkaError          mr_producer_state_table_check              (MrProducerStateTable       *table,
                                                                  const MrRecordBatchHeader  *header,
                                                                  MrProducerBatchInfo        *duplicate);

/* Records a batch that is now in the log: @header->base_offset is the
 * offset the log assigned. Called after each leader append, for each batch
 * a follower copies, and by _rebuild(). Never refuses: the log is the
 * truth. Keeps the last MR_PRODUCER_STATE_MAX_BATCHES batches of the
 * producer's current epoch; a new epoch forgets the old one's batches. */
void                  mr_producer_state_table_update             (MrProducerStateTable       *table,
                                                                  const MrRecordBatchHeader  *header);

/* Copies what is known of @producer_id; FALSE when nothing is. @batches
 * must hold MR_PRODUCER_STATE_MAX_BATCHES entries; they come oldest first.
 * Any out argument may be NULL. */
gboolean              mr_producer_state_table_lookup             (MrProducerStateTable       *table,
                                                                  gint64                      producer_id,
                                                                  gint16                     *epoch,
                                                                  gint64                     *last_timestamp,
                                                                  MrProducerBatchInfo        *batches,
                                                                  guint                      *n_batches);

/* Forgets producers whose last batch's max timestamp is @expiration_ms or
 * more before @now_ms, as Kafka does. Returns how many went. */
guint                 mr_producer_state_table_expire             (MrProducerStateTable       *table,
                                                                  gint64                      now_ms);

/* Forgets every batch with an offset at or after @offset (a log truncated
 * to @offset drops the batch holding it whole), and every producer left
 * without a batch. This knows less than a rebuild would: a producer whose
 * remembered batches all went is forgotten even if older batches of it
 * remain below @offset (it becomes unknown: sequence 0 passes, anything
 * else is refused), and batches that had been pushed out of the window do
 * not come back. Exact only when neither happened; callers that truncate
 * the log should _rebuild() instead. */
void                  mr_producer_state_table_remove_after       (MrProducerStateTable       *table,
                                                                  gint64                      offset);

void                  mr_producer_state_table_clear              (MrProducerStateTable       *table);

/* Clears the table and replays the batch headers of @log from the batch
 * holding @from_offset (normally the log start) to the log end, as after a
 * restart, a leader change or a truncation. Reads headers only. Producers
 * that have expired meanwhile stay until the next _expire(). On error the
 * table is left empty. */
gboolean              mr_producer_state_table_rebuild            (MrProducerStateTable       *table,
                                                                  MrPartitionLog             *log,
                                                                  gint64                      from_offset,
                                                                  GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrProducerStateTable, mr_producer_state_table_free)

G_END_DECLS

/* mr-producer-state.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-producer-state.h"

#include <string.h>

/* Idempotent producers (KIP-98)
 * =============================
 *
 * An idempotent producer gets a producer id and an epoch from
 * InitProducerId and numbers its batches per partition: each batch carries
 * its first sequence (base_sequence) and covers last_offset_delta + 1
 * sequences, so its last sequence is base_sequence + last_offset_delta,
 * wrapping from G_MAXINT32 to 0 as Kafka's sequences do. A producer keeps
 * at most five batches in flight per partition, so the leader remembers,
 * per producer, the epoch and the last five batches it appended: first and
 * last sequence, first and last offset, max timestamp.
 *
 * The checks, in order, for a batch about to be appended:
 *
 *  1. No producer id (-1) or a control batch: nothing to check.
 *  2. A producer id with a negative epoch or base sequence: INVALID_RECORD
 *     (Kafka's log validator refuses such a batch the same way).
 *  3. A producer id the table does not know: the batch must start a
 *     sequence (0), otherwise OUT_OF_ORDER_SEQUENCE_NUMBER.
 *
 *     About UNKNOWN_PRODUCER_ID (59): Kafka 0.11 to 2.4 answered it here,
 *     for a producer whose state the broker had lost because retention or
 *     DeleteRecords removed all of its batches; the client then reset its
 *     sequence. KIP-360 (Kafka 2.5) retired that answer: a 2.5 or later
 *     broker accepts any first sequence from a producer it has no state for
 *     ("accept writes with any sequence number"), and bumping the epoch is
 *     the client's way out of a broken sequence. We do neither: a first
 *     sequence other than 0 from an unknown producer is refused with
 *     OUT_OF_ORDER_SEQUENCE_NUMBER, so that a gap (a batch lost with a
 *     failed leader, a producer expired while idle) is reported rather
 *     than accepted silently; a new epoch starting at 0 is then accepted.
 *     UNKNOWN_PRODUCER_ID is never returned.
 *  4. An epoch below the known one: INVALID_PRODUCER_EPOCH (a fenced,
 *     older incarnation of the producer).
 *  5. An epoch above the known one: the producer bumped its epoch, and a
 *     new epoch starts at sequence 0; anything else is
 *     OUT_OF_ORDER_SEQUENCE_NUMBER.
 *  6. The same epoch, and the same first and last sequence as one of the
 *     remembered batches: a retry of a batch already in the log. It is not
 *     appended again; the producer is answered NONE with the original
 *     offsets, as modern Kafka does (DUPLICATE_SEQUENCE_NUMBER is the
 *     other answer Kafka has used; clients take it as success with the
 *     offsets unknown).
 *  7. The same epoch, and a first sequence one past the last sequence of
 *     the latest batch (0 after G_MAXINT32): in order, append it.
 *  8. Anything else (a gap, an overlap, a retry of a batch older than the
 *     five remembered): OUT_OF_ORDER_SEQUENCE_NUMBER.
 *
 * After an append the table records the batch with its assigned offsets;
 * a batch with a new epoch forgets the previous epoch's batches (they can
 * no longer be retried: the producer bumped its epoch precisely to drop
 * them). Followers record each batch they copy without checking it, since
 * the leader checked it, so that any replica can take over with the same
 * state.
 *
 * Recovery: Kafka snapshots this state at segment rolls and replays the log
 * after the snapshot. We replay batch headers from the log start instead:
 * headers only, no record is read, which is fast for the logs a desktop
 * cluster holds, and leaves nothing on disk to keep consistent. One
 * difference follows: since KIP-360 Kafka keeps a producer whose batches
 * retention or DeleteRecords removed until it expires, through its
 * snapshots; a replay cannot see such a producer, which comes back
 * unknown (rule 3).
 *
 * Expiry: a producer is forgotten once its latest batch's max timestamp is
 * producer.id.expiration.ms (default one day; transactional.id.expiration.ms
 * before KIP-854) behind the clock. Like Kafka, the timestamp is the
 * batch's own, which a rebuild from the log recovers too.
 */

typedef struct
{
  gint64              producer_id;
  gint16              epoch;
  gint64              last_timestamp;
  guint               n_batches;
  /* Oldest first, all of the current epoch. Never empty. */
  MrProducerBatchInfo batches[MR_PRODUCER_STATE_MAX_BATCHES];
} ProducerEntry;

struct _MrProducerStateTable
{
  /* gint64 * pointing into the entry → ProducerEntry * */
  GHashTable *producers;
  gint64      expiration_ms;
};

static gint32
batch_last_sequence (const MrRecordBatchHeader *header)
{
  gint64 last = (gint64)header->base_sequence + header->last_offset_delta;

  if (last > G_MAXINT32)
    last -= (gint64)G_MAXINT32 + 1;
  return (gint32)last;
}

static gint32
next_sequence (gint32 sequence)
{
  return sequence == G_MAXINT32 ? 0 : sequence + 1;
}

static gboolean
has_producer_state (const MrRecordBatchHeader *header)
{
  return header->producer_id >= 0
         && (header->attributes & MR_RECORD_BATCH_CONTROL) == 0;
}

static const MrProducerBatchInfo *
entry_find_batch (const ProducerEntry *entry,
                  gint32               first_sequence,
                  gint32               last_sequence)
{
  for (guint i = 0; i < entry->n_batches; i++)
    {
      const MrProducerBatchInfo *batch = &entry->batches[i];

      if (batch->first_sequence == first_sequence
          && batch->last_sequence == last_sequence)
        return batch;
    }
  return NULL;
}

static gboolean
is_expired (const ProducerEntry *entry,
            gint64               now_ms,
            gint64               expiration_ms)
{
  /* Unsigned, so that odd timestamps (-1, far past) cannot overflow. */
  if (now_ms < entry->last_timestamp)
    return FALSE;
  return (guint64)now_ms - (guint64)entry->last_timestamp
         >= (guint64)expiration_ms;
}

static gboolean
rebuild_cb (const MrRecordBatchHeader *header,
            gpointer                   user_data)
{
  mr_producer_state_table_update (user_data, header);
  return TRUE;
}

/**
 * mr_producer_state_table_new:
 * @expiration_ms: producer.id.expiration.ms, at least 0
 *
 * @locality any thread; the table then belongs to one partition replica.
 */
MrProducerStateTable *
mr_producer_state_table_new (gint64 expiration_ms)
{
  MrProducerStateTable *table = NULL;

  g_return_val_if_fail (expiration_ms >= 0, NULL);

  table = g_new0 (MrProducerStateTable, 1);
  table->producers = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                            NULL, g_free);
  table->expiration_ms = expiration_ms;
  return table;
}

void
mr_producer_state_table_free (MrProducerStateTable *table)
{
  if (table == NULL)
    return;

  g_clear_pointer (&table->producers, g_hash_table_unref);
  g_free (table);
}

/* @locks the partition replica's lock must be held. */
gint64
mr_producer_state_table_get_expiration_ms (MrProducerStateTable *table)
{
  g_return_val_if_fail (table != NULL, -1);

  return table->expiration_ms;
}

/* @locks the partition replica's lock must be held. */
void
mr_producer_state_table_set_expiration_ms (MrProducerStateTable *table,
                                           gint64                expiration_ms)
{
  g_return_if_fail (table != NULL);
  g_return_if_fail (expiration_ms >= 0);

  table->expiration_ms = expiration_ms;
}

/* @locks the partition replica's lock must be held. */
guint
mr_producer_state_table_get_n_producers (MrProducerStateTable *table)
{
  g_return_val_if_fail (table != NULL, 0);

  return g_hash_table_size (table->producers);
}

/* @locality the thread appending to the partition replica.
 * @locks the partition replica's lock must be held, from this check until
 * the matching mr_producer_state_table_update(). */
MrKafkaError
mr_producer_state_table_check (MrProducerStateTable      *table,
                               const MrRecordBatchHeader *header,
                               MrProducerBatchInfo       *duplicate)
{
  const MrProducerBatchInfo *original = NULL;
  const MrProducerBatchInfo *latest = NULL;
  const ProducerEntry *entry = NULL;
  gint32 first_sequence;
  gint32 last_sequence;

  g_return_val_if_fail (table != NULL, MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR);
  g_return_val_if_fail (header != NULL, MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR);

  if (!has_producer_state (header))
    return MR_KAFKA_ERROR_NONE;

  if (header->producer_epoch < 0 || header->base_sequence < 0)
    return MR_KAFKA_ERROR_INVALID_RECORD;

  first_sequence = header->base_sequence;
  last_sequence = batch_last_sequence (header);

  entry = g_hash_table_lookup (table->producers, &header->producer_id);
  if (entry == NULL)
    {
      if (first_sequence == 0)
        return MR_KAFKA_ERROR_NONE;
      g_debug ("Producer %" G_GINT64_FORMAT " unknown, first sequence %d: "
               "out of order", header->producer_id, first_sequence);
      return MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    }

  if (header->producer_epoch < entry->epoch)
    {
      g_debug ("Producer %" G_GINT64_FORMAT " epoch %d is fenced by %d",
               header->producer_id, header->producer_epoch, entry->epoch);
      return MR_KAFKA_ERROR_INVALID_PRODUCER_EPOCH;
    }

  if (header->producer_epoch > entry->epoch)
    {
      if (first_sequence == 0)
        return MR_KAFKA_ERROR_NONE;
      g_debug ("Producer %" G_GINT64_FORMAT " new epoch %d starts at "
               "sequence %d, not 0", header->producer_id,
               header->producer_epoch, first_sequence);
      return MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    }

  original = entry_find_batch (entry, first_sequence, last_sequence);
  if (original != NULL)
    {
      if (duplicate != NULL)
        *duplicate = *original;
      return MR_KAFKA_ERROR_DUPLICATE_SEQUENCE_NUMBER;
    }

  g_assert (entry->n_batches > 0);
  latest = &entry->batches[entry->n_batches - 1];
  if (first_sequence == next_sequence (latest->last_sequence))
    return MR_KAFKA_ERROR_NONE;

  g_debug ("Producer %" G_GINT64_FORMAT " epoch %d: sequence %d after %d "
           "is out of order", header->producer_id, header->producer_epoch,
           first_sequence, latest->last_sequence);
  return MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

/* @locality the thread appending to the partition replica.
 * @locks the partition replica's lock must be held. */
void
mr_producer_state_table_update (MrProducerStateTable      *table,
                                const MrRecordBatchHeader *header)
{
  MrProducerBatchInfo *batch = NULL;
  ProducerEntry *entry = NULL;

  g_return_if_fail (table != NULL);
  g_return_if_fail (header != NULL);

  if (!has_producer_state (header))
    return;

  /* The leader refuses such batches; a log that holds one anyway gives
   * nothing to remember. */
  if (header->producer_epoch < 0 || header->base_sequence < 0)
    return;

  entry = g_hash_table_lookup (table->producers, &header->producer_id);
  if (entry == NULL)
    {
      entry = g_new0 (ProducerEntry, 1);
      entry->producer_id = header->producer_id;
      entry->epoch = header->producer_epoch;
      g_hash_table_insert (table->producers, &entry->producer_id, entry);
    }
  else if (entry->epoch != header->producer_epoch)
    {
      entry->epoch = header->producer_epoch;
      entry->n_batches = 0;
    }

  if (entry->n_batches == MR_PRODUCER_STATE_MAX_BATCHES)
    {
      memmove (&entry->batches[0], &entry->batches[1],
               sizeof entry->batches[0] * (MR_PRODUCER_STATE_MAX_BATCHES - 1));
      entry->n_batches--;
    }

  batch = &entry->batches[entry->n_batches++];
  batch->first_sequence = header->base_sequence;
  batch->last_sequence = batch_last_sequence (header);
  batch->first_offset = header->base_offset;
  batch->last_offset = mr_record_batch_header_get_last_offset (header);
  batch->timestamp = header->max_timestamp;
  entry->last_timestamp = header->max_timestamp;
}

/* @locks the partition replica's lock must be held. */
gboolean
mr_producer_state_table_lookup (MrProducerStateTable *table,
                                gint64                producer_id,
                                gint16               *epoch,
                                gint64               *last_timestamp,
                                MrProducerBatchInfo  *batches,
                                guint                *n_batches)
{
  const ProducerEntry *entry = NULL;

  g_return_val_if_fail (table != NULL, FALSE);

  entry = g_hash_table_lookup (table->producers, &producer_id);
  if (entry == NULL)
    {
      if (n_batches != NULL)
        *n_batches = 0;
      return FALSE;
    }

  if (epoch != NULL)
    *epoch = entry->epoch;
  if (last_timestamp != NULL)
    *last_timestamp = entry->last_timestamp;
  if (batches != NULL)
    memcpy (batches, entry->batches,
            sizeof entry->batches[0] * entry->n_batches);
  if (n_batches != NULL)
    *n_batches = entry->n_batches;
  return TRUE;
}

/* @locks the partition replica's lock must be held. */
guint
mr_producer_state_table_expire (MrProducerStateTable *table,
                                gint64                now_ms)
{
  GHashTableIter iter;
  gpointer value = NULL;
  guint n_expired = 0;

  g_return_val_if_fail (table != NULL, 0);

  g_hash_table_iter_init (&iter, table->producers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const ProducerEntry *entry = value;

      if (is_expired (entry, now_ms, table->expiration_ms))
        {
          g_debug ("Producer %" G_GINT64_FORMAT " expired (last batch at %"
                   G_GINT64_FORMAT ")", entry->producer_id,
                   entry->last_timestamp);
          g_hash_table_iter_remove (&iter);
          n_expired++;
        }
    }

  return n_expired;
}

/* @locks the partition replica's lock must be held. */
void
mr_producer_state_table_remove_after (MrProducerStateTable *table,
                                      gint64                offset)
{
  GHashTableIter iter;
  gpointer value = NULL;

  g_return_if_fail (table != NULL);

  g_hash_table_iter_init (&iter, table->producers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ProducerEntry *entry = value;
      guint kept = 0;

      /* Batches are in offset order: keep the prefix below @offset. */
      while (kept < entry->n_batches
             && entry->batches[kept].last_offset < offset)
        kept++;

      if (kept == entry->n_batches)
        continue;

      if (kept == 0)
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }

      entry->n_batches = kept;
      entry->last_timestamp = entry->batches[kept - 1].timestamp;
    }
}

/* @locks the partition replica's lock must be held. */
void
mr_producer_state_table_clear (MrProducerStateTable *table)
{
  g_return_if_fail (table != NULL);

  g_hash_table_remove_all (table->producers);
}

/* @locality any thread; reads the log's segments without its lock held
 * (mr_partition_log_foreach_batch() takes it briefly).
 * @locks the partition replica's lock must be held, so that no append
 * races the replay. */
gboolean
mr_producer_state_table_rebuild (MrProducerStateTable  *table,
                                 MrPartitionLog        *log,
                                 gint64                 from_offset,
                                 GError               **error)
{
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mr_producer_state_table_clear (table);

  if (!mr_partition_log_foreach_batch (log, from_offset, rebuild_cb, table,
                                       error))
    {
      mr_producer_state_table_clear (table);
      g_prefix_error (error, "Could not rebuild producer state: ");
      return FALSE;
    }

  g_debug ("Rebuilt the state of %u producers from offset %" G_GINT64_FORMAT
           " of “%s”", g_hash_table_size (table->producers), from_offset,
           mr_partition_log_get_directory (log));
  return TRUE;
}

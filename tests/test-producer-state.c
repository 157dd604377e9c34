/* test-producer-state.c: the idempotent-producer checks of one partition
 * replica (KIP-98), and their rebuild from a partition log.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

typedef MrTestLogFixture Fixture;

#define NONE          MR_KAFKA_ERROR_NONE
#define DUPLICATE     MR_KAFKA_ERROR_DUPLICATE_SEQUENCE_NUMBER
#define OUT_OF_ORDER  MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER
#define STALE_EPOCH   MR_KAFKA_ERROR_INVALID_PRODUCER_EPOCH
#define INVALID       MR_KAFKA_ERROR_INVALID_RECORD

typedef enum
{
  /* Only ask: the batch is not appended. */
  STEP_CHECK,
  /* A leader append: the check must pass, the batch gets the next
   * offsets, and the table records it. */
  STEP_APPEND,
  /* A follower copy or a replay: recorded without a check. */
  STEP_UPDATE,
} StepKind;

typedef struct
{
  const char   *what;
  StepKind      kind;
  gint64        producer_id;
  gint16        epoch;
  gint32        sequence;
  gint32        n_records;
  MrKafkaError  expected;
  /* STEP_APPEND: the first offset the batch gets. STEP_CHECK of a
   * duplicate: the original batch's offsets. -1 otherwise. */
  gint64        first_offset;
  gint64        last_offset;
} Step;

static MrRecordBatchHeader
make_header (gint64 producer_id,
             gint16 epoch,
             gint32 sequence,
             gint32 n_records,
             gint64 base_offset,
             gint64 timestamp)
{
  MrRecordBatchHeader header;

  memset (&header, 0, sizeof header);
  header.base_offset = base_offset;
  header.partition_leader_epoch = 0;
  header.magic = MR_RECORD_BATCH_MAGIC;
  header.last_offset_delta = n_records - 1;
  header.base_timestamp = timestamp;
  header.max_timestamp = timestamp;
  header.producer_id = producer_id;
  header.producer_epoch = epoch;
  header.base_sequence = sequence;
  header.record_count = n_records;
  return header;
}

static void
run_steps (MrProducerStateTable *table,
           const Step           *steps,
           guint                 n_steps,
           gint64               *log_end)
{
  for (guint i = 0; i < n_steps; i++)
    {
      const Step *step = &steps[i];
      MrRecordBatchHeader header;
      MrProducerBatchInfo duplicate = { -1, -1, -1, -1, -1 };
      MrKafkaError result;

      g_test_message ("step %u: %s", i, step->what);
      header = make_header (step->producer_id, step->epoch, step->sequence,
                            step->n_records, *log_end, 1000 + i);

      if (step->kind == STEP_UPDATE)
        {
          mr_producer_state_table_update (table, &header);
          *log_end += step->n_records;
          continue;
        }

      result = mr_producer_state_table_check (table, &header, &duplicate);
      g_assert_cmpstr (mr_kafka_error_to_string (result), ==,
                       mr_kafka_error_to_string (step->expected));

      if (result == DUPLICATE)
        {
          g_assert_cmpint (duplicate.first_offset, ==, step->first_offset);
          g_assert_cmpint (duplicate.last_offset, ==, step->last_offset);
          g_assert_cmpint (duplicate.first_sequence, ==, step->sequence);
        }

      if (step->kind == STEP_APPEND)
        {
          g_assert_cmpint (result, ==, NONE);
          g_assert_cmpint (*log_end, ==, step->first_offset);
          mr_producer_state_table_update (table, &header);
          *log_end += step->n_records;
        }
    }
}

static void
test_no_producer_id (void)
{
  g_autoptr(MrProducerStateTable) table = NULL;
  MrRecordBatchHeader header;

  table = mr_producer_state_table_new (MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);

  /* Plain batches: producer id -1, epoch -1, sequence -1. */
  header = make_header (-1, -1, -1, 3, 0, 1000);
  g_assert_cmpint (mr_producer_state_table_check (table, &header, NULL), ==,
                   NONE);
  mr_producer_state_table_update (table, &header);
  g_assert_cmpuint (mr_producer_state_table_get_n_producers (table), ==, 0);

  /* Control batches (transaction markers) are not sequenced. */
  header = make_header (7, 0, -1, 1, 3, 1000);
  header.attributes = MR_RECORD_BATCH_CONTROL | MR_RECORD_BATCH_TRANSACTIONAL;
  g_assert_cmpint (mr_producer_state_table_check (table, &header, NULL), ==,
                   NONE);
  mr_producer_state_table_update (table, &header);
  g_assert_cmpuint (mr_producer_state_table_get_n_producers (table), ==, 0);

  /* A producer id with no epoch or no sequence is not a valid batch. */
  header = make_header (7, -1, 0, 1, 4, 1000);
  g_assert_cmpint (mr_producer_state_table_check (table, &header, NULL), ==,
                   INVALID);
  header = make_header (7, 0, -1, 1, 4, 1000);
  g_assert_cmpint (mr_producer_state_table_check (table, &header, NULL), ==,
                   INVALID);
}

/* Every rule, in the order a producer meets them. The log end starts at 0;
 * producer 1 writes five batches of different sizes, so that each cached
 * batch has its own sequence range and offsets. */
static const Step rule_steps[] = {
  { "unknown producer, first sequence 5", STEP_CHECK, 1, 0, 5, 1,
    OUT_OF_ORDER, -1, -1 },
  { "unknown producer, sequence 0", STEP_APPEND, 1, 0, 0, 2, NONE, 0, -1 },
  { "in order", STEP_APPEND, 1, 0, 2, 3, NONE, 2, -1 },
  { "in order", STEP_APPEND, 1, 0, 5, 1, NONE, 5, -1 },
  { "in order", STEP_APPEND, 1, 0, 6, 2, NONE, 6, -1 },
  { "in order", STEP_APPEND, 1, 0, 8, 1, NONE, 8, -1 },

  { "duplicate of the 5th-last batch", STEP_CHECK, 1, 0, 0, 2, DUPLICATE,
    0, 1 },
  { "duplicate of the 4th-last batch", STEP_CHECK, 1, 0, 2, 3, DUPLICATE,
    2, 4 },
  { "duplicate of the 3rd-last batch", STEP_CHECK, 1, 0, 5, 1, DUPLICATE,
    5, 5 },
  { "duplicate of the 2nd-last batch", STEP_CHECK, 1, 0, 6, 2, DUPLICATE,
    6, 7 },
  { "duplicate of the last batch", STEP_CHECK, 1, 0, 8, 1, DUPLICATE, 8, 8 },

  { "same first sequence, other last sequence", STEP_CHECK, 1, 0, 2, 2,
    OUT_OF_ORDER, -1, -1 },
  { "overlap inside a cached batch", STEP_CHECK, 1, 0, 3, 2, OUT_OF_ORDER,
    -1, -1 },
  { "gap of one", STEP_CHECK, 1, 0, 10, 1, OUT_OF_ORDER, -1, -1 },
  { "sequence 0 again, same epoch, other size", STEP_CHECK, 1, 0, 0, 1,
    OUT_OF_ORDER, -1, -1 },
  { "next in order is only checked", STEP_CHECK, 1, 0, 9, 1, NONE, -1, -1 },

  { "a sixth batch pushes the first out", STEP_APPEND, 1, 0, 9, 1, NONE, 9,
    -1 },
  { "duplicate of the 6th-last batch", STEP_CHECK, 1, 0, 0, 2, OUT_OF_ORDER,
    -1, -1 },
  { "the 5th-last is still known", STEP_CHECK, 1, 0, 2, 3, DUPLICATE, 2, 4 },

  { "another producer interleaves", STEP_APPEND, 2, 3, 0, 4, NONE, 10, -1 },
  { "and does not disturb the first", STEP_CHECK, 1, 0, 10, 1, NONE, -1,
    -1 },
  { "nor shares its sequences", STEP_CHECK, 2, 3, 9, 1, OUT_OF_ORDER, -1,
    -1 },

  { "epoch bump that does not start at 0", STEP_CHECK, 1, 1, 10, 1,
    OUT_OF_ORDER, -1, -1 },
  { "epoch bump skipping epochs, not at 0", STEP_CHECK, 1, 5, 3, 1,
    OUT_OF_ORDER, -1, -1 },
  { "epoch bump starting at 0", STEP_APPEND, 1, 1, 0, 1, NONE, 14, -1 },
  { "stale epoch, in order for it", STEP_CHECK, 1, 0, 10, 1, STALE_EPOCH,
    -1, -1 },
  { "stale epoch, duplicate for it", STEP_CHECK, 1, 0, 9, 1, STALE_EPOCH,
    -1, -1 },
  { "old epoch's batch under the new epoch", STEP_CHECK, 1, 1, 9, 1,
    OUT_OF_ORDER, -1, -1 },
  { "duplicate in the new epoch", STEP_CHECK, 1, 1, 0, 1, DUPLICATE, 14,
    14 },
  { "in order in the new epoch", STEP_APPEND, 1, 1, 1, 2, NONE, 15, -1 },
  { "the other producer is untouched", STEP_CHECK, 2, 3, 0, 4, DUPLICATE,
    10, 13 },
  { "unknown producer 3, sequence 0", STEP_CHECK, 3, 0, 0, 1, NONE, -1,
    -1 },
};

static void
test_rules (void)
{
  g_autoptr(MrProducerStateTable) table = NULL;
  MrProducerBatchInfo batches[MR_PRODUCER_STATE_MAX_BATCHES];
  gint64 log_end = 0;
  gint64 last_timestamp = 0;
  guint n_batches = 0;
  gint16 epoch = -1;

  table = mr_producer_state_table_new (MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);
  run_steps (table, rule_steps, G_N_ELEMENTS (rule_steps), &log_end);

  g_assert_cmpuint (mr_producer_state_table_get_n_producers (table), ==, 2);
  g_assert_true (mr_producer_state_table_lookup (table, 1, &epoch,
                                                 &last_timestamp, batches,
                                                 &n_batches));
  g_assert_cmpint (epoch, ==, 1);
  g_assert_cmpuint (n_batches, ==, 2);
  g_assert_cmpint (batches[1].first_sequence, ==, 1);
  g_assert_cmpint (batches[1].last_sequence, ==, 2);
  g_assert_cmpint (batches[1].first_offset, ==, 15);
  g_assert_cmpint (batches[1].last_offset, ==, 16);
  g_assert_cmpint (last_timestamp, ==, batches[1].timestamp);
  g_assert_false (mr_producer_state_table_lookup (table, 3, NULL, NULL, NULL,
                                                  &n_batches));
  g_assert_cmpuint (n_batches, ==, 0);
}

/* Sequences wrap from G_MAXINT32 to 0. The producer's earlier batches were
 * replayed (a follower, or a rebuild after retention removed the start). */
static const Step wrap_steps[] = {
  { "replayed up to G_MAXINT32", STEP_UPDATE, 4, 2, G_MAXINT32 - 2, 3, NONE,
    -1, -1 },
  { "G_MAXINT32 + 1 would be out of order", STEP_CHECK, 4, 2, G_MAXINT32,
    1, OUT_OF_ORDER, -1, -1 },
  { "wraps to 0", STEP_APPEND, 4, 2, 0, 2, NONE, 3, -1 },
  { "continues at 2", STEP_APPEND, 4, 2, 2, 1, NONE, 5, -1 },
  { "duplicate across the wrap", STEP_CHECK, 4, 2, G_MAXINT32 - 2, 3,
    DUPLICATE, 0, 2 },
  { "duplicate after the wrap", STEP_CHECK, 4, 2, 0, 2, DUPLICATE, 3, 4 },

  { "a batch that straddles the wrap", STEP_UPDATE, 5, 0, G_MAXINT32 - 1, 4,
    NONE, -1, -1 },
  { "after the straddling batch", STEP_APPEND, 5, 0, 2, 1, NONE, 10, -1 },
  { "duplicate of the straddling batch", STEP_CHECK, 5, 0, G_MAXINT32 - 1,
    4, DUPLICATE, 6, 9 },
  { "straddling batch cut short", STEP_CHECK, 5, 0, G_MAXINT32 - 1, 3,
    OUT_OF_ORDER, -1, -1 },
};

static void
test_wrap_around (void)
{
  g_autoptr(MrProducerStateTable) table = NULL;
  MrProducerBatchInfo batches[MR_PRODUCER_STATE_MAX_BATCHES];
  gint64 log_end = 0;
  guint n_batches = 0;

  table = mr_producer_state_table_new (MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);
  run_steps (table, wrap_steps, G_N_ELEMENTS (wrap_steps), &log_end);

  g_assert_true (mr_producer_state_table_lookup (table, 5, NULL, NULL,
                                                 batches, &n_batches));
  g_assert_cmpuint (n_batches, ==, 2);
  g_assert_cmpint (batches[0].first_sequence, ==, G_MAXINT32 - 1);
  g_assert_cmpint (batches[0].last_sequence, ==, 1);
}

static void
test_expiry (void)
{
  g_autoptr(MrProducerStateTable) table = NULL;
  const gint64 day = 86400000;
  const gint64 now = G_GINT64_CONSTANT (1700000000000);
  MrRecordBatchHeader header;

  table = mr_producer_state_table_new (MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);
  g_assert_cmpint (mr_producer_state_table_get_expiration_ms (table), ==,
                   day);

  /* The last batch counts, by its own timestamp. */
  header = make_header (1, 0, 0, 1, 0, now - 3 * day);
  mr_producer_state_table_update (table, &header);
  header = make_header (1, 0, 1, 1, 1, now - day);
  mr_producer_state_table_update (table, &header);
  header = make_header (2, 0, 0, 1, 2, now - day + 1);
  mr_producer_state_table_update (table, &header);
  header = make_header (3, 0, 0, 1, 3, now + day);
  mr_producer_state_table_update (table, &header);
  header = make_header (4, 0, 0, 1, 4, -1);
  mr_producer_state_table_update (table, &header);
  g_assert_cmpuint (mr_producer_state_table_get_n_producers (table), ==, 4);

  g_assert_cmpuint (mr_producer_state_table_expire (table, now - day), ==, 1);
  g_assert_false (mr_producer_state_table_lookup (table, 4, NULL, NULL, NULL,
                                                  NULL));

  /* Exactly the expiration time: gone (Kafka's >=). One ms less: kept. */
  g_assert_cmpuint (mr_producer_state_table_expire (table, now), ==, 1);
  g_assert_false (mr_producer_state_table_lookup (table, 1, NULL, NULL, NULL,
                                                  NULL));
  g_assert_true (mr_producer_state_table_lookup (table, 2, NULL, NULL, NULL,
                                                 NULL));

  /* An expired producer is unknown again: it must restart at 0. */
  header = make_header (1, 0, 2, 1, 5, now);
  g_assert_cmpint (mr_producer_state_table_check (table, &header, NULL), ==,
                   OUT_OF_ORDER);

  mr_producer_state_table_set_expiration_ms (table, 0);
  g_assert_cmpuint (mr_producer_state_table_expire (table, now), ==, 1);
  g_assert_true (mr_producer_state_table_lookup (table, 3, NULL, NULL, NULL,
                                                 NULL));
  g_assert_cmpuint (mr_producer_state_table_expire (table, G_MAXINT64), ==,
                    1);
  g_assert_cmpuint (mr_producer_state_table_get_n_producers (table), ==, 0);
}

static void
test_remove_after (void)
{
  g_autoptr(MrProducerStateTable) table = NULL;
  MrProducerBatchInfo batches[MR_PRODUCER_STATE_MAX_BATCHES];
  MrProducerBatchInfo duplicate;
  MrRecordBatchHeader header;
  gint64 last_timestamp = 0;
  guint n_batches = 0;

  table = mr_producer_state_table_new (MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);

  /* Producer 1: sequences 0-1 at 0-1, 2-3 at 2-3, 4-5 at 6-7.
   * Producer 2: sequence 0-1 at 4-5, 2 at 8. */
  header = make_header (1, 0, 0, 2, 0, 100);
  mr_producer_state_table_update (table, &header);
  header = make_header (1, 0, 2, 2, 2, 200);
  mr_producer_state_table_update (table, &header);
  header = make_header (2, 0, 0, 2, 4, 300);
  mr_producer_state_table_update (table, &header);
  header = make_header (1, 0, 4, 2, 6, 400);
  mr_producer_state_table_update (table, &header);
  header = make_header (2, 0, 2, 1, 8, 500);
  mr_producer_state_table_update (table, &header);
  header = make_header (3, 0, 0, 1, 9, 600);
  mr_producer_state_table_update (table, &header);

  /* Truncating to 3 drops the batch 2-3 whole. */
  mr_producer_state_table_remove_after (table, 3);

  g_assert_true (mr_producer_state_table_lookup (table, 1, NULL,
                                                 &last_timestamp, batches,
                                                 &n_batches));
  g_assert_cmpuint (n_batches, ==, 1);
  g_assert_cmpint (batches[0].last_offset, ==, 1);
  g_assert_cmpint (last_timestamp, ==, 100);
  g_assert_false (mr_producer_state_table_lookup (table, 2, NULL, NULL, NULL,
                                                  NULL));
  g_assert_false (mr_producer_state_table_lookup (table, 3, NULL, NULL, NULL,
                                                  NULL));

  /* The producer resends from sequence 2: in order again. */
  header = make_header (1, 0, 2, 2, 2, 700);
  g_assert_cmpint (mr_producer_state_table_check (table, &header, NULL), ==,
                   NONE);
  header = make_header (1, 0, 0, 2, 2, 700);
  g_assert_cmpint (mr_producer_state_table_check (table, &header,
                                                  &duplicate), ==,
                   DUPLICATE);
  g_assert_cmpint (duplicate.first_offset, ==, 0);

  mr_producer_state_table_clear (table);
  g_assert_cmpuint (mr_producer_state_table_get_n_producers (table), ==, 0);
}

/* Building and appending real batches. */

static guint8 *
build_batch (gint64  producer_id,
             gint16  epoch,
             gint32  sequence,
             guint   n_records,
             gint64  timestamp,
             gsize  *len)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *batch = NULL;

  builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
  mr_record_batch_builder_set_producer (builder, producer_id, epoch,
                                        sequence);
  for (guint i = 0; i < n_records; i++)
    {
      char key[32];
      int key_len = g_snprintf (key, sizeof key, "p%" G_GINT64_FORMAT "-%u",
                                producer_id, sequence + i);

      mr_record_batch_builder_add (builder, timestamp + i,
                                   (const guint8 *)key, key_len,
                                   (const guint8 *)"value", 5, NULL, 0);
    }

  batch = mr_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  return g_bytes_unref_to_data (batch, len);
}

/* A leader's produce path: check, append, update. Returns the check's
 * answer; the first offset of the batch (new or original) goes to
 * @first_offset. */
static MrKafkaError
produce (MrPartitionLog       *log,
         MrProducerStateTable *table,
         gint64                producer_id,
         gint16                epoch,
         gint32                sequence,
         guint                 n_records,
         gint64               *first_offset)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  MrProducerBatchInfo duplicate;
  MrRecordBatchHeader header;
  MrAppendInfo info;
  MrKafkaError result;
  gsize len = 0;

  data = build_batch (producer_id, epoch, sequence, n_records,
                      1700000000000 + sequence, &len);
  mr_record_batch_header_parse (data, len, &header, &error);
  g_assert_no_error (error);

  *first_offset = -1;
  result = mr_producer_state_table_check (table, &header, &duplicate);
  if (result == DUPLICATE)
    *first_offset = duplicate.first_offset;
  if (result != NONE)
    return result;

  mr_partition_log_append (log, data, len, 0, MR_APPEND_FLAGS_ASSIGN_OFFSETS,
                           &info, &error);
  g_assert_no_error (error);

  /* The log rewrote the base offset in place. */
  mr_record_batch_header_parse (data, len, &header, &error);
  g_assert_no_error (error);
  g_assert_cmpint (header.base_offset, ==, info.first_offset);
  mr_producer_state_table_update (table, &header);
  *first_offset = info.first_offset;
  return result;
}

typedef struct
{
  gint64       producer_id;
  gint16       epoch;
  gint32       sequence;
  guint        n_records;
} Probe;

/* Batches a producer might send next: retries of each window batch and
 * beyond it, the next ones in order, gaps, old and new epochs. */
static const Probe probes[] = {
  { 10, 0, 0, 3 }, { 10, 0, 3, 3 }, { 10, 0, 6, 3 }, { 10, 0, 9, 3 },
  { 10, 0, 12, 3 }, { 10, 0, 15, 3 }, { 10, 0, 18, 3 }, { 10, 0, 21, 3 },
  { 10, 0, 24, 1 }, { 10, 0, 25, 1 }, { 10, 1, 0, 2 }, { 10, 1, 2, 1 },
  { 10, 1, 3, 1 }, { 10, 1, 4, 1 }, { 10, 2, 0, 1 }, { 10, 2, 1, 1 },
  { 20, 7, 0, 2 }, { 20, 7, 2, 2 }, { 20, 7, 4, 1 }, { 20, 7, 5, 1 },
  { 20, 6, 0, 2 }, { 30, 0, 0, 1 }, { 30, 0, 1, 1 },
};

typedef struct
{
  MrKafkaError error;
  gint64       first_offset;
} ProbeAnswer;

static void
probe_all (MrProducerStateTable *table,
           ProbeAnswer          *answers)
{
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      MrRecordBatchHeader header;
      MrProducerBatchInfo duplicate = { -1, -1, -1, -1, -1 };

      header = make_header (probes[i].producer_id, probes[i].epoch,
                            probes[i].sequence, probes[i].n_records, 0, 0);
      answers[i].error = mr_producer_state_table_check (table, &header,
                                                        &duplicate);
      answers[i].first_offset = duplicate.first_offset;
    }
}

static void
assert_same_answers (const ProbeAnswer *expected,
                     const ProbeAnswer *actual)
{
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_test_message ("probe %u: producer %" G_GINT64_FORMAT " epoch %d "
                      "sequence %d", i, probes[i].producer_id,
                      probes[i].epoch, probes[i].sequence);
      g_assert_cmpstr (mr_kafka_error_to_string (actual[i].error), ==,
                       mr_kafka_error_to_string (expected[i].error));
      g_assert_cmpint (actual[i].first_offset, ==, expected[i].first_offset);
    }
}

static void
assert_same_tables (MrProducerStateTable *expected,
                    MrProducerStateTable *actual)
{
  static const gint64 producer_ids[] = { 10, 20, 30 };
  ProbeAnswer expected_answers[G_N_ELEMENTS (probes)];
  ProbeAnswer actual_answers[G_N_ELEMENTS (probes)];

  g_assert_cmpuint (mr_producer_state_table_get_n_producers (actual), ==,
                    mr_producer_state_table_get_n_producers (expected));

  for (guint i = 0; i < G_N_ELEMENTS (producer_ids); i++)
    {
      MrProducerBatchInfo a[MR_PRODUCER_STATE_MAX_BATCHES];
      MrProducerBatchInfo b[MR_PRODUCER_STATE_MAX_BATCHES];
      gint64 time_a = 0, time_b = 0;
      guint n_a = 0, n_b = 0;
      gint16 epoch_a = -1, epoch_b = -1;
      gboolean known_a, known_b;

      known_a = mr_producer_state_table_lookup (expected, producer_ids[i],
                                                &epoch_a, &time_a, a, &n_a);
      known_b = mr_producer_state_table_lookup (actual, producer_ids[i],
                                                &epoch_b, &time_b, b, &n_b);
      g_assert_cmpint (known_a, ==, known_b);
      g_assert_cmpint (epoch_a, ==, epoch_b);
      g_assert_cmpint (time_a, ==, time_b);
      g_assert_cmpuint (n_a, ==, n_b);
      g_assert_cmpmem (a, sizeof a[0] * n_a, b, sizeof b[0] * n_b);
    }

  probe_all (expected, expected_answers);
  probe_all (actual, actual_answers);
  assert_same_answers (expected_answers, actual_answers);
}

static void
test_rebuild_from_log (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(MrPartitionLog) log = NULL;
  g_autoptr(MrProducerStateTable) live = NULL;
  g_autoptr(MrProducerStateTable) rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  ProbeAnswer at_truncation[G_N_ELEMENTS (probes)];
  ProbeAnswer answers[G_N_ELEMENTS (probes)];
  MrProducerBatchInfo live_batches[MR_PRODUCER_STATE_MAX_BATCHES];
  MrProducerBatchInfo rebuilt_batches[MR_PRODUCER_STATE_MAX_BATCHES];
  gint64 window_offsets[MR_PRODUCER_STATE_MAX_BATCHES];
  guint n_live = 0;
  guint n_rebuilt = 0;
  gint64 truncation_point = -1;
  gint64 offset = -1;
  gint64 new_end = -1;

  log = mr_test_open_log (fixture->dir, &fixture->io.io,
                          "segment.bytes", "600", NULL);
  live = mr_producer_state_table_new (MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);
  rebuilt = mr_producer_state_table_new (MR_PRODUCER_ID_EXPIRATION_MS_DEFAULT);

  /* Producer 10, epoch 0: eight batches of three, sequences 0 to 23,
   * interleaved with producer 20 and with plain batches. */
  for (guint i = 0; i < 8; i++)
    {
      g_assert_cmpint (produce (log, live, 10, 0, i * 3, 3, &offset), ==,
                       NONE);
      if (i >= 3)
        window_offsets[i - 3] = offset;
      if (i % 3 == 0)
        mr_test_append (log, 2, 20, i, 1700000000000);
      if (i == 1)
        g_assert_cmpint (produce (log, live, 20, 7, 0, 2, &offset), ==,
                         NONE);
      if (i == 5)
        g_assert_cmpint (produce (log, live, 20, 7, 2, 2, &offset), ==,
                         NONE);
    }
  g_assert_cmpuint (mr_partition_log_get_n_segments (log), >, 1);

  /* A leader change with five batches in flight (scenario 9): the new
   * leader's state comes from the log, and every retry is a duplicate with
   * its original offset. */
  mr_producer_state_table_rebuild (rebuilt, log,
                                   mr_partition_log_get_log_start_offset (log),
                                   &error);
  g_assert_no_error (error);
  assert_same_tables (live, rebuilt);
  for (guint i = 0; i < MR_PRODUCER_STATE_MAX_BATCHES; i++)
    {
      g_assert_cmpint (produce (log, rebuilt, 10, 0, (i + 3) * 3, 3, &offset),
                       ==, DUPLICATE);
      g_assert_cmpint (offset, ==, window_offsets[i]);
    }
  g_assert_cmpint (produce (log, rebuilt, 10, 0, 2 * 3, 3, &offset), ==,
                   OUT_OF_ORDER);

  /* Remember what the table says here, then go on: an epoch bump and a
   * third producer. */
  truncation_point = mr_partition_log_get_log_end_offset (log);
  probe_all (live, at_truncation);

  g_assert_cmpint (produce (log, live, 10, 1, 0, 2, &offset), ==, NONE);
  g_assert_cmpint (produce (log, live, 10, 1, 2, 1, &offset), ==, NONE);
  g_assert_cmpint (produce (log, live, 30, 0, 0, 1, &offset), ==, NONE);
  g_assert_cmpint (produce (log, live, 20, 7, 4, 1, &offset), ==, NONE);
  mr_test_append (log, 1, 20, 99, 1700000000000);

  mr_producer_state_table_rebuild (rebuilt, log, 0, &error);
  g_assert_no_error (error);
  assert_same_tables (live, rebuilt);

  /* Truncate the log back (a follower of a new leader) and rebuild: the
   * answers are those the table gave when the log ended there. */
  mr_partition_log_truncate_to (log, truncation_point, &new_end, &error);
  g_assert_no_error (error);
  g_assert_cmpint (new_end, ==, truncation_point);

  mr_producer_state_table_rebuild (rebuilt, log, 0, &error);
  g_assert_no_error (error);
  probe_all (rebuilt, answers);
  assert_same_answers (at_truncation, answers);

  /* remove_after() on the live table knows less, which is why truncating
   * callers rebuild: producer 20 keeps its batches below the point, but
   * producer 10 lost its whole epoch-1 window and is forgotten, although
   * its epoch-0 batches are still in the log. */
  mr_producer_state_table_remove_after (live, truncation_point);
  g_assert_true (mr_producer_state_table_lookup (live, 20, NULL, NULL,
                                                 live_batches, &n_live));
  g_assert_true (mr_producer_state_table_lookup (rebuilt, 20, NULL, NULL,
                                                 rebuilt_batches,
                                                 &n_rebuilt));
  g_assert_cmpuint (n_live, ==, 2);
  g_assert_cmpmem (live_batches, sizeof live_batches[0] * n_live,
                   rebuilt_batches, sizeof rebuilt_batches[0] * n_rebuilt);
  g_assert_false (mr_producer_state_table_lookup (live, 10, NULL, NULL, NULL,
                                                  NULL));
  g_assert_true (mr_producer_state_table_lookup (rebuilt, 10, NULL, NULL,
                                                 NULL, &n_rebuilt));
  g_assert_cmpuint (n_rebuilt, ==, MR_PRODUCER_STATE_MAX_BATCHES);
  g_assert_false (mr_producer_state_table_lookup (live, 30, NULL, NULL, NULL,
                                                  NULL));

  /* A rebuild that fails leaves the table empty. */
  mr_partition_log_close (log, &error);
  g_assert_no_error (error);
  g_assert_false (mr_producer_state_table_rebuild (rebuilt, log, 0, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (mr_producer_state_table_get_n_producers (rebuilt), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/producer-state/no-producer-id", test_no_producer_id);
  g_test_add_func ("/producer-state/rules", test_rules);
  g_test_add_func ("/producer-state/wrap-around", test_wrap_around);
  g_test_add_func ("/producer-state/expiry", test_expiry);
  g_test_add_func ("/producer-state/remove-after", test_remove_after);
  g_test_add ("/producer-state/rebuild-from-log", Fixture, NULL,
              mr_test_log_fixture_setup, test_rebuild_from_log,
              mr_test_log_fixture_teardown);

  return g_test_run ();
}

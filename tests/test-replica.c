/* test-replica.c: one partition replica's leader state, below the cluster:
 * who may join the ISR, and when the high watermark moves.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <stdarg.h>

#include "mr-test-util.h"

#include "cluster/mr-replica.h"

static GArray *
ids (guint n,
     ...)
{
  GArray *array = g_array_new (FALSE, FALSE, sizeof (gint32));
  va_list args;

  va_start (args, n);
  for (guint i = 0; i < n; i++)
    {
      gint32 id = va_arg (args, gint32);

      g_array_append_val (array, id);
    }
  va_end (args);
  return array;
}

static MrReplica *
open_leader (const char *dir)
{
  g_autoptr(GError) error = NULL;
  MrLogConfig config;
  MrReplica *replica;

  mr_log_config_init_defaults (&config);
  replica = mr_replica_open (dir, "t", 0, 1, &config, NULL, 1, &error);
  g_assert_no_error (error);
  return replica;
}

static void
append (MrReplica *replica,
        guint      n)
{
  g_autoptr(GError) error = NULL;
  gboolean pending = FALSE;
  gint64 base = -1;
  gint64 append_time = -1;
  gsize len = 0;
  g_autofree guint8 *batch = g_bytes_unref_to_data (
    mr_test_build_batch (n, 10, 0, 0, MR_COMPRESSION_NONE), &len);

  g_assert_cmpint (mr_replica_produce (replica, batch, len, 1, 0, NULL, NULL,
                                       &pending, &base, &append_time, &error),
                   ==, MR_KAFKA_ERROR_NONE);
  g_assert_no_error (error);
}

/* Regression (found by the chaos test): a new leader took followers outside
 * the ISR on trust, as if they held the high watermark, and proposed them
 * for the ISR before they had fetched anything; an election could then
 * pick one that lacked acknowledged records. */
static void
test_unknown_follower_does_not_join_isr (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GArray) completions = mr_replica_completions_new ();
  g_autoptr(GArray) isr = ids (1, 1);
  g_autoptr(GArray) replicas = ids (2, 1, 2);
  g_autoptr(GArray) proposal = NULL;
  g_autoptr(GBytes) records = NULL;
  MrReplica *replica = open_leader (dir);
  gint64 now = g_get_real_time () / 1000;
  gint64 high = -1;
  gint64 start = -1;
  gint32 epoch = -1;

  mr_replica_become_leader (replica, 1, 1, isr, replicas, now, completions);

  /* Right after taking over, before the high watermark moves: broker 2 has
   * not fetched, so nothing says it holds anything. */
  proposal = mr_replica_propose_isr (replica, now, 10000, &epoch);
  g_assert_null (proposal);

  append (replica, 10);
  proposal = mr_replica_propose_isr (replica, now, 10000, &epoch);
  g_assert_null (proposal);

  /* It fetches from 0: behind, still not proposed. */
  g_assert_cmpint (mr_replica_serve_follower (replica, 2, 1, 0, 1 << 20, now,
                                              &records, &high, &start,
                                              completions),
                   ==, MR_KAFKA_ERROR_NONE);
  g_assert_nonnull (records);
  g_clear_pointer (&records, g_bytes_unref);
  proposal = mr_replica_propose_isr (replica, now, 10000, &epoch);
  g_assert_null (proposal);

  /* Caught up with the leader's end: now it joins. */
  g_assert_cmpint (mr_replica_serve_follower (replica, 2, 1, 10, 1 << 20, now,
                                              &records, &high, &start,
                                              completions),
                   ==, MR_KAFKA_ERROR_NONE);
  proposal = mr_replica_propose_isr (replica, now, 10000, &epoch);
  g_assert_nonnull (proposal);
  g_assert_cmpuint (proposal->len, ==, 2);

  mr_replica_close (replica, FALSE, FALSE, completions);
  mr_replica_run_completions (completions);
  mr_replica_unref (replica);
  mr_test_remove_tree (dir);
}

/* Regression (found by the chaos soak): while the controller has not yet
 * answered an ISR expansion, the high watermark went on without the
 * joining follower; once accepted, that follower could be elected without
 * the newest committed records. The high watermark now waits for it
 * (Kafka's maximal ISR). */
static void
test_joining_follower_holds_high_watermark (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GArray) completions = mr_replica_completions_new ();
  g_autoptr(GArray) isr = ids (1, 1);
  g_autoptr(GArray) replicas = ids (2, 1, 2);
  g_autoptr(GArray) proposal = NULL;
  g_autoptr(GBytes) records = NULL;
  MrReplica *replica = open_leader (dir);
  MrReplicaSnapshot snapshot;
  gint64 now = g_get_real_time () / 1000;
  gint64 high = -1;
  gint64 start = -1;
  gint32 epoch = -1;

  mr_replica_become_leader (replica, 1, 1, isr, replicas, now, completions);
  append (replica, 10);
  mr_replica_serve_follower (replica, 2, 1, 0, 1 << 20, now, &records, &high,
                             &start, completions);
  g_clear_pointer (&records, g_bytes_unref);
  mr_replica_serve_follower (replica, 2, 1, 10, 1 << 20, now, &records, &high,
                             &start, completions);
  proposal = mr_replica_propose_isr (replica, now, 10000, &epoch);
  g_assert_nonnull (proposal);

  /* The answer is pending: new records wait for broker 2 too. */
  append (replica, 5);
  mr_replica_snapshot (replica, &snapshot);
  g_assert_cmpint (snapshot.high_watermark, ==, 10);
  mr_replica_snapshot_clear (&snapshot);

  /* Refused: the leader alone commits again. */
  mr_replica_cancel_isr_proposal (replica);
  mr_replica_snapshot (replica, &snapshot);
  g_assert_cmpint (snapshot.high_watermark, ==, 15);
  mr_replica_snapshot_clear (&snapshot);

  mr_replica_close (replica, FALSE, FALSE, completions);
  mr_replica_run_completions (completions);
  mr_replica_unref (replica);
  mr_test_remove_tree (dir);
}

/* The high watermark is the smallest log end offset in the ISR. */
static void
test_high_watermark_follows_isr (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autoptr(GArray) completions = mr_replica_completions_new ();
  g_autoptr(GArray) isr = ids (2, 1, 2);
  g_autoptr(GArray) replicas = ids (2, 1, 2);
  g_autoptr(GBytes) records = NULL;
  MrReplica *replica = open_leader (dir);
  MrReplicaSnapshot snapshot;
  gint64 now = g_get_real_time () / 1000;
  gint64 high = -1;
  gint64 start = -1;

  mr_replica_become_leader (replica, 1, 1, isr, replicas, now, completions);
  append (replica, 10);
  mr_replica_snapshot (replica, &snapshot);
  g_assert_cmpint (snapshot.high_watermark, ==, 0);
  mr_replica_snapshot_clear (&snapshot);

  mr_replica_serve_follower (replica, 2, 1, 4, 1 << 20, now, &records, &high,
                             &start, completions);
  g_clear_pointer (&records, g_bytes_unref);
  g_assert_cmpint (high, ==, 4);
  mr_replica_serve_follower (replica, 2, 1, 10, 1 << 20, now, &records, &high,
                             &start, completions);
  g_assert_cmpint (high, ==, 10);

  mr_replica_close (replica, FALSE, FALSE, completions);
  mr_replica_run_completions (completions);
  mr_replica_unref (replica);
  mr_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/replica/unknown-follower-does-not-join-isr",
                   test_unknown_follower_does_not_join_isr);
  g_test_add_func ("/replica/joining-follower-holds-high-watermark",
                   test_joining_follower_holds_high_watermark);
  g_test_add_func ("/replica/high-watermark-follows-isr",
                   test_high_watermark_follows_isr);

  return g_test_run ();
}

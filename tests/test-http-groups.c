/* test-http-groups.c: the consumer group endpoints of the HTTP API
 * against a real cluster, through a real HTTP client: list, describe with
 * lag, resets with their preview, in-process members, range copies.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "mr-test-http.h"

#define N_PARTITIONS 3

/* Record timestamps: base_time + i, a minute ago (old ones would fall to
 * retention). */
static gint64 base_time;

/* The cluster (three brokers, __consumer_offsets in three partitions) and
 * its HTTP API, served on a thread of their own: see mr-test-http.h. */
typedef MrTestHttpFixture Fixture;

static void create_topic_with_records (Fixture    *fixture,
                                       const char *name,
                                       guint       n_per_partition);

static void
use_offsets_topic (MrClusterOptions *options)
{
  options->offsets_topic_partitions = 3;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  mr_test_http_start (fixture, 3, use_offsets_topic);
  create_topic_with_records (fixture, "orders", 10);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  mr_test_http_stop (fixture);
}

/* @n_per_partition records in each partition, timestamps base_time + i. */
static void
create_topic_with_records (Fixture    *fixture,
                           const char *name,
                           guint       n_per_partition)
{
  g_autoptr(GError) error = NULL;

  if (base_time == 0)
    base_time = (g_get_real_time () / 1000 - 60000) / 1000 * 1000;
  mr_cluster_create_topic (fixture->cluster, name, N_PARTITIONS, 3, NULL,
                           FALSE, &error);
  g_assert_no_error (error);
  for (gint32 p = 0; p < N_PARTITIONS && n_per_partition > 0; p++)
    {
      g_autoptr(GBytes) batch = mr_test_build_batch (n_per_partition, 8,
                                                     (guint)p * 100, base_time,
                                                     MR_COMPRESSION_NONE);
      g_auto(MrProduceResult) result = { 0 };
      gsize len;
      guint8 *data = g_bytes_unref_to_data (g_bytes_ref (batch), &len);

      mr_cluster_produce (fixture->cluster, -1, name, p, data, len, -1, 5000,
                          &result);
      g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
    }
}

/* A simple commit (generation -1), as a tool outside the group makes. */
static void
commit (Fixture    *fixture,
        const char *group,
        gint64      offset)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_group_offset_entry_free);

  for (gint32 p = 0; p < N_PARTITIONS; p++)
    g_ptr_array_add (entries, mr_group_offset_entry_new ("orders", p, offset));
  g_assert_cmpint (mr_group_coordinator_commit (
                     mr_cluster_get_group_coordinator (fixture->cluster), -1,
                     group, -1, "", NULL, entries),
                   ==, MR_KAFKA_ERROR_NONE);
}

static gint64
committed_at (JsonObject *group,
              gint32      partition)
{
  JsonArray *offsets = json_object_get_array_member (group, "offsets");

  for (guint i = 0; i < json_array_get_length (offsets); i++)
    {
      JsonObject *o = json_array_get_object_element (offsets, i);

      if (json_object_get_int_member (o, "partition") == partition)
        return json_object_get_int_member (o, "committed_offset");
    }
  return -2;
}

static void
test_list_and_describe (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) group = NULL;
  JsonObject *object;
  JsonArray *groups;
  JsonArray *offsets;

  commit (fixture, "billing", 4);
  object = mr_test_http_get_object (fixture, "/v1/groups", &list);
  groups = json_object_get_array_member (object, "groups");
  g_assert_cmpuint (json_array_get_length (groups), ==, 1);
  object = json_array_get_object_element (groups, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "group_id"), ==,
                   "billing");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==,
                   "Empty");

  object = mr_test_http_get_object (fixture, "/v1/groups/billing", &group);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==,
                   "Empty");
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (object, "members")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "total_lag"), ==,
                   6 * N_PARTITIONS);
  offsets = json_object_get_array_member (object, "offsets");
  g_assert_cmpuint (json_array_get_length (offsets), ==, N_PARTITIONS);
  for (guint i = 0; i < N_PARTITIONS; i++)
    {
      JsonObject *o = json_array_get_object_element (offsets, i);

      g_assert_cmpstr (json_object_get_string_member (o, "topic"), ==, "orders");
      g_assert_cmpint (json_object_get_int_member (o, "partition"), ==, i);
      g_assert_cmpint (json_object_get_int_member (o, "committed_offset"), ==, 4);
      g_assert_cmpint (json_object_get_int_member (o, "high_watermark"), ==, 10);
      g_assert_cmpint (json_object_get_int_member (o, "lag"), ==, 6);
      /* The oldest unconsumed record is a minute old. */
      g_assert_cmpint (json_object_get_int_member (o, "time_lag_ms"), >=,
                       59000);
    }

  mr_test_http_assert_error (fixture, "GET", "/v1/groups/nobody", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET", "/v1/groups?x=1", NULL,
                             SOUP_STATUS_BAD_REQUEST);
}

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) group = NULL;
  JsonObject *object;
  JsonArray *changes;

  commit (fixture, "replay", 7);

  /* The preview changes nothing. */
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/groups/replay/reset-offsets",
                          "{\"topic\": \"orders\", \"to-earliest\": true, "
                          "\"dry-run\": true}",
                          &node),
    ==, SOUP_STATUS_OK);
  object = json_node_get_object (node);
  g_assert_true (json_object_get_boolean_member (object, "dry_run"));
  changes = json_object_get_array_member (object, "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, N_PARTITIONS);
  object = json_array_get_object_element (changes, 1);
  g_assert_cmpint (json_object_get_int_member (object, "old_offset"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (object, "new_offset"), ==, 0);
  object = mr_test_http_get_object (fixture, "/v1/groups/replay", &group);
  g_assert_cmpint (committed_at (object, 1), ==, 7);
  g_clear_pointer (&group, json_node_unref);
  g_clear_pointer (&node, json_node_unref);

  /* shift-by on one partition. */
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/groups/replay/reset-offsets",
                          "{\"topic\": \"orders\", \"partitions\": [2], "
                          "\"shift-by\": -3}",
                          &node),
    ==, SOUP_STATUS_OK);
  object = mr_test_http_get_object (fixture, "/v1/groups/replay", &group);
  g_assert_cmpint (committed_at (object, 0), ==, 7);
  g_assert_cmpint (committed_at (object, 2), ==, 4);
  g_clear_pointer (&group, json_node_unref);
  g_clear_pointer (&node, json_node_unref);

  /* to-offset clamps to the high watermark; to-datetime finds the first
   * record at or after the time (timestamps are base_time + i). */
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/groups/replay/reset-offsets",
                          "{\"topic\": \"orders\", \"to-offset\": 99}", &node),
    ==, SOUP_STATUS_OK);
  object = mr_test_http_get_object (fixture, "/v1/groups/replay", &group);
  g_assert_cmpint (committed_at (object, 1), ==, 10);
  g_clear_pointer (&group, json_node_unref);
  g_clear_pointer (&node, json_node_unref);
  {
    g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (base_time / 1000);
    g_autofree char *iso = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.003Z");
    g_autofree char *body = g_strdup_printf ("{\"topic\": \"orders\", "
                                             "\"to-datetime\": \"%s\"}", iso);

    g_assert_cmpuint (mr_test_http_request (fixture, "POST",
                                            "/v1/groups/replay/reset-offsets",
                                            body, &node),
                      ==, SOUP_STATUS_OK);
  }
  object = mr_test_http_get_object (fixture, "/v1/groups/replay", &group);
  g_assert_cmpint (committed_at (object, 0), ==, 3);
  g_clear_pointer (&group, json_node_unref);
  g_clear_pointer (&node, json_node_unref);
  /* by-duration: an hour back reaches every record (the earliest); ten
   * seconds back none (the latest). */
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/groups/replay/reset-offsets",
                          "{\"topic\": \"orders\", \"by-duration\": \"PT1H\"}",
                          &node),
    ==, SOUP_STATUS_OK);
  object = mr_test_http_get_object (fixture, "/v1/groups/replay", &group);
  g_assert_cmpint (committed_at (object, 0), ==, 0);
  g_clear_pointer (&group, json_node_unref);
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (mr_test_http_request (
                      fixture, "POST", "/v1/groups/replay/reset-offsets",
                      "{\"topic\": \"orders\", \"by-duration\": 10000}", &node),
                    ==, SOUP_STATUS_OK);
  object = mr_test_http_get_object (fixture, "/v1/groups/replay", &group);
  g_assert_cmpint (committed_at (object, 0), ==, 10);

  /* Bad requests change nothing. */
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/replay/reset-offsets",
                             "{\"topic\": \"orders\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/replay/reset-offsets",
                             "{\"topic\": \"orders\", \"to-latest\": true, "
                             "\"shift-by\": 1}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/replay/reset-offsets",
                             "{\"topic\": \"orders\", \"to-earliest\": true, "
                             "\"x\": 1}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/replay/reset-offsets",
                             "{\"topic\": \"orders\", \"by-duration\": \"1 "
                             "hour\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/replay/reset-offsets",
                             "{\"topic\": \"orders\", \"partitions\": [7], "
                             "\"to-earliest\": true}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/replay/reset-offsets",
                             "{\"topic\": \"nope\", \"to-earliest\": true}",
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/replay/reset-offsets",
                             "[1]", SOUP_STATUS_BAD_REQUEST);
  g_clear_pointer (&group, json_node_unref);
  object = mr_test_http_get_object (fixture, "/v1/groups/replay", &group);
  g_assert_cmpint (committed_at (object, 0), ==, 10);
}

static JsonObject *
wait_for_members (Fixture   *fixture,
                  const char *path,
                  guint      n,
                  JsonNode **holder)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      JsonObject *object;

      g_clear_pointer (holder, json_node_unref);
      object = mr_test_http_get_object (fixture, path, holder);
      if (g_str_equal (json_object_get_string_member (object, "state"), "Stable")
          && json_array_get_length (json_object_get_array_member (object, "members")) == n
          && json_array_get_length (json_object_get_array_member (object, "offsets")) == N_PARTITIONS
          && json_object_get_int_member (object, "total_lag") == 0)
        return object;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
}

/* In-process members read everything and commit; a reset is refused
 * while they run and works once they are stopped. */
static void
test_members_and_reset_refused (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) group = NULL;
  JsonObject *object;
  JsonArray *members;
  guint assigned = 0;

  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/groups/demo/members",
                          "{\"topics\": [\"orders\"], \"client_id\": \"one\"}",
                          &node),
    ==, SOUP_STATUS_CREATED);
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (mr_test_http_request (fixture, "POST",
                                          "/v1/groups/demo/members",
                                          "{\"topics\": [\"orders\"]}", &node),
                    ==, SOUP_STATUS_CREATED);
  object = wait_for_members (fixture, "/v1/groups/demo", 2, &group);
  g_assert_cmpstr (json_object_get_string_member (object, "protocol"), ==,
                   "range");
  members = json_object_get_array_member (object, "members");
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *m = json_array_get_object_element (members, i);

      g_assert_true (json_object_get_boolean_member (m, "in_process"));
      assigned += json_array_get_length (json_object_get_array_member (m, "assignment"));
    }
  g_assert_cmpuint (assigned, ==, N_PARTITIONS);
  g_assert_cmpint (committed_at (object, 0), ==, 10);

  mr_test_http_assert_error (fixture, "POST", "/v1/groups/demo/reset-offsets",
                             "{\"topic\": \"orders\", \"to-earliest\": true}",
                             SOUP_STATUS_CONFLICT);
  mr_test_http_assert_error (fixture, "DELETE", "/v1/groups/demo", NULL,
                             SOUP_STATUS_CONFLICT);
  mr_test_http_assert_error (fixture, "POST", "/v1/groups/demo/members",
                             "{\"topics\": [\"nope\"]}", SOUP_STATUS_NOT_FOUND);

  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (mr_test_http_request (fixture, "DELETE",
                                          "/v1/groups/demo/members", NULL,
                                          &node),
                    ==, SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node),
                                               "stopped"), ==, 2);
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (mr_test_http_request (
                      fixture, "POST", "/v1/groups/demo/reset-offsets",
                      "{\"topic\": \"orders\", \"to-earliest\": true}", &node),
                    ==, SOUP_STATUS_OK);
  g_clear_pointer (&group, json_node_unref);
  object = mr_test_http_get_object (fixture, "/v1/groups/demo", &group);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "Empty");
  g_assert_cmpint (committed_at (object, 2), ==, 0);

  /* An empty group can be deleted. */
  g_assert_cmpuint (mr_test_http_request (fixture, "DELETE", "/v1/groups/demo",
                                          NULL, NULL),
                    ==, SOUP_STATUS_NO_CONTENT);
  mr_test_http_assert_error (fixture, "GET", "/v1/groups/demo", NULL,
                             SOUP_STATUS_NOT_FOUND);
}

static gboolean
count_record_cb (const MrRecordBatchHeader *batch,
                 const MrRecord            *record,
                 gpointer                   user_data)
{
  GArray *timestamps = user_data;

  g_array_append_val (timestamps, record->timestamp);
  return TRUE;
}

static void
test_copy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) timestamps = g_array_new (FALSE, FALSE, sizeof (gint64));

  create_topic_with_records (fixture, "dead-letters", 0);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/orders/copy",
                          "{\"target\": \"dead-letters\", \"from_offset\": 2, "
                          "\"to_offset\": 8}",
                          &node),
    ==, SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node),
                                               "copied"), ==, 6 * N_PARTITIONS);

  /* Same partition, timestamps kept (base_time + 2..7). */
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    {
      g_auto(MrFetchResult) result = { 0 };
      MrRecordBatchHeader header;
      MrBatchCursor cursor;
      const guint8 *batch;
      gsize size;

      mr_cluster_fetch (fixture->cluster, -1, "dead-letters", p, 0, 1 << 20, 0,
                        -1, &result);
      g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
      g_assert_cmpint (result.high_watermark, ==, 6);
      mr_batch_cursor_init (&cursor, result.records);
      while (mr_batch_cursor_next (&cursor, &header, &batch, &size))
        mr_record_batch_foreach_record (batch, size, count_record_cb,
                                        timestamps, NULL);
      g_assert_cmpuint (cursor.pos, ==, g_bytes_get_size (result.records));
    }
  g_assert_cmpuint (timestamps->len, ==, 6 * N_PARTITIONS);
  g_assert_cmpint (g_array_index (timestamps, gint64, 0), ==, base_time + 2);
  g_assert_cmpint (g_array_index (timestamps, gint64, 5), ==, base_time + 7);

  /* By time: the last two records of each partition only. */
  g_clear_pointer (&node, json_node_unref);
  {
    g_autofree char *body = g_strdup_printf (
      "{\"target\": \"dead-letters\", \"from_time\": %" G_GINT64_FORMAT "}",
      base_time + 8);

    g_assert_cmpuint (mr_test_http_request (fixture, "POST",
                                            "/v1/topics/orders/copy", body,
                                            &node),
                      ==, SOUP_STATUS_OK);
  }
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node),
                                               "copied"), ==, 2 * N_PARTITIONS);

  mr_test_http_assert_error (fixture, "POST", "/v1/topics/orders/copy",
                             "{\"target\": \"nope\"}", SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics/orders/copy",
                             "{\"target\": \"dead-letters\", \"from_offset\": "
                             "5, "
                             "\"to_offset\": 2}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics/orders/copy",
                             "{\"target\": \"__consumer_offsets\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics/orders/copy", "{}",
                             SOUP_STATUS_BAD_REQUEST);
}

static void
note_progress_cb (gint64   copied,
                  gpointer user_data)
{
  g_array_append_val ((GArray *)user_data, copied);
}

/* The engine call under POST /v1/topics/{name}/copy, as the copy dialog
 * uses it: a running count after each batch, and a stop that leaves the
 * target as it was when it came before the first batch. */
static void
test_copy_progress_and_stop (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  gint64 n;

  create_topic_with_records (fixture, "dead-letters", 0);
  n = mr_cluster_copy_records (fixture->cluster, "orders", "dead-letters",
                               -1, -1, -1, -1, cancellable, note_progress_cb,
                               counts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 10 * N_PARTITIONS);
  /* One batch per partition here: counts 10, 20, ... */
  g_assert_cmpuint (counts->len, ==, N_PARTITIONS);
  for (guint i = 0; i < counts->len; i++)
    g_assert_cmpint (g_array_index (counts, gint64, i), ==, 10 * (i + 1));

  g_cancellable_cancel (cancellable);
  g_array_set_size (counts, 0);
  n = mr_cluster_copy_records (fixture->cluster, "orders", "dead-letters",
                               -1, -1, -1, -1, cancellable, note_progress_cb,
                               counts, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (n, ==, -1);
  g_assert_cmpuint (counts->len, ==, 0);
  for (gint32 p = 0; p < N_PARTITIONS; p++)
    {
      g_auto(MrFetchResult) result = { 0 };

      mr_cluster_fetch (fixture->cluster, -1, "dead-letters", p, 0, 1 << 20,
                        0, -1, &result);
      g_assert_cmpint (result.high_watermark, ==, 10);
    }
}

static void
test_lag_samples (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  JsonArray *samples;

  commit (fixture, "slow", 1);
  for (;;)
    {
      JsonObject *object;

      g_clear_pointer (&node, json_node_unref);
      object = mr_test_http_get_object (fixture, "/v1/groups/slow/lag", &node);
      samples = json_object_get_array_member (object, "samples");
      if (json_array_get_length (samples) >= 2)
        {
          g_autoptr(JsonGenerator) gen = json_generator_new ();
          g_autofree char *text = NULL;

          json_generator_set_root (gen, node);
          text = json_generator_to_data (gen, NULL);
          g_test_message ("lag samples: %s", text);
          break;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100000);
    }
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (samples, 1), "lag"),
                   ==, 9 * N_PARTITIONS);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (samples, 1), "time_ms"),
                   >, json_object_get_int_member (
                        json_array_get_object_element (samples, 0), "time_ms"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/http-groups/" name, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("list-and-describe", test_list_and_describe);
  ADD ("reset", test_reset);
  ADD ("members-and-reset-refused", test_members_and_reset_refused);
  ADD ("copy", test_copy);
  ADD ("copy-progress-and-stop", test_copy_progress_and_stop);
  ADD ("lag-samples", test_lag_samples);
#undef ADD

  return g_test_run ();
}

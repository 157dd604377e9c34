/* test-cluster-event.c: cluster events, their summaries and their JSON.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

static GArray *
isr_new (gint32 first,
         ...)
{
  GArray *isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  va_list args;

  va_start (args, first);
  for (gint32 id = first; id >= 0; id = va_arg (args, gint32))
    g_array_append_val (isr, id);
  va_end (args);

  return isr;
}

/* Serialises @event, parses the text back and returns the object, so that
 * the tests check what a client of the HTTP API would read. */
static JsonObject *
event_to_parsed_object (MrClusterEvent *event)
{
  g_autoptr(JsonNode) node = mr_cluster_event_to_json_node (event);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *root;

  g_assert_nonnull (node);
  text = json_to_string (node, FALSE);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* The object has exactly these members (any order), NULL-terminated. */
static void
assert_members (JsonObject *object,
                ...)
{
  g_autoptr(GList) members = json_object_get_members (object);
  g_autoptr(GPtrArray) actual = g_ptr_array_new ();
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  g_autofree char *actual_text = NULL;
  g_autofree char *expected_text = NULL;
  const char *name;
  va_list args;

  for (GList *l = members; l != NULL; l = l->next)
    g_ptr_array_add (actual, l->data);
  va_start (args, object);
  while ((name = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (expected, (gpointer)name);
  va_end (args);

  g_ptr_array_sort (actual, compare_strings);
  g_ptr_array_sort (expected, compare_strings);
  g_ptr_array_add (actual, NULL);
  g_ptr_array_add (expected, NULL);
  actual_text = g_strjoinv (",", (char **)actual->pdata);
  expected_text = g_strjoinv (",", (char **)expected->pdata);
  g_assert_cmpstr (actual_text, ==, expected_text);
}

static void
assert_int_member (JsonObject *object,
                   const char *name,
                   gint64      value)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (node), ==, value);
}

static void
assert_null_member (JsonObject *object,
                    const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  g_assert_true (json_object_get_null_member (object, name));
}

static void
assert_isr_member (JsonObject *object,
                   const char *name,
                   GArray     *isr)
{
  JsonArray *array = json_object_get_array_member (object, name);

  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, isr->len);
  for (guint i = 0; i < isr->len; i++)
    g_assert_cmpint (json_array_get_int_element (array, i), ==,
                     g_array_index (isr, gint32, i));
}

static void
assert_summary (MrClusterEvent *event,
                const char     *expected)
{
  g_autofree char *summary = mr_cluster_event_dup_summary (event);

  g_assert_cmpstr (summary, ==, expected);
}

static void
test_names (void)
{
  static const char * const states[] = {
    "running", "stopped", "crashed", "paused", "isolated",
  };
  MrClusterEventKind kind;
  MrBrokerState state;

  g_assert_cmpstr (mr_broker_state_to_string (MR_BROKER_STATE_RUNNING), ==,
                   "running");
  g_assert_cmpstr (mr_broker_state_to_string (MR_BROKER_STATE_STOPPED), ==,
                   "stopped");
  g_assert_cmpstr (mr_broker_state_to_string (MR_BROKER_STATE_CRASHED), ==,
                   "crashed");
  g_assert_cmpstr (mr_broker_state_to_string (MR_BROKER_STATE_PAUSED), ==,
                   "paused");
  g_assert_cmpstr (mr_broker_state_to_string (MR_BROKER_STATE_ISOLATED), ==,
                   "isolated");
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_assert_true (mr_broker_state_from_string (states[i], &state));
      g_assert_cmpstr (mr_broker_state_to_string (state), ==, states[i]);
    }
  g_assert_false (mr_broker_state_from_string ("Running", &state));
  g_assert_false (mr_broker_state_from_string (NULL, &state));

  g_assert_cmpstr (mr_cluster_event_kind_to_string (
                     MR_CLUSTER_EVENT_KIND_LEADER_ELECTED), ==,
                   "leader-elected");
  g_assert_cmpstr (mr_cluster_event_kind_to_string (
                     MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED), ==,
                   "unclean-leader-elected");
  for (guint i = MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED;
       i <= MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED;
       i++)
    {
      const char *name = mr_cluster_event_kind_to_string (i);

      g_assert_nonnull (name);
      g_assert_null (strchr (name, '_'));
      g_assert_true (mr_cluster_event_kind_from_string (name, &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_false (mr_cluster_event_kind_from_string ("leader_elected", &kind));
}

static void
test_broker_state_changed (void)
{
  g_autoptr(MrClusterEvent) crashed = NULL;
  g_autoptr(MrClusterEvent) resumed = NULL;
  g_autoptr(MrClusterEvent) started = NULL;
  g_autoptr(JsonObject) object = NULL;

  crashed = mr_cluster_event_new_broker_state_changed (2,
                                                       MR_BROKER_STATE_RUNNING,
                                                       MR_BROKER_STATE_CRASHED,
                                                       NULL);
  g_assert_cmpint (mr_cluster_event_get_kind (crashed), ==,
                   MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED);
  g_assert_cmpint (mr_cluster_event_get_broker_id (crashed), ==, 2);
  g_assert_cmpint (mr_cluster_event_get_old_state (crashed), ==,
                   MR_BROKER_STATE_RUNNING);
  g_assert_cmpint (mr_cluster_event_get_new_state (crashed), ==,
                   MR_BROKER_STATE_CRASHED);
  g_assert_cmpuint (mr_cluster_event_get_seq (crashed), ==, 0);
  g_assert_cmpint (mr_cluster_event_get_time (crashed), ==, 0);
  g_assert_null (mr_cluster_event_get_topic (crashed));
  g_assert_null (mr_cluster_event_get_reason (crashed));
  assert_summary (crashed, "Broker 2 crashed");

  object = event_to_parsed_object (crashed);
  assert_members (object, "seq", "time", "kind", "broker", "old_state",
                  "new_state", NULL);
  assert_int_member (object, "seq", 0);
  assert_int_member (object, "time", 0);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "broker-state-changed");
  assert_int_member (object, "broker", 2);
  g_assert_cmpstr (json_object_get_string_member (object, "old_state"), ==,
                   "running");
  g_assert_cmpstr (json_object_get_string_member (object, "new_state"), ==,
                   "crashed");

  resumed = mr_cluster_event_new_broker_state_changed (1,
                                                       MR_BROKER_STATE_PAUSED,
                                                       MR_BROKER_STATE_RUNNING,
                                                       "failure lab");
  assert_summary (resumed, "Broker 1 resumed (failure lab)");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (resumed);
  assert_members (object, "seq", "time", "kind", "broker", "old_state",
                  "new_state", "reason", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "old_state"), ==,
                   "paused");
  g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==,
                   "failure lab");

  started = mr_cluster_event_new_broker_state_changed (3,
                                                       MR_BROKER_STATE_STOPPED,
                                                       MR_BROKER_STATE_RUNNING,
                                                       NULL);
  assert_summary (started, "Broker 3 started");
}

static void
test_controller_moved (void)
{
  g_autoptr(MrClusterEvent) moved = NULL;
  g_autoptr(MrClusterEvent) first = NULL;
  g_autoptr(JsonObject) object = NULL;

  moved = mr_cluster_event_new_controller_moved (1, 2, 4, "broker 1 crashed");
  g_assert_cmpint (mr_cluster_event_get_controller_before (moved), ==, 1);
  g_assert_cmpint (mr_cluster_event_get_controller_after (moved), ==, 2);
  g_assert_cmpint (mr_cluster_event_get_controller_epoch (moved), ==, 4);
  assert_summary (moved,
                  "Controller moved from broker 1 to broker 2 (epoch 4) "
                  "after broker 1 crashed");

  object = event_to_parsed_object (moved);
  assert_members (object, "seq", "time", "kind", "controller_before",
                  "controller_after", "controller_epoch", "reason", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "controller-moved");
  assert_int_member (object, "controller_before", 1);
  assert_int_member (object, "controller_after", 2);
  assert_int_member (object, "controller_epoch", 4);

  /* The first controller had no predecessor: null, not -1. */
  first = mr_cluster_event_new_controller_moved (-1, 1, 1, NULL);
  assert_summary (first, "Broker 1 became the controller (epoch 1)");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (first);
  assert_members (object, "seq", "time", "kind", "controller_before",
                  "controller_after", "controller_epoch", NULL);
  assert_null_member (object, "controller_before");
  assert_int_member (object, "controller_after", 1);
}

static void
test_leader_elected (void)
{
  g_autoptr(MrClusterEvent) elected = NULL;
  g_autoptr(MrClusterEvent) plain = NULL;
  g_autoptr(MrClusterEvent) offline = NULL;
  g_autoptr(JsonObject) object = NULL;

  elected = mr_cluster_event_new_leader_elected ("orders", 1, 3, 5, 1,
                                                 "broker 1 stopped");
  g_assert_cmpstr (mr_cluster_event_get_topic (elected), ==, "orders");
  g_assert_cmpint (mr_cluster_event_get_partition (elected), ==, 1);
  g_assert_cmpint (mr_cluster_event_get_leader (elected), ==, 3);
  g_assert_cmpint (mr_cluster_event_get_leader_epoch (elected), ==, 5);
  g_assert_cmpint (mr_cluster_event_get_previous_leader (elected), ==, 1);
  g_assert_cmpstr (mr_cluster_event_get_reason (elected), ==,
                   "broker 1 stopped");
  assert_summary (elected,
                  "Partition orders-1: broker 3 elected leader (epoch 5) "
                  "after broker 1 stopped");

  object = event_to_parsed_object (elected);
  assert_members (object, "seq", "time", "kind", "topic", "partition",
                  "leader", "leader_epoch", "previous_leader", "reason", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "leader-elected");
  g_assert_cmpstr (json_object_get_string_member (object, "topic"), ==,
                   "orders");
  assert_int_member (object, "partition", 1);
  assert_int_member (object, "leader", 3);
  assert_int_member (object, "leader_epoch", 5);
  assert_int_member (object, "previous_leader", 1);

  plain = mr_cluster_event_new_leader_elected ("orders", 0, 2, 1, 1, NULL);
  assert_summary (plain,
                  "Partition orders-0: broker 2 elected leader (epoch 1), "
                  "replacing broker 1");

  offline = mr_cluster_event_new_leader_elected ("orders", 2, -1, 6, 3,
                                                 "broker 3 crashed");
  assert_summary (offline,
                  "Partition orders-2: no leader (epoch 6) after broker 3 "
                  "crashed");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (offline);
  assert_null_member (object, "leader");
  assert_int_member (object, "previous_leader", 3);
}

static void
test_isr_changes (void)
{
  g_autoptr(GArray) three = isr_new (1, 2, 3, -1);
  g_autoptr(GArray) two = isr_new (1, 2, -1);
  g_autoptr(MrClusterEvent) shrunk = NULL;
  g_autoptr(MrClusterEvent) expanded = NULL;
  g_autoptr(JsonObject) object = NULL;
  GArray *copy;

  shrunk = mr_cluster_event_new_isr_shrunk ("payments", 0, 1, 7, three, two,
                                            "broker 3 lagged");
  /* The event keeps copies: changing the caller's arrays changes nothing. */
  g_array_index (three, gint32, 0) = 9;
  g_array_set_size (two, 0);
  copy = mr_cluster_event_get_isr_before (shrunk);
  g_assert_cmpuint (copy->len, ==, 3);
  g_assert_cmpint (g_array_index (copy, gint32, 0), ==, 1);
  g_assert_cmpuint (mr_cluster_event_get_isr_after (shrunk)->len, ==, 2);
  g_array_index (three, gint32, 0) = 1;
  g_array_append_vals (two, (gint32[]) { 1, 2 }, 2);

  assert_summary (shrunk,
                  "Partition payments-0: ISR shrank from [1, 2, 3] to "
                  "[1, 2] (broker 3 lagged)");
  object = event_to_parsed_object (shrunk);
  assert_members (object, "seq", "time", "kind", "topic", "partition",
                  "leader", "leader_epoch", "isr_before", "isr_after",
                  "reason", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "isr-shrunk");
  assert_int_member (object, "leader", 1);
  assert_int_member (object, "leader_epoch", 7);
  assert_isr_member (object, "isr_before", three);
  assert_isr_member (object, "isr_after", two);

  expanded = mr_cluster_event_new_isr_expanded ("payments", 0, 1, 7, two,
                                                three, NULL);
  assert_summary (expanded,
                  "Partition payments-0: ISR expanded from [1, 2] to "
                  "[1, 2, 3]");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (expanded);
  assert_members (object, "seq", "time", "kind", "topic", "partition",
                  "leader", "leader_epoch", "isr_before", "isr_after", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "isr-expanded");
  assert_isr_member (object, "isr_before", two);
  assert_isr_member (object, "isr_after", three);

  /* Kinds without an ISR have none. */
  {
    g_autoptr(MrClusterEvent) other = mr_cluster_event_new_topic_deleted ("x",
                                                                          NULL);
    g_assert_null (mr_cluster_event_get_isr_before (other));
    g_assert_null (mr_cluster_event_get_isr_after (other));
  }
}

static void
test_replica_truncated (void)
{
  g_autoptr(MrClusterEvent) event = NULL;
  g_autoptr(JsonObject) object = NULL;

  event = mr_cluster_event_new_replica_truncated (3, "orders", 1, 5, 120, 100,
                                                  NULL);
  g_assert_cmpint (mr_cluster_event_get_broker_id (event), ==, 3);
  g_assert_cmpint (mr_cluster_event_get_from_offset (event), ==, 120);
  g_assert_cmpint (mr_cluster_event_get_to_offset (event), ==, 100);
  assert_summary (event,
                  "Partition orders-1: replica on broker 3 truncated from "
                  "offset 120 to 100 at epoch 5");

  object = event_to_parsed_object (event);
  assert_members (object, "seq", "time", "kind", "broker", "topic",
                  "partition", "leader_epoch", "from_offset", "to_offset",
                  NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "replica-truncated");
  assert_int_member (object, "broker", 3);
  assert_int_member (object, "leader_epoch", 5);
  assert_int_member (object, "from_offset", 120);
  assert_int_member (object, "to_offset", 100);
}

static void
test_topics (void)
{
  g_autoptr(MrClusterEvent) created = NULL;
  g_autoptr(MrClusterEvent) single = NULL;
  g_autoptr(MrClusterEvent) deleted = NULL;
  g_autoptr(MrClusterEvent) added = NULL;
  g_autoptr(MrClusterEvent) set = NULL;
  g_autoptr(MrClusterEvent) reset = NULL;
  g_autoptr(JsonObject) object = NULL;

  created = mr_cluster_event_new_topic_created ("orders", 3, 2, NULL);
  g_assert_cmpint (mr_cluster_event_get_n_partitions (created), ==, 3);
  g_assert_cmpint (mr_cluster_event_get_replication_factor (created), ==, 2);
  assert_summary (created,
                  "Topic orders created with 3 partitions, replication "
                  "factor 2");
  object = event_to_parsed_object (created);
  assert_members (object, "seq", "time", "kind", "topic", "partitions",
                  "replication_factor", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "topic-created");
  assert_int_member (object, "partitions", 3);
  assert_int_member (object, "replication_factor", 2);

  single = mr_cluster_event_new_topic_created ("audit", 1, 1, "auto-created");
  assert_summary (single,
                  "Topic audit created with 1 partition, replication factor "
                  "1 (auto-created)");

  deleted = mr_cluster_event_new_topic_deleted ("orders", NULL);
  assert_summary (deleted, "Topic orders deleted");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (deleted);
  assert_members (object, "seq", "time", "kind", "topic", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "topic-deleted");
  g_assert_cmpstr (json_object_get_string_member (object, "topic"), ==,
                   "orders");

  added = mr_cluster_event_new_partitions_added ("orders", 3, 6, NULL);
  g_assert_cmpint (mr_cluster_event_get_partitions_before (added), ==, 3);
  g_assert_cmpint (mr_cluster_event_get_n_partitions (added), ==, 6);
  assert_summary (added, "Topic orders: partitions increased from 3 to 6");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (added);
  assert_members (object, "seq", "time", "kind", "topic", "partitions_before",
                  "partitions", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "partitions-added");
  assert_int_member (object, "partitions_before", 3);
  assert_int_member (object, "partitions", 6);

  set = mr_cluster_event_new_topic_config_changed ("orders", "retention.ms",
                                                   "3600000", NULL);
  g_assert_cmpstr (mr_cluster_event_get_config_name (set), ==,
                   "retention.ms");
  g_assert_cmpstr (mr_cluster_event_get_config_value (set), ==, "3600000");
  assert_summary (set, "Topic orders: retention.ms set to 3600000");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (set);
  assert_members (object, "seq", "time", "kind", "topic", "config", "value",
                  NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "topic-config-changed");
  g_assert_cmpstr (json_object_get_string_member (object, "config"), ==,
                   "retention.ms");
  g_assert_cmpstr (json_object_get_string_member (object, "value"), ==,
                   "3600000");

  reset = mr_cluster_event_new_topic_config_changed ("orders", "retention.ms",
                                                     NULL, NULL);
  assert_summary (reset, "Topic orders: retention.ms reset to its default");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (reset);
  assert_null_member (object, "value");
}

static void
test_faults (void)
{
  g_autoptr(MrClusterEvent) injected = NULL;
  g_autoptr(MrClusterEvent) healed = NULL;
  g_autoptr(JsonObject) object = NULL;

  injected = mr_cluster_event_new_fault_injected (2, "slow", 200, NULL);
  g_assert_cmpstr (mr_cluster_event_get_fault (injected), ==, "slow");
  g_assert_cmpint (mr_cluster_event_get_parameter (injected), ==, 200);
  assert_summary (injected, "Injected fault slow (200) on broker 2");
  object = event_to_parsed_object (injected);
  assert_members (object, "seq", "time", "kind", "broker", "fault",
                  "parameter", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "fault-injected");
  assert_int_member (object, "broker", 2);
  g_assert_cmpstr (json_object_get_string_member (object, "fault"), ==,
                   "slow");
  assert_int_member (object, "parameter", 200);

  healed = mr_cluster_event_new_fault_healed (-1, "drop", -1, "chaos run over");
  assert_summary (healed,
                  "Healed fault drop on the cluster (chaos run over)");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (healed);
  assert_members (object, "seq", "time", "kind", "broker", "fault",
                  "parameter", "reason", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "fault-healed");
  assert_null_member (object, "broker");
  assert_null_member (object, "parameter");
}

static void
test_unclean_leader_elected (void)
{
  g_autoptr(MrClusterEvent) lossy = NULL;
  g_autoptr(MrClusterEvent) lossless = NULL;
  g_autoptr(JsonObject) object = NULL;

  lossy = mr_cluster_event_new_unclean_leader_elected ("orders", 1, 2, 6, 1,
                                                       100, 119,
                                                       "broker 1 crashed");
  g_assert_cmpint (mr_cluster_event_get_from_offset (lossy), ==, 100);
  g_assert_cmpint (mr_cluster_event_get_to_offset (lossy), ==, 119);
  assert_summary (lossy,
                  "Partition orders-1: broker 2 elected leader uncleanly "
                  "(epoch 6) after broker 1 crashed, losing offsets 100 to "
                  "119");
  object = event_to_parsed_object (lossy);
  assert_members (object, "seq", "time", "kind", "topic", "partition",
                  "leader", "leader_epoch", "previous_leader", "from_offset",
                  "to_offset", "reason", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "unclean-leader-elected");
  assert_int_member (object, "leader", 2);
  assert_int_member (object, "previous_leader", 1);
  assert_int_member (object, "from_offset", 100);
  assert_int_member (object, "to_offset", 119);

  lossless = mr_cluster_event_new_unclean_leader_elected ("orders", 1, 2, 6,
                                                          1, -1, -1, NULL);
  assert_summary (lossless,
                  "Partition orders-1: broker 2 elected leader uncleanly "
                  "(epoch 6), losing no offsets");
  g_clear_pointer (&object, json_object_unref);
  object = event_to_parsed_object (lossless);
  assert_null_member (object, "from_offset");
  assert_null_member (object, "to_offset");
}

static void
test_preferred_leader_restored (void)
{
  g_autoptr(MrClusterEvent) event = NULL;
  g_autoptr(JsonObject) object = NULL;

  event = mr_cluster_event_new_preferred_leader_restored ("orders", 1, 1, 7,
                                                          3, NULL);
  assert_summary (event,
                  "Partition orders-1: preferred leader broker 1 restored "
                  "(epoch 7), replacing broker 3");
  object = event_to_parsed_object (event);
  assert_members (object, "seq", "time", "kind", "topic", "partition",
                  "leader", "leader_epoch", "previous_leader", NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "preferred-leader-restored");
  assert_int_member (object, "leader", 1);
  assert_int_member (object, "leader_epoch", 7);
  assert_int_member (object, "previous_leader", 3);
}

/* One event of every kind: JSON "kind" matches the name table, and every
 * kind has a summary. */
static void
test_every_kind (void)
{
  g_autoptr(GArray) a = isr_new (1, 2, -1);
  g_autoptr(GArray) b = isr_new (1, -1);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_cluster_event_unref);

  g_ptr_array_add (events, mr_cluster_event_new_broker_state_changed (
                     1, MR_BROKER_STATE_RUNNING, MR_BROKER_STATE_ISOLATED,
                     NULL));
  g_ptr_array_add (events, mr_cluster_event_new_controller_moved (1, 2, 2,
                                                                  NULL));
  g_ptr_array_add (events, mr_cluster_event_new_leader_elected ("t", 0, 1, 1,
                                                                -1, NULL));
  g_ptr_array_add (events, mr_cluster_event_new_isr_shrunk ("t", 0, 1, 1, a, b,
                                                            NULL));
  g_ptr_array_add (events, mr_cluster_event_new_isr_expanded ("t", 0, 1, 1, b,
                                                              a, NULL));
  g_ptr_array_add (events, mr_cluster_event_new_replica_truncated (2, "t", 0,
                                                                   1, 5, 3,
                                                                   NULL));
  g_ptr_array_add (events, mr_cluster_event_new_topic_created ("t", 1, 1,
                                                               NULL));
  g_ptr_array_add (events, mr_cluster_event_new_topic_deleted ("t", NULL));
  g_ptr_array_add (events, mr_cluster_event_new_partitions_added ("t", 1, 2,
                                                                  NULL));
  g_ptr_array_add (events, mr_cluster_event_new_topic_config_changed (
                     "t", "cleanup.policy", "compact", NULL));
  g_ptr_array_add (events, mr_cluster_event_new_fault_injected (1, "pause",
                                                                -1, NULL));
  g_ptr_array_add (events, mr_cluster_event_new_fault_healed (1, "pause", -1,
                                                              NULL));
  g_ptr_array_add (events, mr_cluster_event_new_unclean_leader_elected (
                     "t", 0, 2, 2, 1, 4, 4, NULL));
  g_ptr_array_add (events, mr_cluster_event_new_preferred_leader_restored (
                     "t", 0, 1, 3, 2, NULL));

  g_ptr_array_add (events, mr_cluster_event_new_group_rebalanced (
                     "g", 3, 2, "range", 1, NULL));

  g_assert_cmpuint (events->len, ==,
                    MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED + 1);
  for (guint i = 0; i < events->len; i++)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i);
      g_autoptr(JsonObject) object = event_to_parsed_object (event);
      g_autofree char *summary = mr_cluster_event_dup_summary (event);

      g_assert_cmpint (mr_cluster_event_get_kind (event), ==, i);
      g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                       mr_cluster_event_kind_to_string (i));
      g_assert_true (json_object_has_member (object, "seq"));
      g_assert_true (json_object_has_member (object, "time"));
      g_assert_false (json_object_has_member (object, "reason"));
      g_assert_nonnull (summary);
      g_assert_cmpuint (strlen (summary), >, 10);
      g_assert_null (strchr (summary, '\n'));
    }
}

static void
test_boxed (void)
{
  g_autoptr(MrClusterEvent) event = NULL;
  MrClusterEvent *copy;
  GValue value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_BOXED (MR_TYPE_CLUSTER_EVENT));
  g_assert_cmpstr (g_type_name (MR_TYPE_CLUSTER_EVENT), ==, "MrClusterEvent");

  event = mr_cluster_event_new_topic_deleted ("orders", NULL);
  /* Copying a boxed event takes a reference: events are immutable. */
  copy = g_boxed_copy (MR_TYPE_CLUSTER_EVENT, event);
  g_assert_true (copy == event);
  g_boxed_free (MR_TYPE_CLUSTER_EVENT, copy);

  g_value_init (&value, MR_TYPE_CLUSTER_EVENT);
  g_value_set_boxed (&value, event);
  g_assert_true (g_value_get_boxed (&value) == event);
  g_value_unset (&value);

  g_assert_cmpstr (mr_cluster_event_get_topic (event), ==, "orders");
}

static void
test_stamping (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(MrClusterEvent) dated = NULL;
  g_autoptr(MrClusterEvent) undated = NULL;
  g_autoptr(JsonObject) object = NULL;
  gint64 before_ms = g_get_real_time () / 1000;

  dated = mr_cluster_event_new_topic_deleted ("orders", NULL);
  mr_cluster_event_set_time (dated, 1700000000123);
  undated = mr_cluster_event_new_topic_deleted ("payments", NULL);

  g_assert_cmpuint (mr_event_stream_emit (stream, dated), ==, 1);
  g_assert_cmpuint (mr_event_stream_emit (stream, undated), ==, 2);

  g_assert_cmpuint (mr_cluster_event_get_seq (dated), ==, 1);
  g_assert_cmpint (mr_cluster_event_get_time (dated), ==, 1700000000123);
  g_assert_cmpuint (mr_cluster_event_get_seq (undated), ==, 2);
  g_assert_cmpint (mr_cluster_event_get_time (undated), >=, before_ms);
  g_assert_cmpint (mr_cluster_event_get_time (undated), <=,
                   g_get_real_time () / 1000);

  object = event_to_parsed_object (dated);
  assert_int_member (object, "seq", 1);
  assert_int_member (object, "time", 1700000000123);

  /* An emitted event is frozen, and is emitted once. */
  g_test_expect_message ("mr-cluster", G_LOG_LEVEL_CRITICAL, "*seq == 0*");
  mr_cluster_event_set_time (dated, 5);
  g_test_assert_expected_messages ();
  g_assert_cmpint (mr_cluster_event_get_time (dated), ==, 1700000000123);

  g_test_expect_message ("mr-cluster", G_LOG_LEVEL_CRITICAL, "*== 0*");
  g_assert_cmpuint (mr_event_stream_emit (stream, dated), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (mr_event_stream_get_last_seq (stream), ==, 2);
}

static void
test_preconditions (void)
{
  MrClusterEvent *event;

  g_test_expect_message ("mr-cluster", G_LOG_LEVEL_CRITICAL,
                         "*topic != NULL*");
  event = mr_cluster_event_new_leader_elected (NULL, 0, 1, 1, -1, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (event);

  g_test_expect_message ("mr-cluster", G_LOG_LEVEL_CRITICAL,
                         "*first_lost_offset <= last_lost_offset*");
  event = mr_cluster_event_new_unclean_leader_elected ("t", 0, 1, 1, -1, 9, 3,
                                                       NULL);
  g_test_assert_expected_messages ();
  g_assert_null (event);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster-event/names", test_names);
  g_test_add_func ("/cluster-event/broker-state-changed",
                   test_broker_state_changed);
  g_test_add_func ("/cluster-event/controller-moved", test_controller_moved);
  g_test_add_func ("/cluster-event/leader-elected", test_leader_elected);
  g_test_add_func ("/cluster-event/isr-changes", test_isr_changes);
  g_test_add_func ("/cluster-event/replica-truncated", test_replica_truncated);
  g_test_add_func ("/cluster-event/topics", test_topics);
  g_test_add_func ("/cluster-event/faults", test_faults);
  g_test_add_func ("/cluster-event/unclean-leader-elected",
                   test_unclean_leader_elected);
  g_test_add_func ("/cluster-event/preferred-leader-restored",
                   test_preferred_leader_restored);
  g_test_add_func ("/cluster-event/every-kind", test_every_kind);
  g_test_add_func ("/cluster-event/boxed", test_boxed);
  g_test_add_func ("/cluster-event/stamping", test_stamping);
  g_test_add_func ("/cluster-event/preconditions", test_preconditions);

  return g_test_run ();
}

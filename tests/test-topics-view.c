/* test-topics-view.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-topics-view"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "mr-message-item.h"
#include "mr-produce-dialog.h"
#include "mr-test-ui-util.h"
#include "mr-test-util.h"
#include "mr-topic-dialog.h"
#include "mr-topics-view.h"

/* The view on a live three-broker cluster, in a window of its own, driven
 * through its actions and checked against what the engine says. */

#define N_BROKERS        3
#define WAIT_TIMEOUT_MS  15000
/* Record times: an hour ago, whole seconds, so that retention (seven
 * days by default) keeps them. */
static gint64 base_time;
#define BASE_TIME        base_time

typedef struct
{
  char         *dir;
  MrCluster    *cluster;
  GtkWindow    *window;
  MrTopicsView *view;
} Fixture;

static gboolean
idle_cb (gpointer user_data)
{
  return !mr_topics_view_get_busy (user_data);
}

/* Waits for the view's own work, then for a fresh read of the cluster. */
static void
settle (MrTopicsView *view)
{
  g_assert_true (mr_test_wait_until (idle_cb, view, WAIT_TIMEOUT_MS));
  gtk_widget_activate_action (GTK_WIDGET (view), "topics.refresh", NULL);
  g_assert_true (mr_test_wait_until (idle_cb, view, WAIT_TIMEOUT_MS));
}

/* Widgets. */

static void
show_page (Fixture    *fixture,
           const char *page)
{
  g_autoptr(GPtrArray) stacks = mr_test_find_widgets (GTK_WIDGET (fixture->view),
                                                      ADW_TYPE_VIEW_STACK, FALSE);

  g_assert_cmpuint (stacks->len, ==, 1);
  adw_view_stack_set_visible_child_name (g_ptr_array_index (stacks, 0), page);
}

/* The partition rows the view shows, by title. */
static GPtrArray *
partition_rows (MrTopicsView *view)
{
  g_autoptr(GPtrArray) rows = mr_test_find_widgets (GTK_WIDGET (view),
                                                    ADW_TYPE_EXPANDER_ROW, FALSE);
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < rows->len; i++)
    if (g_str_has_prefix (adw_preferences_row_get_title (g_ptr_array_index (rows, i)),
                          "Partition "))
      g_ptr_array_add (found, g_ptr_array_index (rows, i));

  return found;
}

/* Fixture. */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  MrClusterOptions options;
  int width = GPOINTER_TO_INT (user_data) != 0 ? GPOINTER_TO_INT (user_data) : 1100;

  fixture->dir = mr_test_make_tmpdir ();
  mr_test_cluster_options_init (&options, fixture->dir, N_BROKERS);
  fixture->cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  fixture->window = GTK_WINDOW (adw_window_new ());
  g_object_ref (fixture->window);
  gtk_window_set_default_size (fixture->window, width, 760);
  fixture->view = MR_TOPICS_VIEW (mr_topics_view_new (fixture->cluster));
  g_object_ref (fixture->view);
  adw_window_set_content (ADW_WINDOW (fixture->window), GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);
  mr_test_wait_for_frames (GTK_WIDGET (fixture->window));
  settle (fixture->view);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_true (mr_test_wait_until (idle_cb, fixture->view, WAIT_TIMEOUT_MS));
  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->window);
  g_assert_finalize_object (fixture->view);

  mr_cluster_shutdown (fixture->cluster);
  g_clear_pointer (&fixture->cluster, mr_cluster_unref);
  mr_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Records the tests produce: record i of a partition has key
 * "user-<i % 10>", a JSON value {"n": i, "p": partition}, a header "kind"
 * of "even" or "odd", and timestamp BASE_TIME + i seconds. */
static void
produce_records (MrCluster  *cluster,
                 const char *topic,
                 gint32      partition,
                 guint       n)
{
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (MrRecordCopy));
  g_autoptr(GError) error = NULL;

  g_array_set_clear_func (records, (GDestroyNotify)mr_record_copy_clear);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("user-%u", i % 10);
      g_autofree char *value = g_strdup_printf ("{\"n\": %u, \"p\": %d}", i, partition);
      MrRecordCopy copy;

      mr_record_copy_init (&copy);
      copy.timestamp = BASE_TIME + i * 1000;
      copy.key = g_bytes_new (key, strlen (key));
      copy.value = g_bytes_new (value, strlen (value));
      mr_record_copy_add_header (&copy, "kind", (const guint8 *)(i % 2 ? "odd" : "even"),
                                 i % 2 ? 3 : 4);
      g_array_append_val (records, copy);
    }

  g_assert_true (mr_record_produce (cluster, topic, partition,
                                    (MrRecordCopy *)(void *)records->data, n, NULL, &error));
  g_assert_no_error (error);
}

typedef struct
{
  MrTopicsView *view;
  guint         n;
} CountWait;

static gboolean
n_items_cb (gpointer user_data)
{
  CountWait *wait = user_data;

  return !mr_topics_view_get_busy (wait->view) &&
         g_list_model_get_n_items (mr_topics_view_get_messages (wait->view)) == wait->n;
}

static void
wait_for_n_items (MrTopicsView *view,
                  guint         n)
{
  CountWait wait = { view, n };

  g_assert_true (mr_test_wait_until (n_items_cb, &wait, WAIT_TIMEOUT_MS));
}

static gboolean
item_loaded_cb (gpointer user_data)
{
  return mr_message_item_get_loaded (user_data);
}

/* The item at @position, once its page arrived. */
static MrMessageItem *
get_loaded_item (MrTopicsView *view,
                 guint         position)
{
  MrMessageItem *item = g_list_model_get_item (mr_topics_view_get_messages (view), position);

  g_assert_nonnull (item);
  if (!mr_test_wait_until (item_loaded_cb, item, WAIT_TIMEOUT_MS))
    g_error ("item %p %u (%d/%" G_GINT64_FORMAT ") not loaded of %u", (void *)item, position,
             mr_message_item_get_partition (item), mr_message_item_get_offset (item),
             g_list_model_get_n_items (mr_topics_view_get_messages (view)));

  return item;
}

static guint
selected_position (MrTopicsView *view)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (mr_topics_view_get_selection (view));

  g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
  return gtk_bitset_get_minimum (selected);
}

static void
select_topic (MrTopicsView *view,
              const char   *name)
{
  gtk_widget_activate_action (GTK_WIDGET (view), "topics.select", "s", name);
  settle (view);
  g_assert_cmpstr (mr_topics_view_get_selected_topic (view), ==, name);
}

/* Tests. */

static gboolean
topic_shown_cb (gpointer user_data)
{
  MrTopicsView *view = user_data;
  const MrTopicInfo *info = mr_topics_view_get_topic_info (view);

  return !mr_topics_view_get_busy (view) && info != NULL &&
         g_str_equal (info->name, "orders");
}

static void
test_create_and_produce (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(MrRecordPage) page = NULL;
  g_autoptr(MrMessageItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *headers = NULL;
  MrTopicDialog *topic_dialog;
  MrProduceDialog *produce_dialog;
  const MrRecordCopy *record;

  g_assert_null (mr_topics_view_get_selected_topic (fixture->view));
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-empty");

  /* Create "orders" through the dialog, as a user would. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "topics.new", NULL));
  topic_dialog = MR_TOPIC_DIALOG (mr_topics_view_get_dialog (fixture->view));
  g_assert_nonnull (topic_dialog);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (topic_dialog), "apply"));
  mr_topic_dialog_set_name (topic_dialog, "orders");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (topic_dialog), "apply"));
  mr_topic_dialog_set_n_partitions (topic_dialog, 3);
  mr_topic_dialog_set_replication_factor (topic_dialog, 3);
  g_assert_true (mr_topic_dialog_set_config (topic_dialog, "retention.ms", "86400000"));
  g_assert_true (mr_topic_dialog_set_config (topic_dialog, "min.insync.replicas", "2"));
  mr_test_wait_for_frames (GTK_WIDGET (topic_dialog));
  mr_test_save_screenshot (GTK_WIDGET (topic_dialog), "topics-view-create-dialog.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (topic_dialog), "apply");
  gtk_window_close (GTK_WINDOW (topic_dialog));

  g_assert_true (mr_test_wait_until (topic_shown_cb, fixture->view, WAIT_TIMEOUT_MS));
  settle (fixture->view);

  /* The engine has it, as asked. */
  info = mr_cluster_describe_topic (fixture->cluster, "orders", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "retention.ms"), ==, "86400000");
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "min.insync.replicas"), ==, "2");

  /* A row per partition with the leader the engine elected, each with a
   * row per replica. */
  rows = partition_rows (fixture->view);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint p = 0; p < 3; p++)
    {
      const MrPartitionInfo *pinfo = g_ptr_array_index (info->partitions, p);
      g_autofree char *leader = g_strdup_printf ("leader %d · ", pinfo->leader);
      const char *subtitle = adw_expander_row_get_subtitle (g_ptr_array_index (rows, p));
      g_autoptr(GPtrArray) replicas = NULL;

      g_assert_true (g_str_has_prefix (subtitle, leader));
      g_assert_nonnull (strstr (subtitle, "high watermark 0"));
      replicas = mr_test_find_widgets (g_ptr_array_index (rows, p), ADW_TYPE_ACTION_ROW, FALSE);
      /* The expander's own header is an action row too. */
      g_assert_cmpuint (replicas->len, ==, N_BROKERS + 1);
      for (guint r = 1; r < replicas->len; r++)
        g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (g_ptr_array_index (replicas, r)),
                                         "Broker "));
    }

  /* Produce one record through the produce dialog, to partition 1. */
  show_page (fixture, "messages");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.produce", NULL));
  produce_dialog = MR_PRODUCE_DIALOG (mr_topics_view_get_dialog (fixture->view));
  g_assert_nonnull (produce_dialog);
  mr_produce_dialog_set_partition (produce_dialog, 1);
  mr_produce_dialog_set_key (produce_dialog, "user-7");
  mr_produce_dialog_set_value (produce_dialog, "{\"order\": 42, \"items\": [\"tea\", \"cake\"]}");
  mr_produce_dialog_set_headers (produce_dialog, "source=web\ntrace=abc123");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (produce_dialog), "produce");
  gtk_window_close (GTK_WINDOW (produce_dialog));

  /* It appears in the browser, as the engine stored it. */
  wait_for_n_items (fixture->view, 1);
  page = mr_record_page_read (fixture->cluster, "orders", 1, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->n_records, ==, 1);
  record = &page->records[0];

  item = get_loaded_item (fixture->view, 0);
  g_assert_cmpint (mr_message_item_get_partition (item), ==, 1);
  g_assert_cmpint (mr_message_item_get_offset (item), ==, 0);
  g_assert_cmpstr (mr_message_item_get_key_text (item), ==, "user-7");
  g_assert_cmpstr (mr_message_item_get_value_text (item), ==,
                   "{\"order\": 42, \"items\": [\"tea\", \"cake\"]}");
  g_assert_cmpstr (mr_message_item_get_headers_text (item), ==, "source=web, trace=abc123");
  g_assert_true (g_bytes_equal (mr_message_item_get_record (item)->value, record->value));
  g_assert_cmpint (mr_message_item_get_record (item)->timestamp, ==, record->timestamp);

  /* The detail pane pretty-prints it and lists the headers. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.seek-beginning", NULL);
  g_assert_cmpuint (selected_position (fixture->view), ==, 0);
  json = mr_topics_view_dup_detail_text (fixture->view, "json");
  g_assert_cmpstr (json, ==, "{\n  \"order\" : 42,\n  \"items\" : [\n    \"tea\",\n    \"cake\"\n  ]\n}");
  headers = mr_topics_view_dup_detail_text (fixture->view, "headers");
  g_assert_cmpstr (headers, ==, "source: web\ntrace: abc123\n");

  /* More records for the pictures. */
  for (gint32 p = 0; p < 3; p++)
    produce_records (fixture->cluster, "orders", p, 40 + 10 * p);
  settle (fixture->view);
  wait_for_n_items (fixture->view, 1 + 40 + 50 + 60);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.seek-offset", "x", (gint64)5);
  g_clear_object (&item);
  item = get_loaded_item (fixture->view, selected_position (fixture->view));
  g_assert_cmpint (mr_message_item_get_offset (item), ==, 5);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-messages");

  show_page (fixture, "partitions");
  adw_expander_row_set_expanded (g_ptr_array_index (rows, 0), TRUE);
  settle (fixture->view);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-partitions");

  /* The sidebar agrees with the engine's counts. */
  g_assert_nonnull (strstr (adw_expander_row_get_subtitle (g_ptr_array_index (rows, 0)),
                            "high watermark 40"));

  /* Each replica's row gives its size on disk, as the engine has it. */
  g_clear_pointer (&info, mr_topic_info_free);
  info = mr_cluster_describe_topic (fixture->cluster, "orders", &error);
  g_assert_no_error (error);
  {
    const MrPartitionInfo *pinfo = g_ptr_array_index (info->partitions, 0);
    g_autoptr(GPtrArray) replica_rows = mr_test_find_widgets (g_ptr_array_index (rows, 0),
                                                              ADW_TYPE_ACTION_ROW, FALSE);

    for (guint r = 0; r < pinfo->replica_states->len; r++)
      {
        const MrReplicaInfo *replica = &g_array_index (pinfo->replica_states, MrReplicaInfo, r);
        g_autofree char *title = g_strdup_printf ("Broker %d", replica->broker_id);
        g_autofree char *size = g_format_size ((guint64) replica->size_bytes);
        gboolean found = FALSE;

        g_assert_cmpint (replica->size_bytes, >, 0);
        for (guint i = 1; i < replica_rows->len; i++)
          {
            AdwActionRow *row = g_ptr_array_index (replica_rows, i);

            if (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title))
              {
                g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), size));
                found = TRUE;
              }
          }
        g_assert_true (found);
      }
  }
}

/* The positions of @topic's records in partition order that a filter on
 * @field for @needle must show, read from the engine. */
typedef struct
{
  MrRecordField  field;
  const char    *needle;
  gint32         partition;
  GArray        *expected;
} Expect;

static gboolean
expect_cb (const MrRecordBatchHeader *batch,
           const MrRecord            *record,
           gpointer                   user_data)
{
  Expect *expect = user_data;

  if (mr_record_matches (record, expect->field, expect->needle))
    {
      gint64 pair[2] = { expect->partition, record->offset };

      g_array_append_vals (expect->expected, pair, 1);
    }
  return TRUE;
}

static void
assert_filter (Fixture       *fixture,
               MrRecordField  field,
               const char    *needle,
               guint          n_expected)
{
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, 2 * sizeof (gint64));
  g_autoptr(GError) error = NULL;
  Expect expect = { field, needle, 0, expected };
  GListModel *messages = mr_topics_view_get_messages (fixture->view);

  for (gint32 p = 0; p < 2; p++)
    {
      expect.partition = p;
      g_assert_true (mr_record_scan (fixture->cluster, "events", p, 0, -1, expect_cb,
                                     &expect, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (expected->len, ==, n_expected);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.filter", "(us)",
                              (guint32)field, needle);
  wait_for_n_items (fixture->view, n_expected);

  for (guint i = 0; i < n_expected; i++)
    {
      g_autoptr(MrMessageItem) item = get_loaded_item (fixture->view, i);
      const gint64 *pair = &g_array_index (expected, gint64, 2 * i);

      g_assert_cmpint (mr_message_item_get_partition (item), ==, pair[0]);
      g_assert_cmpint (mr_message_item_get_offset (item), ==, pair[1]);
      g_assert_true (mr_record_copy_matches (mr_message_item_get_record (item), field, needle));
    }
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, n_expected);
}

static void
test_filter_and_seek (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(MrMessageItem) item = NULL;
  g_autoptr(MrMessageItem) last = NULL;

  mr_test_create_topic (fixture->cluster, "events", 2, 1);
  produce_records (fixture->cluster, "events", 0, 300);
  produce_records (fixture->cluster, "events", 1, 200);

  select_topic (fixture->view, "events");
  show_page (fixture, "messages");
  wait_for_n_items (fixture->view, 500);

  /* Filters find exactly the records that match, in order. */
  assert_filter (fixture, MR_RECORD_FIELD_KEY, "user-3", 50);
  assert_filter (fixture, MR_RECORD_FIELD_VALUE, "\"n\": 15,", 2);
  assert_filter (fixture, MR_RECORD_FIELD_VALUE, "\"p\": 1", 200);
  assert_filter (fixture, MR_RECORD_FIELD_HEADER, "kind=odd", 250);
  assert_filter (fixture, MR_RECORD_FIELD_KEY, "nobody", 0);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-filter-empty");
  assert_filter (fixture, MR_RECORD_FIELD_KEY, "user-9", 50);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-filter");

  /* An empty filter shows everything again. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.filter", "(us)",
                              (guint32)0, "");
  wait_for_n_items (fixture->view, 500);

  /* Seek to an offset of the partition shown. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.partition", "i", 1);
  wait_for_n_items (fixture->view, 200);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.seek-offset", "x", (gint64)123);
  item = get_loaded_item (fixture->view, selected_position (fixture->view));
  g_assert_cmpint (mr_message_item_get_partition (item), ==, 1);
  g_assert_cmpint (mr_message_item_get_offset (item), ==, 123);
  g_clear_object (&item);

  /* Seek to a time: the first record at or after it, 1.5 s after record
   * 150's. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.seek-time", "x",
                              (gint64)(BASE_TIME + 150 * 1000 + 500));
  settle (fixture->view);
  item = get_loaded_item (fixture->view, selected_position (fixture->view));
  g_assert_cmpint (mr_message_item_get_partition (item), ==, 1);
  g_assert_cmpint (mr_message_item_get_offset (item), ==, 151);
  g_assert_cmpint (mr_message_item_get_record (item)->timestamp, ==, BASE_TIME + 151 * 1000);
  g_clear_object (&item);

  /* The end, and the beginning. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.seek-end", NULL);
  last = get_loaded_item (fixture->view, selected_position (fixture->view));
  g_assert_cmpint (mr_message_item_get_offset (last), ==, 199);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.seek-beginning", NULL);
  g_assert_cmpuint (selected_position (fixture->view), ==, 0);

  /* Live: records produced now appear without asking. */
  produce_records (fixture->cluster, "events", 1, 25);
  g_object_set (fixture->view, "live-tail", TRUE, NULL);
  wait_for_n_items (fixture->view, 225);
  g_object_set (fixture->view, "live-tail", FALSE, NULL);
}

static void
test_export_import (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GFile) all_file = NULL;
  g_autoptr(GFile) some_file = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(MrRecordPage) source = NULL;
  g_autoptr(MrRecordPage) copied = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *all_path = NULL;
  g_autofree char *some_path = NULL;
  g_autofree char *all_uri = NULL;
  g_autofree char *some_uri = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  mr_test_create_topic (fixture->cluster, "src", 1, 1);
  mr_test_create_topic (fixture->cluster, "dst", 1, 1);
  produce_records (fixture->cluster, "src", 0, 50);

  select_topic (fixture->view, "src");
  show_page (fixture, "messages");
  wait_for_n_items (fixture->view, 50);

  /* Everything shown. */
  all_path = g_build_filename (fixture->dir, "all.jsonl", NULL);
  all_uri = g_filename_to_uri (all_path, NULL, NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.export-to", "(sb)",
                              all_uri, FALSE);
  settle (fixture->view);
  all_file = g_file_new_for_path (all_path);
  g_assert_true (g_file_load_contents (all_file, NULL, &text, NULL, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 51);   /* and an empty tail */
  g_assert_true (g_str_has_prefix (lines[0], "{\"topic\":\"src\",\"partition\":0,\"offset\":0,"));

  /* A selection: offsets 10 to 19. */
  gtk_selection_model_select_range (mr_topics_view_get_selection (fixture->view), 10, 10, TRUE);
  some_path = g_build_filename (fixture->dir, "some.jsonl", NULL);
  some_uri = g_filename_to_uri (some_path, NULL, NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.export-to", "(sb)",
                              some_uri, TRUE);
  settle (fixture->view);
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&text, g_free);
  some_file = g_file_new_for_path (some_path);
  g_assert_true (g_file_load_contents (some_file, NULL, &text, NULL, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 11);
  g_assert_nonnull (strstr (lines[0], "\"offset\":10,"));
  g_assert_nonnull (strstr (lines[9], "\"offset\":19,"));

  /* Import the whole export into "dst": the same records. */
  select_topic (fixture->view, "dst");
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.import-from", "s", all_uri);
  settle (fixture->view);
  wait_for_n_items (fixture->view, 50);

  source = mr_record_page_read (fixture->cluster, "src", 0, 0, -1, NULL, &error);
  g_assert_no_error (error);
  copied = mr_record_page_read (fixture->cluster, "dst", 0, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (copied->n_records, ==, source->n_records);
  for (guint i = 0; i < source->n_records; i++)
    {
      const MrRecordCopy *a = &source->records[i];
      const MrRecordCopy *b = &copied->records[i];

      g_assert_cmpint (a->timestamp, ==, b->timestamp);
      g_assert_true (g_bytes_equal (a->key, b->key));
      g_assert_true (g_bytes_equal (a->value, b->value));
      g_assert_cmpuint (a->headers->len, ==, b->headers->len);
    }

  /* A bad file changes nothing. */
  g_assert_true (g_file_replace_contents (some_file, "{\"key\": \"a\"}\nnot json\n", 23,
                                          NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL,
                                          &error));
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.import-from", "s", some_uri);
  settle (fixture->view);
  g_clear_pointer (&copied, mr_record_page_unref);
  copied = mr_record_page_read (fixture->cluster, "dst", 0, 0, -1, NULL, &error);
  g_assert_cmpuint (copied->n_records, ==, 50);
}

static gboolean
topic_gone_cb (gpointer user_data)
{
  Fixture *fixture = user_data;

  return mr_topics_view_get_selected_topic (fixture->view) == NULL;
}

static void
test_edit_and_delete (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  MrTopicDialog *topic_dialog;
  AdwMessageDialog *confirm;

  mr_test_create_topic (fixture->cluster, "doomed", 2, 2);
  produce_records (fixture->cluster, "doomed", 0, 10);
  select_topic (fixture->view, "doomed");

  /* Add partitions and set a config. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "topics.add-partitions", NULL));
  topic_dialog = MR_TOPIC_DIALOG (mr_topics_view_get_dialog (fixture->view));
  g_assert_true (mr_topic_dialog_get_editing (topic_dialog));
  g_assert_cmpint (mr_topic_dialog_get_n_partitions (topic_dialog), ==, 2);
  mr_topic_dialog_set_n_partitions (topic_dialog, 4);
  mr_topic_dialog_set_config (topic_dialog, "cleanup.policy", "compact");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (topic_dialog), "apply");
  gtk_window_close (GTK_WINDOW (topic_dialog));
  settle (fixture->view);
  info = mr_cluster_describe_topic (fixture->cluster, "doomed", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->partitions->len, ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (info->configs, "cleanup.policy"), ==, "compact");
  g_assert_cmpuint (mr_topics_view_get_topic_info (fixture->view)->partitions->len, ==, 4);
  g_clear_pointer (&info, mr_topic_info_free);

  /* A bad value changes nothing, partitions included. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "topics.edit", NULL);
  topic_dialog = MR_TOPIC_DIALOG (mr_topics_view_get_dialog (fixture->view));
  mr_topic_dialog_set_n_partitions (topic_dialog, 6);
  mr_topic_dialog_set_config (topic_dialog, "retention.ms", "soon");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (topic_dialog), "apply");
  gtk_window_close (GTK_WINDOW (topic_dialog));
  settle (fixture->view);
  info = mr_cluster_describe_topic (fixture->cluster, "doomed", &error);
  g_assert_cmpuint (info->partitions->len, ==, 4);
  g_assert_null (g_hash_table_lookup (info->configs, "retention.ms"));
  g_clear_pointer (&info, mr_topic_info_free);

  /* Delete asks first; cancelling keeps the topic. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "topics.delete", NULL));
  confirm = ADW_MESSAGE_DIALOG (mr_topics_view_get_dialog (fixture->view));
  g_assert_nonnull (confirm);
  g_assert_cmpstr (adw_message_dialog_get_heading (confirm), ==, "Delete “doomed”?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (confirm, "delete"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (confirm), ==, "cancel");
  mr_test_wait_for_frames (GTK_WIDGET (confirm));
  mr_test_save_screenshot (GTK_WIDGET (confirm), "topics-view-delete-dialog.png");
  adw_message_dialog_response (confirm, "cancel");
  gtk_window_close (GTK_WINDOW (confirm));
  settle (fixture->view);
  info = mr_cluster_describe_topic (fixture->cluster, "doomed", &error);
  g_assert_no_error (error);
  g_clear_pointer (&info, mr_topic_info_free);

  /* Confirmed: gone from the engine and from the view. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "topics.delete", NULL);
  confirm = ADW_MESSAGE_DIALOG (mr_topics_view_get_dialog (fixture->view));
  adw_message_dialog_response (confirm, "delete");
  gtk_window_close (GTK_WINDOW (confirm));
  g_assert_true (mr_test_wait_until (topic_gone_cb, fixture, WAIT_TIMEOUT_MS));
  info = mr_cluster_describe_topic (fixture->cluster, "doomed", &error);
  g_assert_null (info);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
}

static void
test_narrow (Fixture       *fixture,
             gconstpointer  user_data)
{
  int min_width = 0;

  /* Everything fits a phone's 360 px: the view asks for no more. */
  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  mr_test_create_topic (fixture->cluster, "orders", 3, 3);
  for (gint32 p = 0; p < 3; p++)
    produce_records (fixture->cluster, "orders", p, 30);
  mr_test_create_topic (fixture->cluster, "payments", 1, 3);
  settle (fixture->view);
  mr_test_wait_for_frames (GTK_WIDGET (fixture->window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 360);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-narrow-list");

  select_topic (fixture->view, "orders");
  show_page (fixture, "messages");
  wait_for_n_items (fixture->view, 90);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "messages.seek-offset", "x", (gint64)3);
  settle (fixture->view);
  mr_test_save_screenshots (GTK_WIDGET (fixture->window), "topics-view-narrow-messages");
}

int
main (int   argc,
      char *argv[])
{
  int exit_status;

  if (!mr_test_ui_init (&argc, &argv, &exit_status))
    return exit_status;

  base_time = (g_get_real_time () / G_USEC_PER_SEC - 3600) * 1000;

  g_test_add ("/topics-view/create-and-produce", Fixture, NULL,
              fixture_set_up, test_create_and_produce, fixture_tear_down);
  g_test_add ("/topics-view/filter-and-seek", Fixture, NULL,
              fixture_set_up, test_filter_and_seek, fixture_tear_down);
  g_test_add ("/topics-view/export-import", Fixture, NULL,
              fixture_set_up, test_export_import, fixture_tear_down);
  g_test_add ("/topics-view/edit-and-delete", Fixture, NULL,
              fixture_set_up, test_edit_and_delete, fixture_tear_down);
  g_test_add ("/topics-view/narrow", Fixture, GINT_TO_POINTER (360),
              fixture_set_up, test_narrow, fixture_tear_down);

  return g_test_run ();
}

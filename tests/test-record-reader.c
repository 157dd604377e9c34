/* test-record-reader.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-record-reader"

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

/* Record times: an hour ago, so that retention keeps them. */
static gint64 base_time;

typedef struct
{
  char      *dir;
  MrCluster *cluster;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  MrClusterOptions options;

  fixture->dir = mr_test_make_tmpdir ();
  mr_test_cluster_options_init (&options, fixture->dir, 1);
  fixture->cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  mr_cluster_create_topic (fixture->cluster, "events", 2, 1, NULL, FALSE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  mr_cluster_shutdown (fixture->cluster);
  g_clear_pointer (&fixture->cluster, mr_cluster_unref);
  mr_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Record i: key "user-<i % 10>", value {"n": i}, a header "kind" that is
 * "even" or "odd", and every seventh a binary value. */
static void
make_record (MrRecordCopy *copy,
             guint         i)
{
  g_autofree char *key = g_strdup_printf ("user-%u", i % 10);
  g_autofree char *value = g_strdup_printf ("{\"n\": %u}", i);

  mr_record_copy_init (copy);
  copy->timestamp = base_time + i * 1000;
  copy->key = g_bytes_new (key, strlen (key));
  if (i % 7 == 6)
    {
      guint8 binary[4] = { 0x00, 0xff, (guint8)i, 0x80 };

      copy->value = g_bytes_new (binary, sizeof binary);
    }
  else
    copy->value = g_bytes_new (value, strlen (value));
  mr_record_copy_add_header (copy, "kind", (const guint8 *)(i % 2 ? "odd" : "even"),
                             i % 2 ? 3 : 4);
}

static void
produce_many (MrCluster *cluster,
              gint32     partition,
              guint      first,
              guint      n,
              guint      per_batch)
{
  for (guint done = 0; done < n; done += per_batch)
    {
      g_autoptr(GError) error = NULL;
      g_autofree MrRecordCopy *records = g_new0 (MrRecordCopy, per_batch);
      guint count = MIN (per_batch, n - done);
      gint64 base = -1;

      for (guint i = 0; i < count; i++)
        make_record (&records[i], first + done + i);
      g_assert_true (mr_record_produce (cluster, "events", partition, records,
                                        count, &base, &error));
      g_assert_no_error (error);
      g_assert_cmpint (base, ==, done);
      for (guint i = 0; i < count; i++)
        mr_record_copy_clear (&records[i]);
    }
}

static void
test_page_read (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(MrRecordPage) page = NULL;
  g_autoptr(MrRecordPage) all = NULL;
  g_autoptr(GError) error = NULL;

  produce_many (fixture->cluster, 0, 0, 100, 30);

  /* The middle of a batch to the middle of another. */
  page = mr_record_page_read (fixture->cluster, "events", 0, 25, 65, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->n_records, ==, 40);
  g_assert_cmpint (page->high_watermark, ==, 100);
  g_assert_cmpint (page->log_start_offset, ==, 0);
  for (guint i = 0; i < page->n_records; i++)
    {
      const MrRecordCopy *copy = &page->records[i];
      g_auto(MrRecordCopy) expected = { 0 };
      const MrRecordCopyHeader *header;

      make_record (&expected, 25 + i);
      g_assert_cmpint (copy->offset, ==, 25 + i);
      g_assert_cmpint (copy->partition, ==, 0);
      g_assert_cmpint (copy->timestamp, ==, expected.timestamp);
      g_assert_true (g_bytes_equal (copy->key, expected.key));
      g_assert_true (g_bytes_equal (copy->value, expected.value));
      g_assert_cmpuint (copy->headers->len, ==, 1);
      header = &g_array_index (copy->headers, MrRecordCopyHeader, 0);
      g_assert_cmpstr (header->key, ==, "kind");
    }
  g_assert_nonnull (mr_record_page_lookup (page, 40));
  g_assert_cmpint (mr_record_page_lookup (page, 40)->offset, ==, 40);
  g_assert_null (mr_record_page_lookup (page, 65));

  /* Up to the high watermark, and past it. */
  all = mr_record_page_read (fixture->cluster, "events", 0, 90, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_records, ==, 10);
  g_assert_cmpint (all->end_offset, ==, 100);
  g_clear_pointer (&all, mr_record_page_unref);

  /* An empty partition reads as an empty page. */
  all = mr_record_page_read (fixture->cluster, "events", 1, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_records, ==, 0);
  g_clear_pointer (&all, mr_record_page_unref);

  /* A partition that does not exist is an error. */
  all = mr_record_page_read (fixture->cluster, "events", 7, 0, -1, NULL, &error);
  g_assert_null (all);
  g_assert_error (error, MR_KAFKA_ERROR, MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
}

typedef struct
{
  MrRecordField  field;
  const char    *needle;
  GArray        *offsets;
} Matches;

static gboolean
match_cb (const MrRecordBatchHeader *batch,
          const MrRecord            *record,
          gpointer                   user_data)
{
  Matches *matches = user_data;

  if (mr_record_matches (record, matches->field, matches->needle))
    g_array_append_val (matches->offsets, record->offset);

  return TRUE;
}

static guint
count_matches (MrCluster     *cluster,
               MrRecordField  field,
               const char    *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gint64));
  Matches matches = { field, needle, offsets };

  g_assert_true (mr_record_scan (cluster, "events", 0, 0, -1, match_cb,
                                 &matches, NULL, &error));
  g_assert_no_error (error);

  /* The copies agree with the records they were made from. */
  for (guint i = 0; i < offsets->len; i++)
    {
      g_auto(MrRecordCopy) copy = { 0 };

      make_record (&copy, g_array_index (offsets, gint64, i));
      g_assert_true (mr_record_copy_matches (&copy, field, needle));
    }

  return offsets->len;
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Matches matches = { MR_RECORD_FIELD_KEY, "", NULL };

  produce_many (fixture->cluster, 0, 0, 200, 200);

  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_KEY, "user-3"), ==, 20);
  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_KEY, ""), ==, 200);
  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_KEY, "nobody"), ==, 0);
  /* "n": 15, 150..159: the binary values among them do not match. */
  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_VALUE, "\"n\": 15"), ==, 10);
  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_HEADER, "kind=odd"), ==, 100);
  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_HEADER, "even"), ==, 100);
  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_HEADER, "kind"), ==, 200);
  g_assert_cmpuint (count_matches (fixture->cluster, MR_RECORD_FIELD_HEADER, "other=odd"), ==, 0);

  /* A cancelled scan says so. */
  matches.offsets = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_cancellable_cancel (cancellable);
  g_assert_false (mr_record_scan (fixture->cluster, "events", 0, 0, -1, match_cb,
                                  &matches, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_array_unref (matches.offsets);
}

static void
test_jsonl_round_trip (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(MrRecordPage) page = NULL;
  g_autoptr(MrRecordPage) again = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *topic = NULL;
  g_autofree char *expected_line = NULL;
  g_auto(MrRecordCopy) parsed = { 0 };
  MrRecordCopy tombstone;

  produce_many (fixture->cluster, 0, 0, 20, 20);
  page = mr_record_page_read (fixture->cluster, "events", 0, 0, -1, NULL, &error);
  g_assert_no_error (error);

  /* Text stays text; bytes that are not go through base64. */
  line = mr_record_to_jsonl ("events", &page->records[0]);
  expected_line = g_strdup_printf ("{\"topic\":\"events\",\"partition\":0,\"offset\":0,"
                                   "\"timestamp\":%" G_GINT64_FORMAT ",\"key\":\"user-0\",\"key_encoding\":\"utf-8\","
                                   "\"value\":\"{\\\"n\\\": 0}\",\"value_encoding\":\"utf-8\","
                                   "\"headers\":[{\"key\":\"kind\",\"value\":\"even\",\"value_encoding\":\"utf-8\"}]}",
                                   base_time);
  g_assert_cmpstr (line, ==, expected_line);
  g_clear_pointer (&line, g_free);
  line = mr_record_to_jsonl ("events", &page->records[6]);
  g_assert_nonnull (strstr (line, "\"value\":\"AP8GgA==\",\"value_encoding\":\"base64\""));

  g_assert_true (mr_record_from_jsonl (line, &topic, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (topic, ==, "events");
  g_assert_cmpint (parsed.offset, ==, 6);
  g_assert_true (g_bytes_equal (parsed.value, page->records[6].value));

  /* Null keys and values. */
  mr_record_copy_init (&tombstone);
  tombstone.partition = 1;
  g_clear_pointer (&line, g_free);
  line = mr_record_to_jsonl (NULL, &tombstone);
  g_assert_cmpstr (line, ==, "{\"partition\":1,\"offset\":-1,\"timestamp\":-1,\"key\":null,\"value\":null}");
  g_assert_true (mr_record_from_jsonl (line, NULL, &parsed, &error));
  g_assert_null (parsed.key);
  g_assert_null (parsed.value);
  g_assert_null (parsed.headers);

  /* Bad lines: a clear error, and nothing half-filled. */
  g_assert_false (mr_record_from_jsonl ("{\"value\": 12}", NULL, &parsed, &error));
  g_assert_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (parsed.value);
  g_assert_false (mr_record_from_jsonl ("{\"value\": \"a\", \"value_encoding\": \"rot13\"}",
                                        NULL, &parsed, &error));
  g_assert_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (mr_record_from_jsonl ("{\"value\": \"**\", \"value_encoding\": \"base64\"}",
                                        NULL, &parsed, &error));
  g_assert_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (mr_record_from_jsonl ("[1, 2]", NULL, &parsed, &error));
  g_assert_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID);
  g_clear_error (&error);

  /* The whole page out and back in, then produced to the other partition:
   * the same records there. */
  out = g_memory_output_stream_new_resizable ();
  g_assert_true (mr_record_jsonl_write (out, "events", page->records, page->n_records,
                                        NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  text = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  in = g_memory_input_stream_new_from_bytes (text);
  records = mr_record_jsonl_read (in, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 20);

  g_assert_true (mr_record_produce (fixture->cluster, "events", 1,
                                    (MrRecordCopy *)(void *)records->data, records->len,
                                    NULL, &error));
  g_assert_no_error (error);
  again = mr_record_page_read (fixture->cluster, "events", 1, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_records, ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      const MrRecordCopy *a = &page->records[i];
      const MrRecordCopy *b = &again->records[i];
      const MrRecordCopyHeader *ha = &g_array_index (a->headers, MrRecordCopyHeader, 0);
      const MrRecordCopyHeader *hb = &g_array_index (b->headers, MrRecordCopyHeader, 0);

      g_assert_cmpint (b->partition, ==, 1);
      g_assert_cmpint (a->timestamp, ==, b->timestamp);
      g_assert_true (g_bytes_equal (a->key, b->key));
      g_assert_true (g_bytes_equal (a->value, b->value));
      g_assert_cmpstr (ha->key, ==, hb->key);
      g_assert_true (g_bytes_equal (ha->value, hb->value));
    }

  /* A bad line names its number and nothing is returned. */
  g_clear_object (&in);
  in = g_memory_input_stream_new_from_data ("{\"key\": \"a\"}\n\nnot json\n", -1, NULL);
  g_clear_pointer (&records, g_array_unref);
  records = mr_record_jsonl_read (in, NULL, &error);
  g_assert_null (records);
  g_assert_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "line 3: "));
}

static void
test_partition_for_key (void)
{
  /* Kafka's murmur2 test vectors (signed results), made positive. */
  static const struct { const char *key; gint32 hash; } vectors[] = {
    { "21", -973932308 },
    { "foobar", -790332482 },
    { "a-little-bit-long-string", -985981536 },
    { "a-little-bit-longer-string", -1486304829 },
    { "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971 },
    { "abc", 479470107 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    g_assert_cmpint (mr_record_partition_for_key ((const guint8 *)vectors[i].key,
                                                  strlen (vectors[i].key),
                                                  G_MAXINT32),
                     ==, (gint32)((guint32)vectors[i].hash & 0x7fffffff) % G_MAXINT32);

  g_assert_cmpint (mr_record_partition_for_key ((const guint8 *)"x", 1, 1), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  base_time = (g_get_real_time () / G_USEC_PER_SEC - 3600) * 1000;

  g_test_add ("/record-reader/page", Fixture, NULL,
              fixture_set_up, test_page_read, fixture_tear_down);
  g_test_add ("/record-reader/filters", Fixture, NULL,
              fixture_set_up, test_filters, fixture_tear_down);
  g_test_add ("/record-reader/jsonl", Fixture, NULL,
              fixture_set_up, test_jsonl_round_trip, fixture_tear_down);
  g_test_add_func ("/record-reader/partition-for-key", test_partition_for_key);

  return g_test_run ();
}

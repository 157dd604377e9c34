/* test-metadata-store.c: the controller's metadata in SQLite: round trips,
 * reopening, compare-and-set on partition epochs, crashes in the middle of
 * a change, and files that are not a metadata database.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mr-test-util.h"

/* A name → value table of owned strings from ("name", "value", ..., NULL). */
G_GNUC_NULL_TERMINATED static GHashTable *
new_table (const char *first_name,
           ...)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, g_free);
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_hash_table_insert (table, g_strdup (name), g_strdup (value));
      name = va_arg (args, const char *);
    }
  va_end (args);
  return table;
}

typedef struct
{
  char *dir;
  char *path;
} StoreFixture;

static void
store_fixture_setup (StoreFixture  *fixture,
                     gconstpointer  data)
{
  fixture->dir = mr_test_make_tmpdir ();
  fixture->path = g_build_filename (fixture->dir, MR_METADATA_STORE_FILE_NAME,
                                    NULL);
}

static void
store_fixture_teardown (StoreFixture  *fixture,
                        gconstpointer  data)
{
  mr_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->path, g_free);
}

static MrMetadataStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  MrMetadataStore *store = mr_metadata_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Partitions placed as the controller places them for a new topic. */
static GPtrArray *
make_partitions (int n_partitions,
                 int factor)
{
  const gint32 brokers[] = { 0, 1, 2 };
  g_autoptr(GPtrArray) assignment = NULL;
  GPtrArray *partitions;

  assignment = mr_topic_assign_replicas (brokers, G_N_ELEMENTS (brokers),
                                         n_partitions, factor, 0, NULL);
  g_assert_nonnull (assignment);

  partitions = g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_partition_metadata_free);
  for (guint p = 0; p < assignment->len; p++)
    g_ptr_array_add (partitions,
                     mr_partition_metadata_new (p, assignment->pdata[p]));
  return partitions;
}

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

static void
assert_ids_equal (GArray *a,
                  GArray *b)
{
  g_assert_cmpmem (a->data, a->len * sizeof (gint32),
                   b->data, b->len * sizeof (gint32));
}

static void
assert_topics_equal (const MrTopicMetadata *a,
                     const MrTopicMetadata *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->topic_id, ==, b->topic_id);
  g_assert_cmpint (a->created_ms, ==, b->created_ms);

  g_assert_cmpuint (g_hash_table_size (a->overrides), ==,
                    g_hash_table_size (b->overrides));
  g_hash_table_iter_init (&iter, a->overrides);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (b->overrides, key), ==, value);

  g_assert_cmpuint (a->partitions->len, ==, b->partitions->len);
  for (guint p = 0; p < a->partitions->len; p++)
    {
      const MrPartitionMetadata *pa = a->partitions->pdata[p];
      const MrPartitionMetadata *pb = b->partitions->pdata[p];

      g_assert_cmpint (pa->partition, ==, p);
      g_assert_cmpint (pa->partition, ==, pb->partition);
      g_assert_cmpint (pa->leader, ==, pb->leader);
      g_assert_cmpint (pa->leader_epoch, ==, pb->leader_epoch);
      g_assert_cmpint (pa->partition_epoch, ==, pb->partition_epoch);
      assert_ids_equal (pa->replicas, pb->replicas);
      assert_ids_equal (pa->isr, pb->isr);
    }
}

static void
assert_is_kafka_uuid (const char *id)
{
  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), ==, 22);
  g_assert_cmpint (id[0], !=, '-');
  for (const char *p = id; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static guint
count_topics (MrMetadataStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) topics = mr_metadata_store_list_topics (store, &error);

  g_assert_no_error (error);
  return topics->len;
}

/* Round trips. */

static void
test_round_trip_and_reopen (StoreFixture  *fixture,
                            gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = NULL;
  g_autoptr(MrTopicMetadata) created = NULL;
  g_autoptr(MrTopicMetadata) read_back = NULL;
  g_autoptr(GPtrArray) partitions = make_partitions (6, 3);
  g_autoptr(GPtrArray) topics = NULL;
  g_autoptr(GHashTable) overrides = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cluster_id = NULL;
  gint64 before_ms = g_get_real_time () / 1000;
  gint32 epoch = 0;

  store = open_store (fixture->path);
  cluster_id = g_strdup (mr_metadata_store_get_cluster_id (store));
  assert_is_kafka_uuid (cluster_id);
  g_assert_cmpint (mr_metadata_store_get_controller_epoch (store), ==, 0);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));

  g_assert_true (mr_metadata_store_bump_controller_epoch (store, &epoch,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpint (epoch, ==, 1);
  g_assert_true (mr_metadata_store_bump_controller_epoch (store, &epoch,
                                                          NULL));
  g_assert_cmpint (epoch, ==, 2);
  g_assert_cmpint (mr_metadata_store_get_controller_epoch (store), ==, 2);

  overrides = new_table ("retention.ms", "3600000",
                         "cleanup.policy", "compact",
                         NULL);

  created = mr_metadata_store_create_topic (store, "orders", overrides,
                                            partitions, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (created->name, ==, "orders");
  assert_is_kafka_uuid (created->topic_id);
  g_assert_cmpint (created->created_ms, >=, before_ms);
  g_assert_cmpuint (created->partitions->len, ==, 6);
  g_assert_cmpuint (g_hash_table_size (created->overrides), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (created->overrides, "cleanup.policy"),
                   ==, "compact");
  for (guint p = 0; p < 6; p++)
    {
      const MrPartitionMetadata *pm = created->partitions->pdata[p];
      const MrPartitionMetadata *in = partitions->pdata[p];

      assert_ids_equal (pm->replicas, in->replicas);
      g_assert_cmpint (pm->leader, ==,
                       g_array_index (in->replicas, gint32, 0));
      assert_ids_equal (pm->isr, in->replicas);
      g_assert_cmpint (pm->leader_epoch, ==, 0);
      g_assert_cmpint (pm->partition_epoch, ==, 0);
    }

  {
    g_autoptr(GPtrArray) small = make_partitions (1, 1);
    g_autoptr(MrTopicMetadata) other = NULL;

    other = mr_metadata_store_create_topic (store, "audit", NULL, small,
                                            &error);
    g_assert_no_error (error);
    g_assert_cmpstr (other->topic_id, !=, created->topic_id);
    g_assert_cmpuint (g_hash_table_size (other->overrides), ==, 0);
  }

  g_clear_pointer (&store, mr_metadata_store_close);

  /* Everything is there after reopening, and the cluster id is the same. */
  store = open_store (fixture->path);
  g_assert_cmpstr (mr_metadata_store_get_cluster_id (store), ==, cluster_id);
  g_assert_cmpint (mr_metadata_store_get_controller_epoch (store), ==, 2);

  read_back = mr_metadata_store_get_topic (store, "orders", &error);
  g_assert_no_error (error);
  assert_topics_equal (created, read_back);

  topics = mr_metadata_store_list_topics (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (topics->len, ==, 2);
  g_assert_cmpstr (((MrTopicMetadata *)topics->pdata[0])->name, ==, "audit");
  assert_topics_equal (created, topics->pdata[1]);

  /* Snapshots copy. */
  {
    g_autoptr(MrTopicMetadata) copy = mr_topic_metadata_copy (read_back);

    assert_topics_equal (read_back, copy);
  }

  /* The next epoch carries on from the stored one. */
  g_assert_true (mr_metadata_store_bump_controller_epoch (store, &epoch,
                                                          NULL));
  g_assert_cmpint (epoch, ==, 3);
}

static void
test_cluster_ids_differ (StoreFixture  *fixture,
                         gconstpointer  data)
{
  g_autofree char *other_path = g_build_filename (fixture->dir, "other.db",
                                                  NULL);
  g_autoptr(MrMetadataStore) a = open_store (fixture->path);
  g_autoptr(MrMetadataStore) b = open_store (other_path);

  assert_is_kafka_uuid (mr_metadata_store_get_cluster_id (b));
  g_assert_cmpstr (mr_metadata_store_get_cluster_id (a), !=,
                   mr_metadata_store_get_cluster_id (b));
  g_assert_cmpstr (mr_metadata_store_get_path (a), ==, fixture->path);
}

static void
test_topic_exists_and_collision (StoreFixture  *fixture,
                                 gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) partitions = make_partitions (3, 2);
  g_autoptr(MrTopicMetadata) first = NULL;
  g_autoptr(MrTopicMetadata) again = NULL;
  const struct
  {
    const char *name;
    int         code;
  } refused[] = {
    { "metrics.eu", MR_CLUSTER_ERROR_TOPIC_EXISTS },
    { "metrics_eu", MR_CLUSTER_ERROR_TOPIC_COLLISION },
    { "metrics.eu/2", MR_CLUSTER_ERROR_INVALID_TOPIC },
    { "..", MR_CLUSTER_ERROR_INVALID_TOPIC },
    { "", MR_CLUSTER_ERROR_INVALID_TOPIC },
  };

  first = mr_metadata_store_create_topic (store, "metrics.eu", NULL,
                                          partitions, NULL);
  g_assert_nonnull (first);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MrTopicMetadata) topic = NULL;

      topic = mr_metadata_store_create_topic (store, refused[i].name, NULL,
                                              partitions, &error);
      g_assert_null (topic);
      g_assert_error (error, MR_CLUSTER_ERROR, refused[i].code);
      g_assert_cmpuint (count_topics (store), ==, 1);
    }

  /* The existing topic was not touched. */
  again = mr_metadata_store_get_topic (store, "metrics.eu", NULL);
  assert_topics_equal (first, again);

  /* "metrics-eu" is a different name that does not collide. */
  {
    g_autoptr(MrTopicMetadata) dash = NULL;

    dash = mr_metadata_store_create_topic (store, "metrics-eu", NULL,
                                           partitions, NULL);
    g_assert_nonnull (dash);
  }
}

static void
test_bad_input_changes_nothing (StoreFixture  *fixture,
                                gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GHashTable) bad_config = NULL;
  const struct
  {
    const char *what;
    int         code;
  } cases[] = {
    { "bad config", MR_CLUSTER_ERROR_INVALID_CONFIG },
    { "no partition", MR_CLUSTER_ERROR_INVALID_PARTITIONS },
    { "numbered from 1", MR_CLUSTER_ERROR_INVALID_PARTITIONS },
    { "broker twice", MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT },
    { "mixed factors", MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT },
    { "leader not in ISR", MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT },
    { "ISR outside replicas", MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT },
    { "negative leader epoch", MR_CLUSTER_ERROR_STALE_EPOCH },
  };

  bad_config = new_table ("retention.ms", "1000",
                          "min.insync.replicas", "0",
                          NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) partitions = make_partitions (3, 3);
      g_autoptr(MrTopicMetadata) topic = NULL;
      g_autoptr(GError) error = NULL;
      GHashTable *overrides = NULL;
      MrPartitionMetadata *p1 = partitions->pdata[1];

      switch (i)
        {
        case 0:
          overrides = bad_config;
          break;
        case 1:
          g_ptr_array_set_size (partitions, 0);
          break;
        case 2:
          for (guint p = 0; p < partitions->len; p++)
            ((MrPartitionMetadata *)partitions->pdata[p])->partition++;
          break;
        case 3:
          g_array_index (p1->replicas, gint32, 2) =
            g_array_index (p1->replicas, gint32, 0);
          break;
        case 4:
          g_array_set_size (p1->replicas, 2);
          g_array_set_size (p1->isr, 2);
          break;
        case 5:
          g_array_remove_index (p1->isr, 0);
          break;
        case 6:
          g_array_append_vals (p1->isr, &(gint32) { 9 }, 1);
          break;
        case 7:
          p1->leader_epoch = -1;
          break;
        default:
          g_assert_not_reached ();
        }

      topic = mr_metadata_store_create_topic (store, "t", overrides,
                                              partitions, &error);
      g_assert_null (topic);
      g_assert_error (error, MR_CLUSTER_ERROR, cases[i].code);
      g_assert_cmpuint (count_topics (store), ==, 0);
    }
}

static void
test_delete_topic (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) partitions = make_partitions (4, 2);
  g_autoptr(GHashTable) overrides = NULL;
  g_autoptr(MrTopicMetadata) first = NULL;
  g_autoptr(MrTopicMetadata) second = NULL;
  g_autoptr(MrTopicMetadata) gone = NULL;
  g_autoptr(GError) error = NULL;

  overrides = new_table ("segment.ms", "60000", NULL);

  first = mr_metadata_store_create_topic (store, "a.b", overrides,
                                          partitions, NULL);
  g_assert_true (mr_metadata_store_delete_topic (store, "a.b", &error));
  g_assert_no_error (error);

  gone = mr_metadata_store_get_topic (store, "a.b", &error);
  g_assert_null (gone);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
  g_clear_error (&error);

  g_assert_false (mr_metadata_store_delete_topic (store, "a.b", &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
  g_clear_error (&error);

  /* The name and its collision key are free again; the new topic is a new
   * topic, with a new id and none of the old configs. */
  second = mr_metadata_store_create_topic (store, "a_b", NULL, partitions,
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->topic_id, !=, first->topic_id);
  g_assert_cmpuint (g_hash_table_size (second->overrides), ==, 0);
  g_assert_cmpuint (count_topics (store), ==, 1);
}

static void
test_add_partitions (StoreFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) partitions = make_partitions (3, 2);
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GPtrArray) placed = NULL;
  g_autoptr(GPtrArray) more = NULL;
  g_autoptr(MrTopicMetadata) topic = NULL;
  g_autoptr(MrTopicMetadata) grown = NULL;
  g_autoptr(GError) error = NULL;
  const gint32 brokers[] = { 0, 1, 2 };

  topic = mr_metadata_store_create_topic (store, "clicks", NULL, partitions,
                                          NULL);

  existing = g_ptr_array_new ();
  for (guint p = 0; p < topic->partitions->len; p++)
    g_ptr_array_add (existing,
                     ((MrPartitionMetadata *)topic->partitions->pdata[p])
                       ->replicas);
  placed = mr_topic_assign_added_replicas (brokers, 3, existing, 2, &error);
  g_assert_no_error (error);

  more = g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_partition_metadata_free);
  for (guint i = 0; i < placed->len; i++)
    g_ptr_array_add (more, mr_partition_metadata_new (3 + i,
                                                      placed->pdata[i]));

  /* Numbered wrong. */
  ((MrPartitionMetadata *)more->pdata[0])->partition = 4;
  g_assert_false (mr_metadata_store_add_partitions (store, "clicks", more,
                                                    &error));
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_INVALID_PARTITIONS);
  g_clear_error (&error);
  ((MrPartitionMetadata *)more->pdata[0])->partition = 3;

  /* Unknown topic. */
  g_assert_false (mr_metadata_store_add_partitions (store, "nope", more,
                                                    &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
  g_clear_error (&error);

  /* Another replication factor. */
  {
    g_autoptr(GPtrArray) wide = g_ptr_array_new_with_free_func (
        (GDestroyNotify)mr_partition_metadata_free);
    g_autoptr(GArray) three = ids (3, 0, 1, 2);

    g_ptr_array_add (wide, mr_partition_metadata_new (3, three));
    g_assert_false (mr_metadata_store_add_partitions (store, "clicks", wide,
                                                      &error));
    g_assert_error (error, MR_CLUSTER_ERROR,
                    MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT);
    g_clear_error (&error);
  }

  grown = mr_metadata_store_get_topic (store, "clicks", NULL);
  g_assert_cmpuint (grown->partitions->len, ==, 3);
  g_clear_pointer (&grown, mr_topic_metadata_free);

  g_assert_true (mr_metadata_store_add_partitions (store, "clicks", more,
                                                   &error));
  g_assert_no_error (error);

  g_clear_pointer (&store, mr_metadata_store_close);
  store = open_store (fixture->path);
  grown = mr_metadata_store_get_topic (store, "clicks", NULL);
  g_assert_cmpuint (grown->partitions->len, ==, 5);
  g_assert_cmpstr (grown->topic_id, ==, topic->topic_id);
  for (guint i = 0; i < placed->len; i++)
    assert_ids_equal (((MrPartitionMetadata *)grown->partitions->pdata[3 + i])
                        ->replicas, placed->pdata[i]);
}

static void
test_update_partition_cas (StoreFixture  *fixture,
                           gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) partitions = make_partitions (2, 3);
  g_autoptr(MrTopicMetadata) topic = NULL;
  g_autoptr(MrTopicMetadata) after = NULL;
  g_autoptr(GArray) shrunk = NULL;
  g_autoptr(GArray) outsider = NULL;
  g_autoptr(GError) error = NULL;
  const MrPartitionMetadata *p0;
  gint32 old_leader;
  gint32 new_leader;
  gint32 epoch = -1;

  topic = mr_metadata_store_create_topic (store, "payments", NULL,
                                          partitions, NULL);
  p0 = topic->partitions->pdata[0];
  old_leader = p0->leader;
  new_leader = g_array_index (p0->replicas, gint32, 1);

  /* The leader dies: a follower takes over with a new leader epoch and a
   * smaller ISR. */
  shrunk = ids (2, g_array_index (p0->replicas, gint32, 1),
                g_array_index (p0->replicas, gint32, 2));
  g_assert_true (mr_metadata_store_update_partition (store, "payments", 0, 0,
                                                     new_leader, 1, shrunk,
                                                     &epoch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (epoch, ==, 1);

  /* A second controller acting on what it read before is refused. */
  g_assert_false (mr_metadata_store_update_partition (store, "payments", 0, 0,
                                                      old_leader, 1, p0->isr,
                                                      &epoch, &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH);
  g_assert_nonnull (strstr (error->message, "payments-0"));
  g_clear_error (&error);
  g_assert_cmpint (epoch, ==, 1);

  /* Leader epochs never go back. */
  g_assert_false (mr_metadata_store_update_partition (store, "payments", 0, 1,
                                                      new_leader, 0, shrunk,
                                                      NULL, &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH);
  g_clear_error (&error);

  /* The leader must be in sync, and the ISR within the replicas. */
  g_assert_false (mr_metadata_store_update_partition (store, "payments", 0, 1,
                                                      old_leader, 2, shrunk,
                                                      NULL, &error));
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT);
  g_clear_error (&error);
  outsider = ids (2, new_leader, 42);
  g_assert_false (mr_metadata_store_update_partition (store, "payments", 0, 1,
                                                      new_leader, 2, outsider,
                                                      NULL, &error));
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT);
  g_clear_error (&error);

  /* Unknown partition and topic. */
  g_assert_false (mr_metadata_store_update_partition (store, "payments", 7, 0,
                                                      -1, 0, shrunk, NULL,
                                                      &error));
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_UNKNOWN_PARTITION);
  g_clear_error (&error);
  g_assert_false (mr_metadata_store_update_partition (store, "refunds", 0, 0,
                                                      -1, 0, shrunk, NULL,
                                                      &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
  g_clear_error (&error);

  /* No leader at all is a state too (all replicas down). */
  {
    g_autoptr(GArray) empty = ids (0);

    g_assert_true (mr_metadata_store_update_partition (store, "payments", 1,
                                                       0, -1, 1, empty,
                                                       &epoch, &error));
    g_assert_no_error (error);
    g_assert_cmpint (epoch, ==, 1);
  }

  /* Only the successful changes are stored, and they survive a reopen. */
  g_clear_pointer (&store, mr_metadata_store_close);
  store = open_store (fixture->path);
  after = mr_metadata_store_get_topic (store, "payments", NULL);
  p0 = after->partitions->pdata[0];
  g_assert_cmpint (p0->leader, ==, new_leader);
  g_assert_cmpint (p0->leader_epoch, ==, 1);
  g_assert_cmpint (p0->partition_epoch, ==, 1);
  assert_ids_equal (p0->isr, shrunk);
  assert_ids_equal (p0->replicas,
                    ((MrPartitionMetadata *)topic->partitions->pdata[0])
                      ->replicas);
  g_assert_cmpint (((MrPartitionMetadata *)after->partitions->pdata[1])
                     ->leader, ==, -1);
  g_assert_cmpuint (((MrPartitionMetadata *)after->partitions->pdata[1])
                      ->isr->len, ==, 0);
}

static void
test_topic_configs (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) partitions = make_partitions (1, 1);
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) second = NULL;
  g_autoptr(GHashTable) bad = NULL;
  g_autoptr(MrTopicMetadata) topic = NULL;
  g_autoptr(GError) error = NULL;

  first = new_table ("retention.ms", "1000",
                     "min.insync.replicas", "2",
                     NULL);
  second = new_table ("unclean.leader.election.enable", "true", NULL);
  bad = new_table ("retention.ms", "5",
                   "retention.hours", "5",
                   NULL);

  topic = mr_metadata_store_create_topic (store, "logs", first, partitions,
                                          NULL);
  g_clear_pointer (&topic, mr_topic_metadata_free);

  /* Replacing: the old overrides go, the new ones stay. */
  g_assert_true (mr_metadata_store_set_topic_configs (store, "logs", second,
                                                      &error));
  g_assert_no_error (error);
  topic = mr_metadata_store_get_topic (store, "logs", NULL);
  g_assert_cmpuint (g_hash_table_size (topic->overrides), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (topic->overrides,
                                        "unclean.leader.election.enable"),
                   ==, "true");
  g_clear_pointer (&topic, mr_topic_metadata_free);

  /* A bad set changes nothing. */
  g_assert_false (mr_metadata_store_set_topic_configs (store, "logs", bad,
                                                       &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "retention.hours"));
  g_clear_error (&error);
  topic = mr_metadata_store_get_topic (store, "logs", NULL);
  g_assert_cmpuint (g_hash_table_size (topic->overrides), ==, 1);
  g_clear_pointer (&topic, mr_topic_metadata_free);

  g_assert_false (mr_metadata_store_set_topic_configs (store, "nope", second,
                                                       &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
  g_clear_error (&error);

  /* NULL clears. */
  g_assert_true (mr_metadata_store_set_topic_configs (store, "logs", NULL,
                                                      &error));
  g_assert_no_error (error);
  topic = mr_metadata_store_get_topic (store, "logs", NULL);
  g_assert_cmpuint (g_hash_table_size (topic->overrides), ==, 0);
}

static void
test_settings_and_brokers (StoreFixture  *fixture,
                           gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) brokers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  value = mr_metadata_store_dup_setting (store, "auto.create.topics.enable",
                                         &error);
  g_assert_no_error (error);
  g_assert_null (value);

  g_assert_true (mr_metadata_store_set_setting (store,
                                                "auto.create.topics.enable",
                                                "false", &error));
  g_assert_no_error (error);
  g_assert_true (mr_metadata_store_set_setting (store,
                                                "auto.create.topics.enable",
                                                "true", NULL));
  g_assert_true (mr_metadata_store_set_setting (store, "gone", "x", NULL));
  g_assert_true (mr_metadata_store_set_setting (store, "gone", NULL, NULL));

  g_assert_true (mr_metadata_store_register_broker (store, 2, "127.0.0.1",
                                                    9094, &error));
  g_assert_no_error (error);
  g_assert_true (mr_metadata_store_register_broker (store, 0, "127.0.0.1",
                                                    9092, NULL));
  g_assert_true (mr_metadata_store_register_broker (store, 1, "localhost",
                                                    1, NULL));
  g_assert_true (mr_metadata_store_register_broker (store, 1, "127.0.0.1",
                                                    9093, NULL));
  g_assert_true (mr_metadata_store_register_broker (store, 3, "127.0.0.1",
                                                    9095, NULL));
  g_assert_true (mr_metadata_store_unregister_broker (store, 3, NULL));
  g_assert_true (mr_metadata_store_unregister_broker (store, 99, NULL));

  g_clear_pointer (&store, mr_metadata_store_close);
  store = open_store (fixture->path);

  g_clear_pointer (&value, g_free);
  value = mr_metadata_store_dup_setting (store, "auto.create.topics.enable",
                                         NULL);
  g_assert_cmpstr (value, ==, "true");
  g_clear_pointer (&value, g_free);
  value = mr_metadata_store_dup_setting (store, "gone", NULL);
  g_assert_null (value);

  brokers = mr_metadata_store_list_brokers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (brokers->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const MrBrokerRegistration *broker = brokers->pdata[i];

      g_assert_cmpint (broker->id, ==, i);
      g_assert_cmpstr (broker->host, ==, "127.0.0.1");
      g_assert_cmpuint (broker->port, ==, 9092 + i);
    }
}

/* Crashes. */

/* The parent's view of a forked child: exited with @code. */
static void
assert_child_exited (pid_t pid,
                     int   code)
{
  int status = 0;

  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, code);
}

/* fork(), with the parent's buffered output flushed first (so the child
 * cannot write it a second time) and the child's output sent to
 * /dev/null (so its log lines cannot cut into the TAP stream). */
static pid_t
fork_quiet (void)
{
  pid_t pid;

  fflush (stdout);
  fflush (stderr);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);

  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_WRONLY);

      if (null_fd < 0 || dup2 (null_fd, STDOUT_FILENO) < 0
          || dup2 (null_fd, STDERR_FILENO) < 0)
        _exit (6);
      close (null_fd);
    }

  return pid;
}

#define EXIT_AT_FAULT 42

static void
exit_at_point (const char *point,
               gpointer    user_data)
{
  if (g_str_equal (point, user_data))
    _exit (EXIT_AT_FAULT);
}

typedef enum
{
  CHANGE_CREATE,
  CHANGE_UPDATE,
  CHANGE_ADD,
  CHANGE_DELETE,
  CHANGE_EPOCH,
} Change;

/* In the child: one change, interrupted at @point. Exits with 1 if the
 * change never reached the point. */
G_GNUC_NORETURN static void
run_interrupted_change (const char *path,
                        Change      change,
                        const char *point)
{
  g_autoptr(MrMetadataStore) store = mr_metadata_store_open (path, NULL);
  g_autoptr(GPtrArray) partitions = make_partitions (200, 3);
  g_autoptr(GArray) isr = ids (1, 0);
  g_autoptr(MrTopicMetadata) topic = NULL;

  if (store == NULL)
    _exit (2);

  mr_metadata_store_set_fault_func (store, exit_at_point, (gpointer)point);

  switch (change)
    {
    case CHANGE_CREATE:
      topic = mr_metadata_store_create_topic (store, "lost", NULL,
                                              partitions, NULL);
      break;
    case CHANGE_UPDATE:
      mr_metadata_store_update_partition (store, "kept", 0, 0, 0, 5, isr,
                                          NULL, NULL);
      break;
    case CHANGE_ADD:
      {
        g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func (
            (GDestroyNotify)mr_partition_metadata_free);
        g_autoptr(GArray) replicas = ids (3, 1, 2, 0);

        for (int p = 3; p < 100; p++)
          g_ptr_array_add (more, mr_partition_metadata_new (p, replicas));
        mr_metadata_store_add_partitions (store, "kept", more, NULL);
      }
      break;
    case CHANGE_DELETE:
      mr_metadata_store_delete_topic (store, "kept", NULL);
      break;
    case CHANGE_EPOCH:
      mr_metadata_store_bump_controller_epoch (store, NULL, NULL);
      break;
    default:
      g_assert_not_reached ();
    }

  _exit (1);
}

static void
test_interrupted_changes (StoreFixture  *fixture,
                          gconstpointer  data)
{
  const struct
  {
    Change      change;
    const char *point;
  } cases[] = {
    { CHANGE_CREATE, "create-topic:topic-written" },
    { CHANGE_CREATE, "create-topic:before-commit" },
    { CHANGE_UPDATE, "update-partition:before-commit" },
    { CHANGE_ADD, "add-partitions:before-commit" },
    { CHANGE_DELETE, "delete-topic:before-commit" },
    { CHANGE_EPOCH, "bump-controller-epoch:before-commit" },
  };
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) partitions = make_partitions (3, 3);
  g_autoptr(MrTopicMetadata) kept = NULL;
  g_autofree char *cluster_id = NULL;

  kept = mr_metadata_store_create_topic (store, "kept", NULL, partitions,
                                         NULL);
  g_assert_true (mr_metadata_store_bump_controller_epoch (store, NULL, NULL));
  cluster_id = g_strdup (mr_metadata_store_get_cluster_id (store));
  g_clear_pointer (&store, mr_metadata_store_close);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrTopicMetadata) after = NULL;
      g_autoptr(MrTopicMetadata) lost = NULL;
      g_autoptr(GError) error = NULL;
      pid_t pid;

      pid = fork_quiet ();
      if (pid == 0)
        run_interrupted_change (fixture->path, cases[i].change,
                                cases[i].point);

      /* The child died inside the transaction... */
      assert_child_exited (pid, EXIT_AT_FAULT);

      /* ...and the store is as it was before. */
      store = open_store (fixture->path);
      g_assert_cmpstr (mr_metadata_store_get_cluster_id (store), ==,
                       cluster_id);
      g_assert_cmpint (mr_metadata_store_get_controller_epoch (store), ==, 1);
      g_assert_cmpuint (count_topics (store), ==, 1);
      after = mr_metadata_store_get_topic (store, "kept", &error);
      g_assert_no_error (error);
      assert_topics_equal (kept, after);
      lost = mr_metadata_store_get_topic (store, "lost", &error);
      g_assert_null (lost);
      g_assert_error (error, MR_CLUSTER_ERROR,
                      MR_CLUSTER_ERROR_UNKNOWN_TOPIC);
      g_clear_pointer (&store, mr_metadata_store_close);
    }

  /* And it still takes changes. */
  store = open_store (fixture->path);
  {
    g_autoptr(MrTopicMetadata) lost = NULL;

    lost = mr_metadata_store_create_topic (store, "lost", NULL, partitions,
                                           NULL);
    g_assert_nonnull (lost);
  }
}

/* In the child: creates topics and moves leaders for ever, reporting each
 * committed change with one byte on @fd. */
G_GNUC_NORETURN static void
run_busy_writer (const char *path,
                 int         fd)
{
  g_autoptr(MrMetadataStore) store = mr_metadata_store_open (path, NULL);

  if (store == NULL)
    _exit (2);

  for (guint i = 0;; i++)
    {
      g_autoptr(GPtrArray) partitions = make_partitions (4, 3);
      g_autoptr(MrTopicMetadata) topic = NULL;
      g_autoptr(GArray) isr = ids (2, 1, 2);
      g_autofree char *name = g_strdup_printf ("topic-%05u", i);
      char byte = 't';

      topic = mr_metadata_store_create_topic (store, name, NULL, partitions,
                                              NULL);
      if (topic == NULL)
        _exit (3);

      /* Partition 0's replicas start with broker 0 (start index 0). */
      if (!mr_metadata_store_update_partition (store, name, 0, 0, 1, 1, isr,
                                               NULL, NULL))
        _exit (4);

      if (write (fd, &byte, 1) != 1)
        _exit (5);
    }
}

static void
test_killed_writer (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = NULL;
  g_autoptr(GPtrArray) topics = NULL;
  g_autoptr(GError) error = NULL;
  guint acknowledged = 0;
  int status = 0;
  int fds[2];
  pid_t pid;

  /* Make the file first, so the child does not race its creation. */
  store = open_store (fixture->path);
  g_clear_pointer (&store, mr_metadata_store_close);

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork_quiet ();
  if (pid == 0)
    {
      close (fds[0]);
      run_busy_writer (fixture->path, fds[1]);
    }
  close (fds[1]);

  /* Let it commit a few changes, then kill it wherever it is: most likely
   * inside a transaction or a WAL write. */
  while (acknowledged < 25)
    {
      char byte;
      gssize n = read (fds[0], &byte, 1);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, ==, 1);
      acknowledged++;
    }
  g_usleep (g_random_int_range (0, 3000));
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_assert_true (WIFSIGNALED (status));
  close (fds[0]);

  /* Every acknowledged change is there, and every topic is whole. */
  store = open_store (fixture->path);
  topics = mr_metadata_store_list_topics (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (topics->len, >=, acknowledged);
  for (guint i = 0; i < topics->len; i++)
    {
      const MrTopicMetadata *topic = topics->pdata[i];
      g_autofree char *name = g_strdup_printf ("topic-%05u", i);

      g_assert_cmpstr (topic->name, ==, name);
      g_assert_cmpuint (topic->partitions->len, ==, 4);
      if (i < acknowledged)
        g_assert_cmpint (((MrPartitionMetadata *)topic->partitions->pdata[0])
                           ->partition_epoch, ==, 1);
    }
}

/* Files that are not a store. */

static void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static void
test_garbage_file (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  GString *garbage = g_string_new (NULL);

  for (guint i = 0; i < 300; i++)
    g_string_append (garbage, "these bytes are not a database. ");
  write_file (fixture->path, garbage->str, garbage->len);
  g_string_free (garbage, TRUE);
  before = mr_test_read_file (fixture->path);

  store = mr_metadata_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_CORRUPT);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_nonnull (strstr (error->message, "Move it aside"));

  /* The file was left as it was, for the user to look at. */
  after = mr_test_read_file (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_damaged_file (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autofree guint8 *damaged = NULL;
  gsize size;

  /* A real store with enough topics to span many pages. */
  store = open_store (fixture->path);
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GPtrArray) partitions = make_partitions (50, 3);
      g_autoptr(MrTopicMetadata) topic = NULL;
      g_autofree char *name = g_strdup_printf ("topic-%u", i);

      topic = mr_metadata_store_create_topic (store, name, NULL, partitions,
                                              NULL);
      g_assert_nonnull (topic);
    }
  g_clear_pointer (&store, mr_metadata_store_close);

  /* Scribble over everything after the first page. */
  contents = mr_test_read_file (fixture->path);
  size = g_bytes_get_size (contents);
  g_assert_cmpuint (size, >, 8192);
  damaged = g_memdup2 (g_bytes_get_data (contents, NULL), size);
  for (gsize i = 4096; i < size; i++)
    damaged[i] = (guint8)(i * 7919 >> 3);
  write_file (fixture->path, (const char *)damaged, size);

  store = mr_metadata_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_CORRUPT);
}

static void
test_foreign_and_newer_files (StoreFixture  *fixture,
                              gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *foreign = g_build_filename (fixture->dir, "foreign.db",
                                               NULL);
  sqlite3 *db = NULL;

  /* Another program's SQLite database. */
  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (body TEXT)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = mr_metadata_store_open (foreign, &error);
  g_assert_null (store);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_CORRUPT);
  g_assert_nonnull (strstr (error->message, "another program"));
  g_clear_error (&error);

  /* A store from a future Millrace. */
  store = open_store (fixture->path);
  g_clear_pointer (&store, mr_metadata_store_close);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = mr_metadata_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "99"));
}

static void
test_empty_file_and_missing_directory (StoreFixture  *fixture,
                                       gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "no", "such",
                                               "metadata.db", NULL);

  /* An empty file (say, created by hand) becomes a new store. */
  write_file (fixture->path, "", 0);
  store = open_store (fixture->path);
  assert_is_kafka_uuid (mr_metadata_store_get_cluster_id (store));
  g_clear_pointer (&store, mr_metadata_store_close);

  store = mr_metadata_store_open (missing, &error);
  g_assert_null (store);
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, missing));
}

/* Threads. */

typedef struct
{
  MrMetadataStore *store;
  guint            n_updates;
} ThreadData;

static gpointer
reader_thread (gpointer user_data)
{
  ThreadData *td = user_data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(MrTopicMetadata) topic = NULL;
      g_autoptr(GError) error = NULL;

      topic = mr_metadata_store_get_topic (td->store, "shared", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (topic->partitions->len, ==, 3);
    }
  return NULL;
}

static gpointer
writer_thread (gpointer user_data)
{
  ThreadData *td = user_data;
  g_autoptr(GArray) isr = ids (3, 0, 1, 2);

  for (guint i = 0; i < td->n_updates; i++)
    {
      g_autoptr(MrTopicMetadata) topic = NULL;
      const MrPartitionMetadata *p0;
      gboolean done = FALSE;

      /* Read, then compare-and-set; on a stale epoch read again. */
      while (!done)
        {
          g_autoptr(GError) error = NULL;

          g_clear_pointer (&topic, mr_topic_metadata_free);
          topic = mr_metadata_store_get_topic (td->store, "shared", NULL);
          p0 = topic->partitions->pdata[0];
          done = mr_metadata_store_update_partition (td->store, "shared", 0,
                                                     p0->partition_epoch,
                                                     p0->leader,
                                                     p0->leader_epoch + 1,
                                                     isr, NULL, &error);
          if (!done)
            g_assert_error (error, MR_CLUSTER_ERROR,
                            MR_CLUSTER_ERROR_STALE_EPOCH);
        }
    }
  return NULL;
}

static void
test_threads (StoreFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(MrMetadataStore) store = open_store (fixture->path);
  g_autoptr(GPtrArray) partitions = make_partitions (3, 3);
  g_autoptr(MrTopicMetadata) topic = NULL;
  ThreadData td = { NULL, 25 };
  GThread *threads[4];

  topic = mr_metadata_store_create_topic (store, "shared", NULL, partitions,
                                          NULL);
  g_clear_pointer (&topic, mr_topic_metadata_free);
  td.store = store;

  threads[0] = g_thread_new ("writer-1", writer_thread, &td);
  threads[1] = g_thread_new ("writer-2", writer_thread, &td);
  threads[2] = g_thread_new ("reader-1", reader_thread, &td);
  threads[3] = g_thread_new ("reader-2", reader_thread, &td);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  /* Every update landed exactly once. */
  topic = mr_metadata_store_get_topic (store, "shared", NULL);
  g_assert_cmpint (((MrPartitionMetadata *)topic->partitions->pdata[0])
                     ->partition_epoch, ==, 2 * td.n_updates);
  g_assert_cmpint (((MrPartitionMetadata *)topic->partitions->pdata[0])
                     ->leader_epoch, ==, 2 * td.n_updates);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/metadata-store/" path, StoreFixture, NULL, \
              store_fixture_setup, func, store_fixture_teardown)

  ADD ("round-trip-and-reopen", test_round_trip_and_reopen);
  ADD ("cluster-ids-differ", test_cluster_ids_differ);
  ADD ("topic-exists-and-collision", test_topic_exists_and_collision);
  ADD ("bad-input-changes-nothing", test_bad_input_changes_nothing);
  ADD ("delete-topic", test_delete_topic);
  ADD ("add-partitions", test_add_partitions);
  ADD ("update-partition-cas", test_update_partition_cas);
  ADD ("topic-configs", test_topic_configs);
  ADD ("settings-and-brokers", test_settings_and_brokers);
  ADD ("interrupted-changes", test_interrupted_changes);
  ADD ("killed-writer", test_killed_writer);
  ADD ("garbage-file", test_garbage_file);
  ADD ("damaged-file", test_damaged_file);
  ADD ("foreign-and-newer-files", test_foreign_and_newer_files);
  ADD ("empty-file-and-missing-directory",
       test_empty_file_and_missing_directory);
  ADD ("threads", test_threads);

#undef ADD

  return g_test_run ();
}

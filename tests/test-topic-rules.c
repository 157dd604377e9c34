/* test-topic-rules.c: topic names, topic configs, partition counts and
 * replica assignment, as Kafka judges them.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

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

/* Names. */

typedef struct
{
  const char *name;
  gboolean    valid;
  const char *in_message;  /* a part of the error message, or NULL */
} NameCase;

static void
test_name_validation (void)
{
  g_autofree char *len_249 = g_strnfill (249, 'a');
  g_autofree char *len_250 = g_strnfill (250, 'a');
  g_autofree char *dots_249 = g_strnfill (249, '.');
  const NameCase cases[] = {
    { "orders", TRUE, NULL },
    { "a", TRUE, NULL },
    { "Orders.v2_eu-west", TRUE, NULL },
    { "__consumer_offsets", TRUE, NULL },
    { "...", TRUE, NULL },
    { "-", TRUE, NULL },
    { "0123456789", TRUE, NULL },
    { len_249, TRUE, NULL },
    { dots_249, TRUE, NULL },
    { len_250, FALSE, "250" },
    { "", FALSE, "empty" },
    { ".", FALSE, "reserved" },
    { "..", FALSE, "reserved" },
    { "a/b", FALSE, "“/”" },
    { "a b", FALSE, "a space" },
    { "a\tb", FALSE, "U+0009" },
    { "a:b", FALSE, "“:”" },
    { "a*b", FALSE, "“*”" },
    { "a,b", FALSE, "“,”" },
    { "topic\n", FALSE, "U+000A" },
    { "tópico", FALSE, "U+00F3" },
    { "日本", FALSE, "U+65E5" },
    { "fish\xf0\x9f\x90\x9f", FALSE, "U+1F41F" },
    { "bad\xff" "utf8", FALSE, "0xFF" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean valid = mr_topic_name_validate (cases[i].name, &error);

      if (cases[i].valid)
        {
          g_assert_no_error (error);
          g_assert_true (valid);
          continue;
        }

      g_assert_false (valid);
      g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_nonnull (strstr (error->message, cases[i].in_message));
      g_assert_cmpint (mr_cluster_error_kafka_code_for (error), ==,
                       MR_KAFKA_ERROR_INVALID_TOPIC_EXCEPTION);
    }

  /* A NULL name is a missing name, not a crash. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (mr_topic_name_validate (NULL, &error));
    g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC);
  }

  /* Long names are shortened in messages. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *long_bad = g_strdup_printf ("%s/", len_250);

    g_assert_false (mr_topic_name_validate (long_bad, &error));
    g_assert_cmpuint (strlen (error->message), <, 250);
  }
}

static void
test_name_collisions (void)
{
  const struct
  {
    const char *a;
    const char *b;
    gboolean    collide;
  } cases[] = {
    { "a.b", "a_b", TRUE },
    { "a_b", "a.b", TRUE },
    { "a.b", "a.b", TRUE },
    { "a..b", "a__b", TRUE },
    { "a._b", "a_.b", TRUE },
    { "metrics.eu", "metrics_eu", TRUE },
    { "a.b", "a-b", FALSE },
    { "ab", "a_b", FALSE },
    { "a", "a_", FALSE },
    { "a_", "a", FALSE },
    { "A.b", "a_b", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key_a = mr_topic_name_dup_collision_key (cases[i].a);
      g_autofree char *key_b = mr_topic_name_dup_collision_key (cases[i].b);

      g_assert_cmpint (mr_topic_names_collide (cases[i].a, cases[i].b), ==,
                       cases[i].collide);
      g_assert_cmpint (g_str_equal (key_a, key_b), ==, cases[i].collide);
      g_assert_null (strchr (key_a, '.'));
    }
}

/* Counts. */

static void
test_counts (void)
{
  const struct
  {
    int  n_partitions;
    gboolean valid;
  } partitions[] = {
    { -1, FALSE }, { 0, FALSE }, { 1, TRUE }, { 3, TRUE },
    { MR_TOPIC_MAX_PARTITIONS, TRUE }, { MR_TOPIC_MAX_PARTITIONS + 1, FALSE },
  };
  const struct
  {
    int   factor;
    guint n_brokers;
    gboolean valid;
  } factors[] = {
    { 0, 3, FALSE }, { -1, 3, FALSE }, { 1, 3, TRUE }, { 3, 3, TRUE },
    { 4, 3, FALSE }, { 1, 0, FALSE }, { 1, 1, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (partitions); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (mr_topic_validate_partition_count (
                         partitions[i].n_partitions, &error),
                       ==, partitions[i].valid);
      if (partitions[i].valid)
        g_assert_no_error (error);
      else
        g_assert_error (error, MR_CLUSTER_ERROR,
                        MR_CLUSTER_ERROR_INVALID_PARTITIONS);
    }

  for (guint i = 0; i < G_N_ELEMENTS (factors); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (mr_topic_validate_replication_factor (
                         factors[i].factor, factors[i].n_brokers, &error),
                       ==, factors[i].valid);
      if (factors[i].valid)
        g_assert_no_error (error);
      else
        g_assert_error (error, MR_CLUSTER_ERROR,
                        MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR);
    }

  /* The message says what to do. */
  {
    g_autoptr(GError) error = NULL;

    mr_topic_validate_replication_factor (4, 3, &error);
    g_assert_nonnull (strstr (error->message, "4"));
    g_assert_nonnull (strstr (error->message, "3"));
  }
}

/* Configs. */

static void
test_config_defaults (void)
{
  const char * const *names = mr_topic_config_list_names ();
  const char * const *log_names = mr_log_config_list_names ();
  MrTopicConfig config;
  MrLogConfig log_defaults;

  mr_topic_config_init_defaults (&config);
  mr_log_config_init_defaults (&log_defaults);
  g_assert_cmpint (config.min_insync_replicas, ==, 1);
  g_assert_false (config.unclean_leader_election_enable);
  g_assert_cmpmem (&config.log, sizeof config.log,
                   &log_defaults, sizeof log_defaults);

  /* Every log config plus the two of replication, sorted. */
  g_assert_cmpuint (g_strv_length ((char **)names), ==,
                    g_strv_length ((char **)log_names) + 2);
  g_assert_true (g_strv_contains (names, "min.insync.replicas"));
  g_assert_true (g_strv_contains (names, "unclean.leader.election.enable"));
  for (guint i = 0; log_names[i] != NULL; i++)
    g_assert_true (g_strv_contains (names, log_names[i]));

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *value = mr_topic_config_dup_value (&config, names[i]);
      g_autofree char *default_value = mr_topic_config_dup_default (names[i]);

      if (i > 0)
        g_assert_cmpint (strcmp (names[i - 1], names[i]), <, 0);
      g_assert_true (mr_topic_config_is_known (names[i]));
      g_assert_nonnull (value);
      g_assert_cmpstr (value, ==, default_value);
    }

  {
    g_autofree char *isr = mr_topic_config_dup_value (&config,
                                                      "min.insync.replicas");
    g_autofree char *unclean =
      mr_topic_config_dup_value (&config, "unclean.leader.election.enable");

    g_assert_cmpstr (isr, ==, "1");
    g_assert_cmpstr (unclean, ==, "false");
  }

  g_assert_false (mr_topic_config_is_known ("no.such.config"));
  g_assert_null (mr_topic_config_dup_value (&config, "no.such.config"));
  g_assert_null (mr_topic_config_dup_default ("no.such.config"));
}

static void
test_config_set (void)
{
  const struct
  {
    const char *name;
    const char *value;
    const char *read_back;
  } good[] = {
    { "min.insync.replicas", "2", "2" },
    { "unclean.leader.election.enable", "TRUE", "true" },
    { "unclean.leader.election.enable", "false", "false" },
    { "retention.ms", "-1", "-1" },
    { "cleanup.policy", "compact", "compact" },
    { "segment.bytes", "1048576", "1048576" },
  };
  const struct
  {
    const char *name;
    const char *value;
  } bad[] = {
    { "min.insync.replicas", "0" },
    { "min.insync.replicas", "-3" },
    { "min.insync.replicas", "two" },
    { "min.insync.replicas", "" },
    { "min.insync.replicas", "2147483648" },
    { "min.insync.replicas", NULL },
    { "unclean.leader.election.enable", "yes" },
    { "unclean.leader.election.enable", "1" },
    { "unclean.leader.election.enable", "" },
    { "retention.ms", "soon" },
    { "segment.bytes", "0" },
    { "cleanup.policy", "shred" },
    { "no.such.config", "1" },
    { "", "1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *value = NULL;
      MrTopicConfig config;

      mr_topic_config_init_defaults (&config);
      g_assert_true (mr_topic_config_set (&config, good[i].name,
                                          good[i].value, &error));
      g_assert_no_error (error);
      value = mr_topic_config_dup_value (&config, good[i].name);
      g_assert_cmpstr (value, ==, good[i].read_back);
    }

  /* A refused value leaves every byte of the config as it was. */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      MrTopicConfig config;
      MrTopicConfig before;

      mr_topic_config_init_defaults (&config);
      mr_topic_config_set (&config, "min.insync.replicas", "2", NULL);
      mr_topic_config_set (&config, "retention.ms", "1000", NULL);
      before = config;

      g_assert_false (mr_topic_config_set (&config, bad[i].name,
                                           bad[i].value, &error));
      g_assert_error (error, MR_CLUSTER_ERROR,
                      MR_CLUSTER_ERROR_INVALID_CONFIG);
      g_assert_cmpmem (&config, sizeof config, &before, sizeof before);
      g_assert_cmpint (mr_cluster_error_kafka_code_for (error), ==,
                       MR_KAFKA_ERROR_INVALID_CONFIG);
      if (bad[i].name[0] != '\0')
        g_assert_nonnull (strstr (error->message, bad[i].name));
    }
}

static void
test_config_apply_is_atomic (void)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GError) error = NULL;
  MrTopicConfig config;
  MrTopicConfig before;

  values = new_table ("retention.ms", "5000",
                      "min.insync.replicas", "2",
                      "cleanup.policy", "sometimes",
                      NULL);

  mr_topic_config_init_defaults (&config);
  before = config;
  g_assert_false (mr_topic_config_apply (&config, values, &error));
  g_assert_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "cleanup.policy"));
  g_assert_cmpmem (&config, sizeof config, &before, sizeof before);
  g_clear_error (&error);

  /* With the bad one fixed, all of them land. */
  g_hash_table_insert (values, g_strdup ("cleanup.policy"),
                       g_strdup ("compact,delete"));
  g_assert_true (mr_topic_config_apply (&config, values, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config.log.retention_ms, ==, 5000);
  g_assert_cmpint (config.min_insync_replicas, ==, 2);
  g_assert_cmpint (config.log.cleanup_policy, ==,
                   MR_CLEANUP_POLICY_COMPACT | MR_CLEANUP_POLICY_DELETE);

  /* Nothing to apply is fine. */
  before = config;
  g_assert_true (mr_topic_config_apply (&config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&config, sizeof config, &before, sizeof before);
}

static const MrTopicConfigEntry *
find_entry (GPtrArray  *entries,
            const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const MrTopicConfigEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->name, name))
        return entry;
    }
  return NULL;
}

static void
test_config_describe (void)
{
  g_autoptr(GHashTable) overrides = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) by_value = NULL;
  const char * const *names = mr_topic_config_list_names ();
  const MrTopicConfigEntry *entry;
  MrTopicConfig config;

  /* Set on the topic: one with a new value, one set to its default value
   * (still the topic's own setting, as in Kafka). */
  overrides = new_table ("min.insync.replicas", "2",
                         "retention.ms", "604800000",
                         NULL);

  mr_topic_config_init_defaults (&config);
  g_assert_true (mr_topic_config_apply (&config, overrides, NULL));

  entries = mr_topic_config_describe (&config, overrides);
  g_assert_cmpuint (entries->len, ==, g_strv_length ((char **)names));

  for (guint i = 0; i < entries->len; i++)
    {
      entry = g_ptr_array_index (entries, i);

      g_assert_cmpstr (entry->name, ==, names[i]);
      g_assert_false (entry->read_only);
      g_assert_false (entry->sensitive);
      g_assert_nonnull (entry->documentation);
      g_assert_cmpint (entry->type, !=, MR_CONFIG_TYPE_UNKNOWN);
      g_assert_cmpint (entry->is_default, ==,
                       entry->source == MR_CONFIG_SOURCE_DEFAULT_CONFIG);
      g_assert_cmpint (entry->is_default, ==,
                       !g_hash_table_contains (overrides, entry->name));
    }

  entry = find_entry (entries, "min.insync.replicas");
  g_assert_cmpstr (entry->value, ==, "2");
  g_assert_cmpint (entry->source, ==, MR_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  g_assert_cmpint (entry->type, ==, MR_CONFIG_TYPE_INT);
  entry = find_entry (entries, "retention.ms");
  g_assert_false (entry->is_default);
  g_assert_cmpint (entry->type, ==, MR_CONFIG_TYPE_LONG);
  entry = find_entry (entries, "unclean.leader.election.enable");
  g_assert_true (entry->is_default);
  g_assert_cmpstr (entry->value, ==, "false");
  g_assert_cmpint (entry->type, ==, MR_CONFIG_TYPE_BOOLEAN);
  entry = find_entry (entries, "cleanup.policy");
  g_assert_cmpint (entry->type, ==, MR_CONFIG_TYPE_LIST);

  /* Without overrides, a value different from the default counts as set. */
  by_value = mr_topic_config_describe (&config, NULL);
  g_assert_false (find_entry (by_value, "min.insync.replicas")->is_default);
  g_assert_true (find_entry (by_value, "retention.ms")->is_default);
}

static void
test_replication_warning (void)
{
  const struct
  {
    const char *min_insync;
    int         factor;
    const char *in_warning;  /* NULL: no warning */
  } cases[] = {
    { "1", 1, NULL },
    { "1", 3, NULL },
    { "2", 3, NULL },
    { "3", 2, "NOT_ENOUGH_REPLICAS" },
    { "2", 1, "NOT_ENOUGH_REPLICAS" },
    { "3", 3, "equals the replication factor" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *warning = NULL;
      MrTopicConfig config;

      mr_topic_config_init_defaults (&config);
      g_assert_true (mr_topic_config_set (&config, "min.insync.replicas",
                                          cases[i].min_insync, NULL));
      warning = mr_topic_config_dup_replication_warning (&config,
                                                         cases[i].factor);
      if (cases[i].in_warning == NULL)
        g_assert_null (warning);
      else
        g_assert_nonnull (strstr (warning, cases[i].in_warning));
    }
}

/* Replica assignment. */

/* Broker ids that are not their own indexes, to catch mix-ups. */
static gint32 *
make_broker_ids (guint n)
{
  gint32 *ids = g_new (gint32, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    ids[i] = (gint32)(100 + 3 * i);
  return ids;
}

static guint
broker_index (const gint32 *ids,
              guint         n,
              gint32        id)
{
  for (guint i = 0; i < n; i++)
    if (ids[i] == id)
      return i;
  g_assert_not_reached ();
}

/* Checks that @assignment puts @factor distinct known brokers on each
 * partition and that leaders and replicas are within one of even. */
static void
assert_even (GPtrArray    *assignment,
             const gint32 *ids,
             guint         n,
             guint         factor)
{
  g_autofree guint *leads = g_new0 (guint, n);
  g_autofree guint *holds = g_new0 (guint, n);
  guint min_leads = G_MAXUINT, max_leads = 0;
  guint min_holds = G_MAXUINT, max_holds = 0;

  for (guint p = 0; p < assignment->len; p++)
    {
      GArray *replicas = g_ptr_array_index (assignment, p);

      g_assert_cmpuint (replicas->len, ==, factor);
      for (guint j = 0; j < replicas->len; j++)
        {
          guint b = broker_index (ids, n, g_array_index (replicas, gint32, j));

          for (guint k = 0; k < j; k++)
            g_assert_cmpint (g_array_index (replicas, gint32, k), !=,
                             g_array_index (replicas, gint32, j));
          holds[b]++;
          if (j == 0)
            leads[b]++;
        }
    }

  for (guint b = 0; b < n; b++)
    {
      min_leads = MIN (min_leads, leads[b]);
      max_leads = MAX (max_leads, leads[b]);
      min_holds = MIN (min_holds, holds[b]);
      max_holds = MAX (max_holds, holds[b]);
    }

  g_assert_cmpuint (max_leads - min_leads, <=, 1);
  g_assert_cmpuint (max_holds - min_holds, <=, 1);
}

static void
test_assignment_is_even (void)
{
  for (guint n = 1; n <= 16; n++)
    {
      g_autofree gint32 *ids = make_broker_ids (n);

      for (guint factor = 1; factor <= MIN (3, n); factor++)
        for (int n_partitions = 1; n_partitions <= 50; n_partitions++)
          for (guint start = 0; start < n; start++)
            {
              g_autoptr(GPtrArray) assignment = NULL;
              g_autoptr(GError) error = NULL;

              assignment = mr_topic_assign_replicas (ids, n, n_partitions,
                                                     factor, start, &error);
              g_assert_no_error (error);
              g_assert_cmpuint (assignment->len, ==, n_partitions);
              assert_even (assignment, ids, n, factor);

              /* Leaders go round-robin from the start index, as in
               * Kafka. */
              for (guint p = 0; p < assignment->len; p++)
                g_assert_cmpint (g_array_index ((GArray *)assignment->pdata[p],
                                                gint32, 0),
                                 ==, ids[(p + start) % n]);
            }
    }

  /* Higher factors too, up to every broker. */
  for (guint n = 4; n <= 9; n++)
    {
      g_autofree gint32 *ids = make_broker_ids (n);

      for (guint factor = 4; factor <= n; factor++)
        for (int n_partitions = 1; n_partitions <= 3 * (int)n; n_partitions++)
          {
            g_autoptr(GPtrArray) assignment = NULL;

            assignment = mr_topic_assign_replicas (ids, n, n_partitions,
                                                   factor, 1, NULL);
            assert_even (assignment, ids, n, factor);
          }
    }
}

static void
assert_assignment (GPtrArray    *assignment,
                   const gint32 *expected,
                   guint         factor)
{
  for (guint p = 0; p < assignment->len; p++)
    {
      GArray *replicas = g_ptr_array_index (assignment, p);

      g_assert_cmpmem (replicas->data, replicas->len * sizeof (gint32),
                       expected + p * factor, factor * sizeof (gint32));
    }
}

static void
test_assignment_follows_kafka (void)
{
  const gint32 ids[] = { 0, 1, 2, 3, 4 };
  g_autoptr(GPtrArray) three = NULL;
  g_autoptr(GPtrArray) five = NULL;
  g_autoptr(GPtrArray) short_round = NULL;
  g_autoptr(GPtrArray) random_start = NULL;
  /* Kafka's AdminUtils for 3 brokers, factor 3, 6 partitions, start 0:
   * the shift grows by one at partition 3. */
  const gint32 expected_three[] = {
    0, 1, 2,  1, 2, 0,  2, 0, 1,
    0, 2, 1,  1, 0, 2,  2, 1, 0,
  };
  /* 5 brokers, factor 2, 10 partitions, start 0. */
  const gint32 expected_five[] = {
    0, 1,  1, 2,  2, 3,  3, 4,  4, 0,
    0, 2,  1, 3,  2, 4,  3, 0,  4, 1,
  };
  guint holds[5] = { 0 };

  three = mr_topic_assign_replicas (ids, 3, 6, 3, 0, NULL);
  assert_assignment (three, expected_three, 3);
  five = mr_topic_assign_replicas (ids, 5, 10, 2, 0, NULL);
  assert_assignment (five, expected_five, 2);

  /* Where Kafka would give [0,1,2] [1,2,3], leaving broker 4 empty and
   * broker 1 with two replicas, the short round spreads out. */
  short_round = mr_topic_assign_replicas (ids, 5, 2, 3, 0, NULL);
  for (guint p = 0; p < short_round->len; p++)
    for (guint j = 0; j < 3; j++)
      holds[g_array_index ((GArray *)short_round->pdata[p], gint32, j)]++;
  for (guint b = 0; b < 5; b++)
    g_assert_cmpuint (holds[b], >=, 1);

  /* A random start still gives a valid, even assignment. */
  random_start = mr_topic_assign_replicas (ids, 5, 7, 3, -1, NULL);
  assert_even (random_start, ids, 5, 3);
}

static void
test_assignment_errors (void)
{
  const gint32 ids[] = { 1, 2, 3 };
  const struct
  {
    guint n_brokers;
    int   n_partitions;
    int   factor;
    int   code;
  } cases[] = {
    { 3, 3, 4, MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR },
    { 3, 3, 0, MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR },
    { 0, 3, 1, MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR },
    { 3, 0, 1, MR_CLUSTER_ERROR_INVALID_PARTITIONS },
    { 3, -5, 1, MR_CLUSTER_ERROR_INVALID_PARTITIONS },
    { 3, MR_TOPIC_MAX_PARTITIONS + 1, 1, MR_CLUSTER_ERROR_INVALID_PARTITIONS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) assignment = NULL;

      assignment = mr_topic_assign_replicas (ids, cases[i].n_brokers,
                                             cases[i].n_partitions,
                                             cases[i].factor, 0, &error);
      g_assert_null (assignment);
      g_assert_error (error, MR_CLUSTER_ERROR, cases[i].code);
    }

  /* The cap itself is allowed. */
  {
    g_autoptr(GPtrArray) assignment = NULL;

    assignment = mr_topic_assign_replicas (ids, 3, MR_TOPIC_MAX_PARTITIONS,
                                           3, 0, NULL);
    g_assert_cmpuint (assignment->len, ==, MR_TOPIC_MAX_PARTITIONS);
    assert_even (assignment, ids, 3, 3);
  }
}

static GPtrArray *
concat_assignments (GPtrArray *a,
                    GPtrArray *b)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (
      (GDestroyNotify)g_array_unref);

  for (guint i = 0; i < a->len; i++)
    g_ptr_array_add (all, g_array_ref (a->pdata[i]));
  for (guint i = 0; i < b->len; i++)
    g_ptr_array_add (all, g_array_ref (b->pdata[i]));
  return all;
}

static void
test_added_partitions (void)
{
  /* A topic in whole rounds continues Kafka's pattern exactly. */
  {
    g_autofree gint32 *ids = make_broker_ids (5);
    g_autoptr(GPtrArray) existing = NULL;
    g_autoptr(GPtrArray) added = NULL;
    g_autoptr(GPtrArray) fresh = NULL;

    existing = mr_topic_assign_replicas (ids, 5, 10, 3, 2, NULL);
    added = mr_topic_assign_added_replicas (ids, 5, existing, 12, NULL);
    fresh = mr_topic_assign_replicas (ids, 5, 22, 3, 2, NULL);
    g_assert_cmpuint (added->len, ==, 12);
    for (guint p = 0; p < added->len; p++)
      {
        GArray *a = added->pdata[p];
        GArray *f = fresh->pdata[10 + p];

        g_assert_cmpmem (a->data, a->len * sizeof (gint32),
                         f->data, f->len * sizeof (gint32));
      }
  }

  /* From any count, the grown topic stays even. */
  for (guint n = 1; n <= 12; n++)
    {
      g_autofree gint32 *ids = make_broker_ids (n);

      for (guint factor = 1; factor <= MIN (3, n); factor++)
        for (int n_existing = 1; n_existing <= 30; n_existing++)
          for (int n_new = 1; n_new <= 20; n_new++)
            {
              g_autoptr(GPtrArray) existing = NULL;
              g_autoptr(GPtrArray) added = NULL;
              g_autoptr(GPtrArray) all = NULL;
              g_autoptr(GError) error = NULL;

              existing = mr_topic_assign_replicas (ids, n, n_existing,
                                                   factor, n_existing % n,
                                                   NULL);
              added = mr_topic_assign_added_replicas (ids, n, existing,
                                                      n_new, &error);
              g_assert_no_error (error);
              g_assert_cmpuint (added->len, ==, n_new);
              all = concat_assignments (existing, added);
              assert_even (all, ids, n, factor);
            }
    }

  /* A broker joined: new partitions go to it first until it catches up. */
  {
    const gint32 old_ids[] = { 0, 1, 2 };
    const gint32 new_ids[] = { 0, 1, 2, 3 };
    g_autoptr(GPtrArray) existing = NULL;
    g_autoptr(GPtrArray) added = NULL;
    g_autoptr(GPtrArray) all = NULL;

    existing = mr_topic_assign_replicas (old_ids, 3, 6, 2, 0, NULL);
    added = mr_topic_assign_added_replicas (new_ids, 4, existing, 6, NULL);
    all = concat_assignments (existing, added);
    assert_even (all, new_ids, 4, 2);
  }
}

static void
test_added_partitions_errors (void)
{
  const gint32 ids[] = { 0, 1, 2 };
  const gint32 two[] = { 0, 1 };
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GPtrArray) big = NULL;
  g_autoptr(GError) error = NULL;

  existing = mr_topic_assign_replicas (ids, 3, 4, 3, 0, NULL);

  g_assert_null (mr_topic_assign_added_replicas (ids, 3, existing, 0,
                                                 &error));
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_INVALID_PARTITIONS);
  g_clear_error (&error);

  g_assert_null (mr_topic_assign_added_replicas (ids, 3, existing,
                                                 MR_TOPIC_MAX_PARTITIONS,
                                                 &error));
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_INVALID_PARTITIONS);
  g_clear_error (&error);

  /* Brokers went away: factor 3 no longer fits on two. */
  g_assert_null (mr_topic_assign_added_replicas (two, 2, existing, 1,
                                                 &error));
  g_assert_error (error, MR_CLUSTER_ERROR,
                  MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR);
  g_clear_error (&error);

  big = mr_topic_assign_replicas (ids, 3, MR_TOPIC_MAX_PARTITIONS - 1, 1, 0,
                                  NULL);
  {
    g_autoptr(GPtrArray) one = NULL;

    one = mr_topic_assign_added_replicas (ids, 3, big, 1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (one->len, ==, 1);
  }
}

static GArray *
ids_array (const gint32 *ids,
           guint         n)
{
  GArray *array = g_array_new (FALSE, FALSE, sizeof (gint32));

  g_array_append_vals (array, ids, n);
  return array;
}

static void
test_validate_assignment (void)
{
  const gint32 brokers[] = { 1, 2, 3 };
  const gint32 ok_a[] = { 1, 2 };
  const gint32 ok_b[] = { 3, 1 };
  const gint32 twice[] = { 2, 2 };
  const gint32 unknown[] = { 1, 7 };
  const gint32 three[] = { 1, 2, 3 };
  const gint32 negative[] = { 1, -2 };
  const struct
  {
    const gint32 *second;
    guint         n_second;
    const char   *in_message;
  } cases[] = {
    { twice, 2, "twice" },
    { unknown, 2, "7" },
    { three, 3, "same replication factor" },
    { negative, 2, "-2" },
    { NULL, 0, "no replica" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) assignment = NULL;
      g_autoptr(GError) error = NULL;

      assignment = g_ptr_array_new_with_free_func (
          (GDestroyNotify)g_array_unref);
      g_ptr_array_add (assignment, ids_array (ok_a, 2));
      g_ptr_array_add (assignment, ids_array (cases[i].second,
                                              cases[i].n_second));

      g_assert_false (mr_topic_validate_replica_assignment (assignment,
                                                            brokers, 3,
                                                            &error));
      g_assert_error (error, MR_CLUSTER_ERROR,
                      MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT);
      g_assert_nonnull (strstr (error->message, cases[i].in_message));
    }

  {
    g_autoptr(GPtrArray) assignment = NULL;
    g_autoptr(GError) error = NULL;

    assignment = g_ptr_array_new_with_free_func (
        (GDestroyNotify)g_array_unref);
    g_assert_false (mr_topic_validate_replica_assignment (assignment,
                                                          brokers, 3,
                                                          &error));
    g_assert_error (error, MR_CLUSTER_ERROR,
                    MR_CLUSTER_ERROR_INVALID_PARTITIONS);
    g_clear_error (&error);

    g_ptr_array_add (assignment, ids_array (ok_a, 2));
    g_ptr_array_add (assignment, ids_array (ok_b, 2));
    g_assert_true (mr_topic_validate_replica_assignment (assignment,
                                                         brokers, 3,
                                                         &error));
    g_assert_no_error (error);
    /* Without a broker list, any broker id goes. */
    g_ptr_array_add (assignment, ids_array (unknown, 2));
    g_assert_true (mr_topic_validate_replica_assignment (assignment, NULL, 0,
                                                         &error));
    g_assert_no_error (error);
  }
}

static void
test_error_codes (void)
{
  const struct
  {
    MrClusterError code;
    MrKafkaError   kafka;
  } cases[] = {
    { MR_CLUSTER_ERROR_INVALID_TOPIC, MR_KAFKA_ERROR_INVALID_TOPIC_EXCEPTION },
    { MR_CLUSTER_ERROR_TOPIC_EXISTS, MR_KAFKA_ERROR_TOPIC_ALREADY_EXISTS },
    { MR_CLUSTER_ERROR_TOPIC_COLLISION,
      MR_KAFKA_ERROR_INVALID_TOPIC_EXCEPTION },
    { MR_CLUSTER_ERROR_UNKNOWN_TOPIC,
      MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION },
    { MR_CLUSTER_ERROR_UNKNOWN_PARTITION,
      MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION },
    { MR_CLUSTER_ERROR_INVALID_PARTITIONS, MR_KAFKA_ERROR_INVALID_PARTITIONS },
    { MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR,
      MR_KAFKA_ERROR_INVALID_REPLICATION_FACTOR },
    { MR_CLUSTER_ERROR_INVALID_CONFIG, MR_KAFKA_ERROR_INVALID_CONFIG },
    { MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
      MR_KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT },
    { MR_CLUSTER_ERROR_STALE_EPOCH, MR_KAFKA_ERROR_FENCED_LEADER_EPOCH },
    { MR_CLUSTER_ERROR_STORE, MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR },
    { MR_CLUSTER_ERROR_STORE_CORRUPT, MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR },
    { MR_CLUSTER_ERROR_STORE_TOO_NEW, MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR },
    { MR_CLUSTER_ERROR_UNKNOWN_BROKER, MR_KAFKA_ERROR_BROKER_NOT_AVAILABLE },
    { MR_CLUSTER_ERROR_INVALID_STATE, MR_KAFKA_ERROR_INVALID_REQUEST },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (MR_CLUSTER_ERROR,
                                                     cases[i].code, "x");

      g_assert_cmpint (mr_cluster_error_to_kafka (cases[i].code), ==,
                       cases[i].kafka);
      g_assert_cmpint (mr_cluster_error_kafka_code_for (error), ==,
                       cases[i].kafka);
      g_assert_cmpstr (mr_kafka_error_to_string (cases[i].kafka), !=,
                       "UNKNOWN");
    }

  {
    g_autoptr(GError) kafka = g_error_new_literal (
        MR_KAFKA_ERROR, MR_KAFKA_ERROR_NOT_CONTROLLER, "x");
    g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR,
                                                   G_IO_ERROR_FAILED, "x");

    g_assert_cmpint (mr_cluster_error_kafka_code_for (kafka), ==,
                     MR_KAFKA_ERROR_NOT_CONTROLLER);
    g_assert_cmpint (mr_cluster_error_kafka_code_for (other), ==,
                     MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/topic-rules/name/validation", test_name_validation);
  g_test_add_func ("/topic-rules/name/collisions", test_name_collisions);
  g_test_add_func ("/topic-rules/counts", test_counts);
  g_test_add_func ("/topic-rules/config/defaults", test_config_defaults);
  g_test_add_func ("/topic-rules/config/set", test_config_set);
  g_test_add_func ("/topic-rules/config/apply-is-atomic",
                   test_config_apply_is_atomic);
  g_test_add_func ("/topic-rules/config/describe", test_config_describe);
  g_test_add_func ("/topic-rules/config/replication-warning",
                   test_replication_warning);
  g_test_add_func ("/topic-rules/assignment/even", test_assignment_is_even);
  g_test_add_func ("/topic-rules/assignment/kafka",
                   test_assignment_follows_kafka);
  g_test_add_func ("/topic-rules/assignment/errors", test_assignment_errors);
  g_test_add_func ("/topic-rules/assignment/added", test_added_partitions);
  g_test_add_func ("/topic-rules/assignment/added-errors",
                   test_added_partitions_errors);
  g_test_add_func ("/topic-rules/assignment/validate",
                   test_validate_assignment);
  g_test_add_func ("/topic-rules/error-codes", test_error_codes);

  return g_test_run ();
}

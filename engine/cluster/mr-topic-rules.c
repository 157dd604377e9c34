/* mr-topic-rules.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-topic-rules.h"

#include <stdlib.h>
#include <string.h>

#include "mr-cluster-error.h"

/* The configs that this file adds to the log's, and what DescribeConfigs
 * says of every topic config. Kafka's types are reported as Kafka reports
 * them (segment.bytes is an INT there even though MrLogConfig keeps it in
 * 64 bits). Rows are sorted by name. */

#define MIN_INSYNC_REPLICAS "min.insync.replicas"
#define UNCLEAN_ELECTION    "unclean.leader.election.enable"

typedef struct
{
  const char   *name;
  MrConfigType  type;
  const char   *documentation;
} ConfigInfo;

static const ConfigInfo config_infos[] = {
  { "cleanup.policy", MR_CONFIG_TYPE_LIST,
    "How old records go: “delete” drops whole segments by age or size, "
    "“compact” keeps the latest record of each key; both may be set." },
  { "delete.retention.ms", MR_CONFIG_TYPE_LONG,
    "How long a tombstone stays in a compacted topic, so that consumers "
    "see the deletion." },
  { "flush.messages", MR_CONFIG_TYPE_LONG,
    "Forces an fsync after this many records; by default durability comes "
    "from replication and the operating system flushes when it likes." },
  { "flush.ms", MR_CONFIG_TYPE_LONG,
    "Forces an fsync when the oldest unflushed record is this many "
    "milliseconds old." },
  { "index.interval.bytes", MR_CONFIG_TYPE_INT,
    "How many bytes of records lie between two entries of the offset "
    "index." },
  { "max.message.bytes", MR_CONFIG_TYPE_INT,
    "The largest record batch the topic accepts, in bytes." },
  { "message.timestamp.type", MR_CONFIG_TYPE_STRING,
    "Whether record timestamps come from the producer (CreateTime) or are "
    "set by the broker when it appends (LogAppendTime)." },
  { "min.compaction.lag.ms", MR_CONFIG_TYPE_LONG,
    "How long a record stays safe from compaction after it is written." },
  { MIN_INSYNC_REPLICAS, MR_CONFIG_TYPE_INT,
    "How many in-sync replicas must hold a write before a producer using "
    "acks=all gets its acknowledgement." },
  { "retention.bytes", MR_CONFIG_TYPE_LONG,
    "The size a partition may reach before its oldest segments are "
    "deleted; -1 for no limit." },
  { "retention.ms", MR_CONFIG_TYPE_LONG,
    "How long records are kept before their segment is deleted; -1 keeps "
    "them for ever." },
  { "segment.bytes", MR_CONFIG_TYPE_INT,
    "The size at which a partition's active segment file is closed and a "
    "new one started." },
  { "segment.ms", MR_CONFIG_TYPE_LONG,
    "The age at which the active segment is rolled even if it is not "
    "full." },
  { UNCLEAN_ELECTION, MR_CONFIG_TYPE_BOOLEAN,
    "Whether a replica outside the in-sync set may become leader when no "
    "in-sync replica is left, at the price of losing acknowledged "
    "writes." },
};

/* Topic names. */

static inline gboolean
is_legal_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-';
}

/* The name as it can go into a message: valid UTF-8, control characters
 * escaped, long names shortened. */
static char *
dup_display_name (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name, -1);
  GString *out = g_string_new (NULL);
  guint n_chars = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n_chars++ == 60)
        {
          g_string_append (out, "…");
          break;
        }

      if (g_unichar_iscntrl (c))
        g_string_append_printf (out, "\\u%04X", c);
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/* Describes the first character of @p (inside @name) for a message. */
static char *
dup_character_description (const char *name,
                           const char *p)
{
  guchar byte = (guchar)*p;

  if (byte == ' ')
    return g_strdup ("a space");

  if (byte < 0x80)
    {
      if (g_ascii_iscntrl (byte))
        return g_strdup_printf ("the control character U+%04X", byte);
      return g_strdup_printf ("“%c”", byte);
    }

  if (g_utf8_validate (name, -1, NULL))
    {
      gunichar c = g_utf8_get_char (p);
      char utf8[8] = { 0 };

      if (g_unichar_iscntrl (c) || !g_unichar_isprint (c))
        return g_strdup_printf ("the character U+%04X", c);
      g_unichar_to_utf8 (c, utf8);
      return g_strdup_printf ("“%s” (U+%04X)", utf8, c);
    }

  return g_strdup_printf ("the byte 0x%02X, which is not valid UTF-8", byte);
}

gboolean
mr_topic_name_validate (const char  *name,
                        GError     **error)
{
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, MR_CLUSTER_ERROR,
                           MR_CLUSTER_ERROR_INVALID_TOPIC,
                           "A topic name cannot be empty");
      return FALSE;
    }

  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC,
                   "“%s” cannot be a topic name: “.” and “..” are reserved",
                   name);
      return FALSE;
    }

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!is_legal_name_char (*p))
        {
          g_autofree char *display = dup_display_name (name);
          g_autofree char *what = dup_character_description (name, p);

          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_TOPIC,
                       "Topic name “%s” contains %s: only ASCII letters, "
                       "digits, “.”, “_” and “-” are allowed",
                       display, what);
          return FALSE;
        }
    }

  /* Every byte is ASCII by now, so bytes are characters. */
  len = strlen (name);
  if (len > MR_TOPIC_NAME_MAX_LENGTH)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_TOPIC,
                   "Topic name is %" G_GSIZE_FORMAT " characters long: "
                   "Kafka allows at most %d",
                   len, MR_TOPIC_NAME_MAX_LENGTH);
      return FALSE;
    }

  return TRUE;
}

char *
mr_topic_name_dup_collision_key (const char *name)
{
  char *key;

  g_return_val_if_fail (name != NULL, NULL);

  key = g_strdup (name);
  for (char *p = key; *p != '\0'; p++)
    if (*p == '.')
      *p = '_';

  return key;
}

gboolean
mr_topic_names_collide (const char *a,
                        const char *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  for (; *a != '\0' && *b != '\0'; a++, b++)
    {
      char ca = *a == '.' ? '_' : *a;
      char cb = *b == '.' ? '_' : *b;

      if (ca != cb)
        return FALSE;
    }

  return *a == '\0' && *b == '\0';
}

/* Counts. */

gboolean
mr_topic_validate_partition_count (int      n_partitions,
                                   GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_partitions < 1)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                   "A topic needs at least one partition (asked for %d)",
                   n_partitions);
      return FALSE;
    }

  if (n_partitions > MR_TOPIC_MAX_PARTITIONS)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                   "A topic can have at most %d partitions in Millrace "
                   "(asked for %d)",
                   MR_TOPIC_MAX_PARTITIONS, n_partitions);
      return FALSE;
    }

  return TRUE;
}

gboolean
mr_topic_validate_replication_factor (int      replication_factor,
                                      guint    n_brokers,
                                      GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (replication_factor < 1)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR,
                   "The replication factor must be at least 1 (asked for %d)",
                   replication_factor);
      return FALSE;
    }

  if (n_brokers == 0)
    {
      g_set_error_literal (error, MR_CLUSTER_ERROR,
                           MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR,
                           "No broker is available to hold replicas: start "
                           "a broker first");
      return FALSE;
    }

  if ((guint)replication_factor > n_brokers)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR,
                   "Replication factor %d is larger than the number of "
                   "available brokers (%u): start more brokers or lower it",
                   replication_factor, n_brokers);
      return FALSE;
    }

  return TRUE;
}

/* Configs. */

static const ConfigInfo *
find_config_info (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (config_infos); i++)
    if (strcmp (config_infos[i].name, name) == 0)
      return &config_infos[i];
  return NULL;
}

void
mr_topic_config_init_defaults (MrTopicConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  mr_log_config_init_defaults (&config->log);
  config->min_insync_replicas = 1;
  config->unclean_leader_election_enable = FALSE;
}

gboolean
mr_topic_config_is_known (const char *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  return strcmp (name, MIN_INSYNC_REPLICAS) == 0
         || strcmp (name, UNCLEAN_ELECTION) == 0
         || mr_log_config_is_known (name);
}

gboolean
mr_topic_config_set (MrTopicConfig  *config,
                     const char     *name,
                     const char     *value,
                     GError        **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!mr_topic_config_is_known (name))
    {
      g_autofree char *display = dup_display_name (name);

      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_CONFIG,
                   "Unknown topic config “%s”", display);
      return FALSE;
    }

  if (value == NULL)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_CONFIG,
                   "Config “%s” needs a value", name);
      return FALSE;
    }

  if (strcmp (name, MIN_INSYNC_REPLICAS) == 0)
    {
      gint64 parsed = 0;

      if (!g_ascii_string_to_signed (value, 10, 1, G_MAXINT32, &parsed, NULL))
        {
          g_autofree char *display = dup_display_name (value);

          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_CONFIG,
                       "Invalid value “%s” for “%s”: expected a whole number "
                       "from 1 to %d", display, name, G_MAXINT32);
          return FALSE;
        }

      config->min_insync_replicas = (int)parsed;
      return TRUE;
    }

  if (strcmp (name, UNCLEAN_ELECTION) == 0)
    {
      if (g_ascii_strcasecmp (value, "true") == 0)
        config->unclean_leader_election_enable = TRUE;
      else if (g_ascii_strcasecmp (value, "false") == 0)
        config->unclean_leader_election_enable = FALSE;
      else
        {
          g_autofree char *display = dup_display_name (value);

          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_CONFIG,
                       "Invalid value “%s” for “%s”: expected “true” or "
                       "“false”", display, name);
          return FALSE;
        }
      return TRUE;
    }

  {
    g_autoptr(GError) local_error = NULL;

    if (!mr_log_config_set (&config->log, name, value, &local_error))
      {
        g_set_error_literal (error, MR_CLUSTER_ERROR,
                             MR_CLUSTER_ERROR_INVALID_CONFIG,
                             local_error->message);
        return FALSE;
      }
  }

  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

gboolean
mr_topic_config_apply (MrTopicConfig  *config,
                       GHashTable     *values,
                       GError        **error)
{
  g_autofree gpointer *names = NULL;
  MrTopicConfig copy;
  guint n_names = 0;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (values == NULL || g_hash_table_size (values) == 0)
    return TRUE;

  /* Sorted, so that the first error reported does not depend on the hash
   * table's order. */
  names = g_hash_table_get_keys_as_array (values, &n_names);
  qsort (names, n_names, sizeof (gpointer), compare_strings);

  copy = *config;
  for (guint i = 0; i < n_names; i++)
    {
      const char *name = names[i];

      if (!mr_topic_config_set (&copy, name,
                                g_hash_table_lookup (values, name), error))
        return FALSE;
    }

  *config = copy;
  return TRUE;
}

char *
mr_topic_config_dup_value (const MrTopicConfig *config,
                           const char          *name)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (strcmp (name, MIN_INSYNC_REPLICAS) == 0)
    return g_strdup_printf ("%d", config->min_insync_replicas);

  if (strcmp (name, UNCLEAN_ELECTION) == 0)
    return g_strdup (config->unclean_leader_election_enable ? "true"
                                                            : "false");

  return mr_log_config_dup_value (&config->log, name);
}

char *
mr_topic_config_dup_default (const char *name)
{
  MrTopicConfig defaults;

  g_return_val_if_fail (name != NULL, NULL);

  mr_topic_config_init_defaults (&defaults);
  return mr_topic_config_dup_value (&defaults, name);
}

const char * const *
mr_topic_config_list_names (void)
{
  static const char **names = NULL;

  if (g_once_init_enter (&names))
    {
      const char * const *log_names = mr_log_config_list_names ();
      guint n_log = g_strv_length ((char **)log_names);
      const char **list = g_new0 (const char *, n_log + 3);

      for (guint i = 0; i < n_log; i++)
        list[i] = log_names[i];
      list[n_log] = MIN_INSYNC_REPLICAS;
      list[n_log + 1] = UNCLEAN_ELECTION;
      qsort (list, n_log + 2, sizeof (const char *), compare_strings);

      g_once_init_leave (&names, list);
    }

  return names;
}

void
mr_topic_config_entry_free (MrTopicConfigEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->name);
  g_free (entry->value);
  g_free (entry);
}

GPtrArray *
mr_topic_config_describe (const MrTopicConfig *config,
                          GHashTable          *overrides)
{
  const char * const *names = mr_topic_config_list_names ();
  GPtrArray *entries;
  MrTopicConfig defaults;

  g_return_val_if_fail (config != NULL, NULL);

  mr_topic_config_init_defaults (&defaults);
  entries = g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_topic_config_entry_free);

  for (guint i = 0; names[i] != NULL; i++)
    {
      const ConfigInfo *info = find_config_info (names[i]);
      g_autofree char *default_value = NULL;
      MrTopicConfigEntry *entry;
      gboolean set_on_topic;

      entry = g_new0 (MrTopicConfigEntry, 1);
      entry->name = g_strdup (names[i]);
      entry->value = mr_topic_config_dup_value (config, names[i]);

      if (overrides != NULL)
        set_on_topic = g_hash_table_contains (overrides, names[i]);
      else
        {
          default_value = mr_topic_config_dup_value (&defaults, names[i]);
          set_on_topic = g_strcmp0 (default_value, entry->value) != 0;
        }

      entry->source = set_on_topic ? MR_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG
                                   : MR_CONFIG_SOURCE_DEFAULT_CONFIG;
      entry->is_default = !set_on_topic;
      entry->read_only = FALSE;
      entry->sensitive = FALSE;
      entry->type = info != NULL ? info->type : MR_CONFIG_TYPE_UNKNOWN;
      entry->documentation = info != NULL ? info->documentation : NULL;

      g_ptr_array_add (entries, entry);
    }

  return entries;
}

char *
mr_topic_config_dup_replication_warning (const MrTopicConfig *config,
                                         int                  replication_factor)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (replication_factor < 1)
    return NULL;

  if (config->min_insync_replicas > replication_factor)
    return g_strdup_printf ("min.insync.replicas is %d but the topic has "
                            "only %d %s: producers using acks=all will get "
                            "NOT_ENOUGH_REPLICAS on every write. Lower "
                            "min.insync.replicas to %d or raise the "
                            "replication factor.",
                            config->min_insync_replicas, replication_factor,
                            replication_factor == 1 ? "replica" : "replicas",
                            replication_factor);

  if (replication_factor > 1
      && config->min_insync_replicas == replication_factor)
    return g_strdup_printf ("min.insync.replicas equals the replication "
                            "factor (%d): whenever one replica falls behind "
                            "or its broker stops, producers using acks=all "
                            "are refused until it catches up. Setting it "
                            "to %d leaves room for one failure.",
                            replication_factor, replication_factor - 1);

  return NULL;
}

/* Replica assignment.
 *
 * Kafka (AdminUtils.assignReplicasToBrokersRackUnaware) places partition p
 * of a topic over n brokers, given a start index s:
 *
 *   first replica:        (p + s) mod n
 *   shift:                s, plus one for each whole round of n partitions
 *                         before p
 *   replica j + 1 (j ≥ 0): (first + 1 + (shift + j) mod (n - 1)) mod n
 *
 * Within a round of n partitions every replica column is a rotation of
 * the broker list, so a whole round gives each broker exactly one leader
 * and r replicas. The growing shift changes which brokers follow which
 * leader from one round to the next.
 *
 * A last round of k < n partitions is where Kafka's columns overlap: their
 * first k entries are k consecutive brokers starting at nearby offsets, so
 * a few brokers take most replicas. That round is laid out differently
 * here: replica j of the round's partition q goes to
 *
 *   (first + j·k + ⌊j / (n / g)⌋) mod n,   g = gcd (k, n),
 *
 * i.e. column j is the run of k brokers right after column j − 1's, so the
 * round's k·r replicas cover the ring evenly, and the ⌊j / (n / g)⌋ step
 * moves a column on by one where it would otherwise land back on column 0
 * (within one partition, j·k mod n repeats only after n / g columns, and
 * there are at most g blocks of n / g columns because r ≤ n, so the
 * positions stay distinct). Leaders are still Kafka's: column 0 is
 * (p + s) mod n.
 *
 * Adding partitions continues the same formulas when the topic sits
 * evenly on the same brokers in whole rounds. Otherwise (after brokers
 * joined, or after a partial round) a greedy pass takes over: the leader is
 * the broker leading fewest partitions (then holding fewest replicas, then
 * Kafka's round-robin choice) and each follower the broker holding fewest
 * replicas (then, among equals, the one that has led most, which leaves
 * the rest free to lead next, then Kafka's shifted position). Exhaustive
 * runs over 1 to 16 brokers and every factor keep every prefix within one
 * leader and one replica of even, from any even start. */

static gboolean
broker_ids_are_sorted (const gint32 *broker_ids,
                       guint         n_brokers)
{
  for (guint i = 1; i < n_brokers; i++)
    if (broker_ids[i - 1] >= broker_ids[i])
      return FALSE;
  return TRUE;
}

/* Index of @id in @broker_ids, or the index it would be inserted at
 * (-1 - position) when absent. */
static gint64
find_broker (const gint32 *broker_ids,
             guint         n_brokers,
             gint32        id)
{
  guint lo = 0;
  guint hi = n_brokers;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (broker_ids[mid] < id)
        lo = mid + 1;
      else if (broker_ids[mid] > id)
        hi = mid;
      else
        return mid;
    }

  return -1 - (gint64)lo;
}

static guint
gcd (guint a,
     guint b)
{
  while (b != 0)
    {
      guint t = a % b;

      a = b;
      b = t;
    }
  return a;
}

static inline guint
kafka_follower_index (guint first,
                      guint shift,
                      guint j,
                      guint n)
{
  g_assert (n > 1);
  return (first + 1 + (shift + j) % (n - 1)) % n;
}

static GArray *
replica_list_new (guint replication_factor)
{
  return g_array_sized_new (FALSE, FALSE, sizeof (gint32),
                            replication_factor);
}

static GPtrArray *
assignment_new (guint n_partitions)
{
  return g_ptr_array_new_full (n_partitions,
                               (GDestroyNotify)g_array_unref);
}

/* Partitions [@from, @to) of a fresh assignment of @n_partitions. */
static void
assign_fresh_range (const gint32 *broker_ids,
                    guint         n,
                    guint         n_partitions,
                    guint         replication_factor,
                    guint         start,
                    guint         from,
                    guint         to,
                    GPtrArray    *out)
{
  guint full = (n_partitions / n) * n;
  guint k = n_partitions - full;
  guint per_block = k > 0 ? n / gcd (k, n) : 1;

  for (guint p = from; p < to; p++)
    {
      GArray *replicas = replica_list_new (replication_factor);
      guint first = (p + start) % n;

      g_array_append_val (replicas, broker_ids[first]);

      for (guint j = 1; j < replication_factor; j++)
        {
          guint index;

          if (p < full)
            index = kafka_follower_index (first, start + p / n, j - 1, n);
          else
            index = (first + j * k + j / per_block) % n;

          g_array_append_val (replicas, broker_ids[index]);
        }

      g_ptr_array_add (out, replicas);
    }
}

static gboolean
array_contains (GArray *replicas,
                gint32  id)
{
  for (guint i = 0; i < replicas->len; i++)
    if (g_array_index (replicas, gint32, i) == id)
      return TRUE;
  return FALSE;
}

GPtrArray *
mr_topic_assign_replicas (const gint32  *broker_ids,
                          guint          n_brokers,
                          int            n_partitions,
                          int            replication_factor,
                          int            start_index,
                          GError       **error)
{
  GPtrArray *out;
  guint start;

  g_return_val_if_fail (broker_ids != NULL || n_brokers == 0, NULL);
  g_return_val_if_fail (broker_ids_are_sorted (broker_ids, n_brokers), NULL);
  g_return_val_if_fail (start_index >= -1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!mr_topic_validate_partition_count (n_partitions, error)
      || !mr_topic_validate_replication_factor (replication_factor,
                                                n_brokers, error))
    return NULL;

  if (start_index < 0)
    start = (guint)g_random_int_range (0, (gint32)n_brokers);
  else
    start = (guint)start_index % n_brokers;

  out = assignment_new (n_partitions);
  assign_fresh_range (broker_ids, n_brokers, n_partitions,
                      replication_factor, start, 0, n_partitions, out);
  return out;
}

/* Whether @existing puts exactly the same number of leaders and of
 * replicas on each of @broker_ids, and nothing elsewhere. */
static gboolean
existing_is_even (const gint32 *broker_ids,
                  guint         n_brokers,
                  GPtrArray    *existing,
                  const guint  *leads,
                  const guint  *holds)
{
  for (guint i = 0; i < existing->len; i++)
    {
      GArray *replicas = g_ptr_array_index (existing, i);

      for (guint j = 0; j < replicas->len; j++)
        if (find_broker (broker_ids, n_brokers,
                         g_array_index (replicas, gint32, j)) < 0)
          return FALSE;
    }

  for (guint b = 1; b < n_brokers; b++)
    if (leads[b] != leads[0] || holds[b] != holds[0])
      return FALSE;

  return TRUE;
}

GPtrArray *
mr_topic_assign_added_replicas (const gint32  *broker_ids,
                                guint          n_brokers,
                                GPtrArray     *existing,
                                int            n_new,
                                GError       **error)
{
  g_autofree guint *leads = NULL;
  g_autofree guint *holds = NULL;
  GPtrArray *out;
  guint replication_factor;
  guint n_existing;
  guint start = 0;
  gint64 found;

  g_return_val_if_fail (broker_ids != NULL || n_brokers == 0, NULL);
  g_return_val_if_fail (broker_ids_are_sorted (broker_ids, n_brokers), NULL);
  g_return_val_if_fail (existing != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!mr_topic_validate_replica_assignment (existing, NULL, 0, error))
    return NULL;

  n_existing = existing->len;
  replication_factor = ((GArray *)g_ptr_array_index (existing, 0))->len;

  if (n_new < 1)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                   "Partitions can only be added: asked to add %d to a "
                   "topic with %u", n_new, n_existing);
      return NULL;
    }

  if ((gint64)n_existing + n_new > MR_TOPIC_MAX_PARTITIONS)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                   "A topic can have at most %d partitions in Millrace: it "
                   "has %u, and adding %d would make %" G_GINT64_FORMAT,
                   MR_TOPIC_MAX_PARTITIONS, n_existing, n_new,
                   (gint64)n_existing + n_new);
      return NULL;
    }

  if (!mr_topic_validate_replication_factor (replication_factor, n_brokers,
                                             error))
    return NULL;

  /* Kafka starts again from partition 0's leader. */
  found = find_broker (broker_ids, n_brokers,
                       g_array_index ((GArray *)g_ptr_array_index (existing, 0),
                                      gint32, 0));
  start = (guint)((found >= 0 ? found : -1 - found) % n_brokers);

  leads = g_new0 (guint, n_brokers);
  holds = g_new0 (guint, n_brokers);
  for (guint i = 0; i < n_existing; i++)
    {
      GArray *replicas = g_ptr_array_index (existing, i);

      for (guint j = 0; j < replicas->len; j++)
        {
          gint64 b = find_broker (broker_ids, n_brokers,
                                  g_array_index (replicas, gint32, j));

          if (b < 0)
            continue;
          holds[b]++;
          if (j == 0)
            leads[b]++;
        }
    }

  out = assignment_new (n_new);

  if (n_existing % n_brokers == 0
      && existing_is_even (broker_ids, n_brokers, existing, leads, holds))
    {
      assign_fresh_range (broker_ids, n_brokers, n_existing + n_new,
                          replication_factor, start, n_existing,
                          n_existing + n_new, out);
      return out;
    }

  for (guint p = n_existing; p < n_existing + (guint)n_new; p++)
    {
      GArray *replicas = replica_list_new (replication_factor);
      guint kafka_first = (p + start) % n_brokers;
      guint shift = start + p / n_brokers;
      guint leader = 0;

      for (guint b = 1; b < n_brokers; b++)
        {
          guint db = (b + n_brokers - kafka_first) % n_brokers;
          guint dl = (leader + n_brokers - kafka_first) % n_brokers;

          if (leads[b] != leads[leader])
            {
              if (leads[b] < leads[leader])
                leader = b;
            }
          else if (holds[b] != holds[leader])
            {
              if (holds[b] < holds[leader])
                leader = b;
            }
          else if (db < dl)
            leader = b;
        }

      g_array_append_val (replicas, broker_ids[leader]);
      leads[leader]++;
      holds[leader]++;

      for (guint j = 0; j + 1 < replication_factor; j++)
        {
          guint preferred = kafka_follower_index (leader, shift, j, n_brokers);
          gint64 best = -1;

          for (guint b = 0; b < n_brokers; b++)
            {
              guint db = (b + n_brokers - preferred) % n_brokers;
              guint dbest;

              if (array_contains (replicas, broker_ids[b]))
                continue;

              if (best < 0)
                {
                  best = b;
                  continue;
                }

              dbest = (best + n_brokers - preferred) % n_brokers;
              if (holds[b] != holds[best])
                {
                  if (holds[b] < holds[best])
                    best = b;
                }
              else if (leads[b] != leads[best])
                {
                  if (leads[b] > leads[best])
                    best = b;
                }
              else if (db < dbest)
                best = b;
            }

          g_assert (best >= 0);
          g_array_append_val (replicas, broker_ids[best]);
          holds[best]++;
        }

      g_ptr_array_add (out, replicas);
    }

  return out;
}

gboolean
mr_topic_validate_replica_assignment (GPtrArray     *assignment,
                                      const gint32  *broker_ids,
                                      guint          n_brokers,
                                      GError       **error)
{
  guint replication_factor;

  g_return_val_if_fail (assignment != NULL, FALSE);
  g_return_val_if_fail (broker_ids == NULL
                        || broker_ids_are_sorted (broker_ids, n_brokers),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (assignment->len > G_MAXINT32
      || !mr_topic_validate_partition_count ((int)assignment->len, error))
    return FALSE;

  if (g_ptr_array_index (assignment, 0) == NULL)
    replication_factor = 0;
  else
    replication_factor = ((GArray *)g_ptr_array_index (assignment, 0))->len;

  for (guint i = 0; i < assignment->len; i++)
    {
      GArray *replicas = g_ptr_array_index (assignment, i);

      if (replicas == NULL || replicas->len == 0)
        {
          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                       "Partition %u has no replica", i);
          return FALSE;
        }

      if (replicas->len != replication_factor)
        {
          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                       "Partition %u has %u replicas but partition 0 has "
                       "%u: every partition needs the same replication "
                       "factor", i, replicas->len, replication_factor);
          return FALSE;
        }

      for (guint j = 0; j < replicas->len; j++)
        {
          gint32 id = g_array_index (replicas, gint32, j);

          if (id < 0)
            {
              g_set_error (error, MR_CLUSTER_ERROR,
                           MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                           "Partition %u names broker %d: broker ids are "
                           "never negative", i, id);
              return FALSE;
            }

          for (guint k = 0; k < j; k++)
            if (g_array_index (replicas, gint32, k) == id)
              {
                g_set_error (error, MR_CLUSTER_ERROR,
                             MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                             "Partition %u lists broker %d twice: each "
                             "replica needs a broker of its own", i, id);
                return FALSE;
              }

          if (broker_ids != NULL
              && find_broker (broker_ids, n_brokers, id) < 0)
            {
              g_set_error (error, MR_CLUSTER_ERROR,
                           MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                           "Partition %u names broker %d, which is not a "
                           "registered broker", i, id);
              return FALSE;
            }
        }
    }

  return TRUE;
}

/* mr-topic-rules.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <glib.h>

#include "log/mr-log-config.h"

G_BEGIN_DECLS

/* What makes a valid topic: its name, its configs, its partition count and
 * replication factor, and where its replicas go. Every function here is
 * pure (no I/O, no shared state) and may be called from any thread. Errors
 * are in the MR_CLUSTER_ERROR domain. */

/* Kafka's limits on a topic name. */
#define MR_TOPIC_NAME_MAX_LENGTH 249

/* Millrace's cap on partitions per topic. Kafka has none, but each
 * partition here costs open files and a thread's attention on a laptop. */
#define MR_TOPIC_MAX_PARTITIONS  10000

/* Names: exactly Kafka's rules. */
gboolean            mr_topic_name_validate                  (const char           *name,
                                                             GError              **error);
/* The name with every '.' turned into '_'. Kafka refuses a topic whose key
 * equals an existing topic's key ("a.b" against "a_b"): their metric names
 * would be the same. */
char               *mr_topic_name_dup_collision_key         (const char           *name) G_GNUC_WARN_UNUSED_RESULT;
/* Whether @a and @b have the same collision key (identical names included). */
gboolean            mr_topic_names_collide                  (const char           *a,
                                                             const char           *b);

/* 1 to MR_TOPIC_MAX_PARTITIONS. */
gboolean            mr_topic_validate_partition_count       (int                   n_partitions,
                                                             GError              **error);
/* 1 to @n_brokers. */
gboolean            mr_topic_validate_replication_factor    (int                   replication_factor,
                                                             guint                 n_brokers,
                                                             GError              **error);

/* Configs. */

/* The configs of a topic: the log's own plus the ones replication obeys.
 * Plain data: copy it freely. */
typedef struct
{
  MrLogConfig log;
  /* min.insync.replicas, >= 1 */
  int         min_insync_replicas;
  /* unclean.leader.election.enable */
  gboolean    unclean_leader_election_enable;
} MrTopicConfig;

/* Kafka's ConfigSource numbers, as DescribeConfigs sends them. Only the
 * two a topic can have are used here. */
typedef enum
{
  MR_CONFIG_SOURCE_UNKNOWN                       = 0,
  MR_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG          = 1,
  MR_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG         = 2,
  MR_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  MR_CONFIG_SOURCE_STATIC_BROKER_CONFIG          = 4,
  MR_CONFIG_SOURCE_DEFAULT_CONFIG                = 5,
} MrConfigSource;

/* Kafka's ConfigType numbers (DescribeConfigs v3 and later). */
typedef enum
{
  MR_CONFIG_TYPE_UNKNOWN  = 0,
  MR_CONFIG_TYPE_BOOLEAN  = 1,
  MR_CONFIG_TYPE_STRING   = 2,
  MR_CONFIG_TYPE_INT      = 3,
  MR_CONFIG_TYPE_SHORT    = 4,
  MR_CONFIG_TYPE_LONG     = 5,
  MR_CONFIG_TYPE_DOUBLE   = 6,
  MR_CONFIG_TYPE_LIST     = 7,
  MR_CONFIG_TYPE_CLASS    = 8,
  MR_CONFIG_TYPE_PASSWORD = 9,
} MrConfigType;

/* One row of DescribeConfigs for a topic. */
typedef struct
{
  char           *name;
  char           *value;
  MrConfigSource  source;
  MrConfigType    type;
  gboolean        is_default;     /* source == DEFAULT_CONFIG */
  gboolean        read_only;      /* always FALSE: all can change */
  gboolean        sensitive;      /* always FALSE */
  const char     *documentation;  /* one sentence, static */
} MrTopicConfigEntry;

void                mr_topic_config_init_defaults           (MrTopicConfig        *config);
/* Sets one config by its Kafka name from its string form. Unknown names and
 * bad values fail with MR_CLUSTER_ERROR_INVALID_CONFIG and leave @config as
 * it was. Booleans are "true" or "false", in any case. */
gboolean            mr_topic_config_set                     (MrTopicConfig        *config,
                                                             const char           *name,
                                                             const char           *value,
                                                             GError              **error);
/* Sets every name → value pair of @values, or none: on error @config is
 * unchanged. @values may be NULL (nothing to do). */
gboolean            mr_topic_config_apply                   (MrTopicConfig        *config,
                                                             GHashTable           *values,
                                                             GError              **error);
/* The string form of one config, or NULL for an unknown name. */
char               *mr_topic_config_dup_value               (const MrTopicConfig  *config,
                                                             const char           *name) G_GNUC_WARN_UNUSED_RESULT;
/* The default's string form, or NULL for an unknown name. */
char               *mr_topic_config_dup_default             (const char           *name) G_GNUC_WARN_UNUSED_RESULT;
gboolean            mr_topic_config_is_known                (const char           *name);
/* Every topic config name, NULL-terminated, sorted. */
const char * const *mr_topic_config_list_names              (void);
/* Every config of @config as MrTopicConfigEntry, sorted by name. A config
 * counts as set on the topic (DYNAMIC_TOPIC_CONFIG) when @overrides holds
 * its name or, with @overrides NULL, when its value is not the default. */
GPtrArray          *mr_topic_config_describe                (const MrTopicConfig  *config,
                                                             GHashTable           *overrides) G_GNUC_WARN_UNUSED_RESULT;
/* Kafka accepts configs that make a topic unusable or fragile for its
 * replication factor (min.insync.replicas above it). Millrace accepts them
 * too; this gives a sentence for the user, or NULL when nothing is amiss. */
char               *mr_topic_config_dup_replication_warning (const MrTopicConfig  *config,
                                                             int                   replication_factor) G_GNUC_WARN_UNUSED_RESULT;

void                mr_topic_config_entry_free              (MrTopicConfigEntry   *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrTopicConfigEntry, mr_topic_config_entry_free)

/* Replica assignment. Broker ids come as a sorted array without
 * duplicates. Results are a GPtrArray holding one GArray of gint32 broker
 * ids per partition, in partition order; the first id of each is the
 * preferred leader. */

/* Kafka's rack-unaware assignment for a new topic: partition p's leader is
 * broker (p + @start_index) mod n, round-robin, and followers sit at an
 * offset from their leader that grows by one each round of n partitions,
 * so the partitions a broker leads have their followers spread over the
 * others. @start_index -1 picks one at random, as Kafka does.
 *
 * One change from Kafka: in a last round of fewer than n partitions,
 * Kafka's followers bunch up (5 brokers, 2 partitions, factor 3 gives
 * [0,1,2] [1,2,3]: broker 1 holds two replicas and broker 4 none); here
 * they fill the brokers after the round's leaders in turn, so every broker
 * leads within one partition of any other and holds within one replica of
 * any other. */
GPtrArray          *mr_topic_assign_replicas                (const gint32         *broker_ids,
                                                             guint                 n_brokers,
                                                             int                   n_partitions,
                                                             int                   replication_factor,
                                                             int                   start_index,
                                                             GError              **error) G_GNUC_WARN_UNUSED_RESULT;
/* Replicas for @n_new partitions added to a topic whose partitions hold
 * @existing (GArrays of gint32, as above), with their replication factor.
 * When the topic is spread evenly over exactly @broker_ids in whole rounds,
 * this continues Kafka's pattern where it left off (as Kafka does, starting
 * from partition 0's leader); otherwise, say after brokers joined, each new
 * partition goes to the brokers that lead and hold least, so the topic
 * evens out. */
GPtrArray          *mr_topic_assign_added_replicas          (const gint32         *broker_ids,
                                                             guint                 n_brokers,
                                                             GPtrArray            *existing,
                                                             int                   n_new,
                                                             GError              **error) G_GNUC_WARN_UNUSED_RESULT;
/* Checks a replica assignment given by a user (CreateTopics with explicit
 * assignments): at least one partition, every partition with the same
 * number of replicas, no broker twice in a partition and, unless
 * @broker_ids is NULL, only known brokers. */
gboolean            mr_topic_validate_replica_assignment    (GPtrArray            *assignment,
                                                             const gint32         *broker_ids,
                                                             guint                 n_brokers,
                                                             GError              **error);

G_END_DECLS

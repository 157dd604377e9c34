/* mr-metadata-store.h
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

G_BEGIN_DECLS

/* The file name of the store inside a cluster's data directory. */
#define MR_METADATA_STORE_FILE_NAME      "metadata.db"
/* The schema this build writes; see mr-metadata-store.c. */
#define MR_METADATA_STORE_SCHEMA_VERSION 1

/* The controller's durable metadata: cluster id, controller epoch, topics
 * with their configs and partitions (replicas, leader, epochs, ISR),
 * registered brokers and cluster settings, in one SQLite database. Every
 * change is one transaction: after a crash the store holds the state from
 * before or after the change, never a mix.
 *
 * @locality: the controller's thread. Only the broker holding the
 * controller role changes metadata, so the store has one user at a time;
 * every function still takes the store's mutex, so a call from elsewhere
 * (a UI snapshot, a test) is safe, only serialised. Snapshots returned are
 * owned copies and may go to any thread. Errors are in the
 * MR_CLUSTER_ERROR domain. */
typedef struct _MrMetadataStore MrMetadataStore;

/* One partition as the controller sees it. */
typedef struct
{
  gint32  partition;
  GArray *replicas;         /* gint32 broker ids, preferred leader first */
  gint32  leader;           /* broker id, or -1: no leader */
  gint32  leader_epoch;
  GArray *isr;              /* gint32 broker ids, a subset of @replicas */
  gint32  partition_epoch;  /* +1 on every leader or ISR change */
} MrPartitionMetadata;

/* One topic, a snapshot: changing it changes nothing in the store. */
typedef struct
{
  char       *name;
  char       *topic_id;     /* random UUID, 22 base64url characters as
                             * Kafka prints it */
  GHashTable *overrides;    /* config name → value (both char *): the
                             * configs set on the topic, defaults left out */
  gint64      created_ms;   /* creation time, ms since the Unix epoch */
  GPtrArray  *partitions;   /* MrPartitionMetadata, index = partition */
} MrTopicMetadata;

typedef struct
{
  gint32   id;
  char    *host;
  guint16  port;
} MrBrokerRegistration;

/* A partition placed on @replicas (copied) as a new partition starts: the
 * first replica leads, every replica is in sync, both epochs are 0. */
MrPartitionMetadata *mr_partition_metadata_new               (gint32                      partition,
                                                              GArray                     *replicas) G_GNUC_WARN_UNUSED_RESULT;
MrPartitionMetadata *mr_partition_metadata_copy              (const MrPartitionMetadata  *metadata) G_GNUC_WARN_UNUSED_RESULT;
void                 mr_partition_metadata_free              (MrPartitionMetadata        *metadata);

MrTopicMetadata     *mr_topic_metadata_copy                  (const MrTopicMetadata      *metadata) G_GNUC_WARN_UNUSED_RESULT;
void                 mr_topic_metadata_free                  (MrTopicMetadata            *metadata);

void                 mr_broker_registration_free             (MrBrokerRegistration       *registration);

/* Opens the store at @path (normally <data-dir>/metadata.db), creating it
 * with a new cluster id if the file does not exist or is empty, and
 * migrating an older schema. A file that is not a Millrace metadata
 * database, or is damaged, fails with MR_CLUSTER_ERROR_STORE_CORRUPT; one
 * from a newer Millrace with MR_CLUSTER_ERROR_STORE_TOO_NEW. The directory
 * must exist. */
MrMetadataStore     *mr_metadata_store_open                  (const char                 *path,
                                                              GError                    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Closes the database and frees the store. */
void                 mr_metadata_store_close                 (MrMetadataStore            *store);

const char          *mr_metadata_store_get_path              (MrMetadataStore            *store);
/* 22 base64url characters, made when the store was created, never
 * changed. */
const char          *mr_metadata_store_get_cluster_id        (MrMetadataStore            *store);
/* The epoch of the latest controller; 0 before the first. */
gint32               mr_metadata_store_get_controller_epoch  (MrMetadataStore            *store);
/* A new controller takes over: the epoch goes up by one, durably, and the
 * new value is returned in @new_epoch. */
gboolean             mr_metadata_store_bump_controller_epoch (MrMetadataStore            *store,
                                                              gint32                     *new_epoch,
                                                              GError                    **error);

/* Creates a topic with config @overrides (name → value, may be NULL) and
 * @partitions (MrPartitionMetadata, numbered 0, 1, ... in order). Checks
 * the name, the configs and the partitions (same replication factor
 * throughout, no broker twice, leader in the ISR, ISR within the
 * replicas). Fails with TOPIC_EXISTS or TOPIC_COLLISION when the name or
 * its collision key is taken. Returns the topic as stored, with its new
 * topic id. */
MrTopicMetadata     *mr_metadata_store_create_topic          (MrMetadataStore            *store,
                                                              const char                 *name,
                                                              GHashTable                 *overrides,
                                                              GPtrArray                  *partitions,
                                                              GError                    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean             mr_metadata_store_delete_topic          (MrMetadataStore            *store,
                                                              const char                 *name,
                                                              GError                    **error);
/* Appends @partitions (MrPartitionMetadata) to a topic: their numbers must
 * follow on from the last existing one, with the topic's replication
 * factor. */
gboolean             mr_metadata_store_add_partitions        (MrMetadataStore            *store,
                                                              const char                 *name,
                                                              GPtrArray                  *partitions,
                                                              GError                    **error);
/* Compare-and-set of a partition's leader and ISR: succeeds only while the
 * partition epoch is still @expected_partition_epoch, then bumps it and
 * returns the new one in @new_partition_epoch (may be NULL). A stale
 * epoch or a leader epoch going backwards fails with
 * MR_CLUSTER_ERROR_STALE_EPOCH and changes nothing. @leader is -1 or a
 * member of @isr (gint32), which lies within the partition's replicas. */
gboolean             mr_metadata_store_update_partition      (MrMetadataStore            *store,
                                                              const char                 *topic,
                                                              gint32                      partition,
                                                              gint32                      expected_partition_epoch,
                                                              gint32                      leader,
                                                              gint32                      leader_epoch,
                                                              GArray                     *isr,
                                                              gint32                     *new_partition_epoch,
                                                              GError                    **error);
/* Replaces the topic's config overrides with @overrides (NULL: none),
 * after checking every one. */
gboolean             mr_metadata_store_set_topic_configs     (MrMetadataStore            *store,
                                                              const char                 *name,
                                                              GHashTable                 *overrides,
                                                              GError                    **error);
MrTopicMetadata     *mr_metadata_store_get_topic             (MrMetadataStore            *store,
                                                              const char                 *name,
                                                              GError                    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Every topic (MrTopicMetadata), sorted by name, read in one transaction. */
GPtrArray           *mr_metadata_store_list_topics           (MrMetadataStore            *store,
                                                              GError                    **error) G_GNUC_WARN_UNUSED_RESULT;

/* Adds a broker or updates its address. */
gboolean             mr_metadata_store_register_broker       (MrMetadataStore            *store,
                                                              gint32                      id,
                                                              const char                 *host,
                                                              guint16                     port,
                                                              GError                    **error);
/* Succeeds, changing nothing, for an unknown broker. */
gboolean             mr_metadata_store_unregister_broker     (MrMetadataStore            *store,
                                                              gint32                      id,
                                                              GError                    **error);
/* Every registered broker (MrBrokerRegistration), by id. */
GPtrArray           *mr_metadata_store_list_brokers          (MrMetadataStore            *store,
                                                              GError                    **error) G_GNUC_WARN_UNUSED_RESULT;

/* Cluster settings, e.g. "auto.create.topics.enable": free-form text that
 * the cluster interprets. A setting never set gives NULL with @error left
 * unset. */
char                *mr_metadata_store_dup_setting           (MrMetadataStore            *store,
                                                              const char                 *name,
                                                              GError                    **error) G_GNUC_WARN_UNUSED_RESULT;
/* @value NULL removes the setting. */
gboolean             mr_metadata_store_set_setting           (MrMetadataStore            *store,
                                                              const char                 *name,
                                                              const char                 *value,
                                                              GError                    **error);

/* Fault injection for tests: @func runs inside every write transaction at
 * named points, "<operation>:before-commit" for each operation
 * ("create-topic", "delete-topic", "add-partitions", "update-partition",
 * "set-topic-configs", "bump-controller-epoch", "register-broker",
 * "unregister-broker", "set-setting") and "create-topic:topic-written"
 * after the topic's row. A test can _exit() there to leave a transaction
 * half done. NULL removes the hook. */
typedef void (*MrMetadataStoreFaultFunc) (const char *point,
                                          gpointer    user_data);

void                 mr_metadata_store_set_fault_func        (MrMetadataStore            *store,
                                                              MrMetadataStoreFaultFunc    func,
                                                              gpointer                    user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrPartitionMetadata, mr_partition_metadata_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrTopicMetadata, mr_topic_metadata_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrBrokerRegistration, mr_broker_registration_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrMetadataStore, mr_metadata_store_close)

G_END_DECLS

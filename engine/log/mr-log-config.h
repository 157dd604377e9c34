/* mr-log-config.h
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

typedef enum
{
  MR_CLEANUP_POLICY_DELETE  = 1 << 0,
  MR_CLEANUP_POLICY_COMPACT = 1 << 1,
} MrCleanupPolicy;

typedef enum
{
  MR_TIMESTAMP_TYPE_CREATE_TIME,
  MR_TIMESTAMP_TYPE_LOG_APPEND_TIME,
} MrTimestampType;

/* The per-topic configs that the partition log itself obeys, under Kafka's
 * names. A value of -1 for a time or size limit means "no limit", as in
 * Kafka. The struct is plain data: copy it freely. */
typedef struct
{
  gint64          segment_bytes;          /* segment.bytes */
  gint64          segment_ms;             /* segment.ms */
  gint64          retention_ms;           /* retention.ms */
  gint64          retention_bytes;        /* retention.bytes */
  MrCleanupPolicy cleanup_policy;         /* cleanup.policy */
  gint64          delete_retention_ms;    /* delete.retention.ms */
  gint64          min_compaction_lag_ms;  /* min.compaction.lag.ms */
  gint64          flush_messages;         /* flush.messages */
  gint64          flush_ms;               /* flush.ms */
  gint32          index_interval_bytes;   /* index.interval.bytes */
  gint32          max_message_bytes;      /* max.message.bytes */
  MrTimestampType timestamp_type;         /* message.timestamp.type */
} MrLogConfig;

void         mr_log_config_init_defaults (MrLogConfig        *config);

/* Sets one config by its Kafka name from its string form. Unknown names and
 * bad values fail with MR_LOG_ERROR_INVALID_CONFIG and leave @config as it
 * was. */
gboolean     mr_log_config_set           (MrLogConfig        *config,
                                          const char         *name,
                                          const char         *value,
                                          GError            **error);

/* The string form of one config, or NULL for an unknown name. */
char        *mr_log_config_dup_value     (const MrLogConfig  *config,
                                          const char         *name) G_GNUC_WARN_UNUSED_RESULT;

gboolean     mr_log_config_is_known      (const char         *name);

/* Every config name this struct holds, NULL-terminated, sorted. */
const char * const *mr_log_config_list_names (void);

G_END_DECLS

/* mr-log-config.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-log-config.h"
#include "mr-log-error.h"

#include <string.h>

/* One row per config: how to parse it, where it lives in MrLogConfig, its
 * bounds and its default. Defaults are Kafka's, except segment.bytes: 128 MiB
 * instead of 1 GiB keeps a laptop's working set warm and lets retention free
 * space in smaller steps. Rows are sorted by name. */

typedef enum
{
  CONFIG_KIND_INT64,
  CONFIG_KIND_INT32,
  CONFIG_KIND_CLEANUP_POLICY,
  CONFIG_KIND_TIMESTAMP_TYPE,
} ConfigKind;

typedef struct
{
  const char *name;
  ConfigKind  kind;
  gsize       offset;
  gint64      min;
  gint64      max;
  gint64      default_value;
} ConfigRow;

#define ROW64(n, field, lo, hi, def) \
  { n, CONFIG_KIND_INT64, G_STRUCT_OFFSET (MrLogConfig, field), lo, hi, def }
#define ROW32(n, field, lo, hi, def) \
  { n, CONFIG_KIND_INT32, G_STRUCT_OFFSET (MrLogConfig, field), lo, hi, def }

static const ConfigRow config_rows[] = {
  { "cleanup.policy", CONFIG_KIND_CLEANUP_POLICY,
    G_STRUCT_OFFSET (MrLogConfig, cleanup_policy), 0, 0,
    MR_CLEANUP_POLICY_DELETE },
  ROW64 ("delete.retention.ms", delete_retention_ms, 0, G_MAXINT64, 86400000),
  ROW64 ("flush.messages", flush_messages, 1, G_MAXINT64, G_MAXINT64),
  ROW64 ("flush.ms", flush_ms, 0, G_MAXINT64, G_MAXINT64),
  ROW32 ("index.interval.bytes", index_interval_bytes, 0, G_MAXINT32, 4096),
  ROW32 ("max.message.bytes", max_message_bytes, 0, G_MAXINT32, 1048588),
  { "message.timestamp.type", CONFIG_KIND_TIMESTAMP_TYPE,
    G_STRUCT_OFFSET (MrLogConfig, timestamp_type), 0, 0,
    MR_TIMESTAMP_TYPE_CREATE_TIME },
  ROW64 ("min.compaction.lag.ms", min_compaction_lag_ms, 0, G_MAXINT64, 0),
  ROW64 ("retention.bytes", retention_bytes, -1, G_MAXINT64, -1),
  ROW64 ("retention.ms", retention_ms, -1, G_MAXINT64, 604800000),
  ROW64 ("segment.bytes", segment_bytes, 14, G_MAXINT32, 128 * 1024 * 1024),
  ROW64 ("segment.ms", segment_ms, 1, G_MAXINT64, 604800000),
};

static const ConfigRow *
find_row (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (config_rows); i++)
    if (strcmp (config_rows[i].name, name) == 0)
      return &config_rows[i];
  return NULL;
}

static void
row_store (const ConfigRow *row,
           MrLogConfig     *config,
           gint64           value)
{
  guint8 *base = (guint8 *)config + row->offset;

  switch (row->kind)
    {
    case CONFIG_KIND_INT64:
      *(gint64 *)base = value;
      break;
    case CONFIG_KIND_INT32:
      *(gint32 *)base = (gint32)value;
      break;
    case CONFIG_KIND_CLEANUP_POLICY:
      *(MrCleanupPolicy *)base = (MrCleanupPolicy)value;
      break;
    case CONFIG_KIND_TIMESTAMP_TYPE:
      *(MrTimestampType *)base = (MrTimestampType)value;
      break;
    default:
      g_assert_not_reached ();
    }
}

static gint64
row_load (const ConfigRow   *row,
          const MrLogConfig *config)
{
  const guint8 *base = (const guint8 *)config + row->offset;

  switch (row->kind)
    {
    case CONFIG_KIND_INT64:
      return *(const gint64 *)base;
    case CONFIG_KIND_INT32:
      return *(const gint32 *)base;
    case CONFIG_KIND_CLEANUP_POLICY:
      return *(const MrCleanupPolicy *)base;
    case CONFIG_KIND_TIMESTAMP_TYPE:
      return *(const MrTimestampType *)base;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
parse_cleanup_policy (const char  *value,
                      gint64      *out)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);
  gint64 policy = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);

      if (strcmp (part, "delete") == 0)
        policy |= MR_CLEANUP_POLICY_DELETE;
      else if (strcmp (part, "compact") == 0)
        policy |= MR_CLEANUP_POLICY_COMPACT;
      else
        return FALSE;
    }

  if (policy == 0)
    return FALSE;

  *out = policy;
  return TRUE;
}

void
mr_log_config_init_defaults (MrLogConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  for (guint i = 0; i < G_N_ELEMENTS (config_rows); i++)
    row_store (&config_rows[i], config, config_rows[i].default_value);
}

gboolean
mr_log_config_is_known (const char *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  return find_row (name) != NULL;
}

gboolean
mr_log_config_set (MrLogConfig  *config,
                   const char   *name,
                   const char   *value,
                   GError      **error)
{
  const ConfigRow *row;
  gint64 parsed = 0;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  row = find_row (name);
  if (row == NULL)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_CONFIG,
                   "Unknown config “%s”", name);
      return FALSE;
    }

  if (value == NULL)
    {
      g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_CONFIG,
                   "Config “%s” needs a value", name);
      return FALSE;
    }

  switch (row->kind)
    {
    case CONFIG_KIND_INT64:
    case CONFIG_KIND_INT32:
      {
        g_autoptr(GError) local_error = NULL;

        if (!g_ascii_string_to_signed (value, 10, row->min, row->max, &parsed,
                                       &local_error))
          {
            g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_CONFIG,
                         "Invalid value “%s” for “%s”: expected a whole "
                         "number from %" G_GINT64_FORMAT " to %"
                         G_GINT64_FORMAT, value, name, row->min, row->max);
            return FALSE;
          }
      }
      break;

    case CONFIG_KIND_CLEANUP_POLICY:
      if (!parse_cleanup_policy (value, &parsed))
        {
          g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_CONFIG,
                       "Invalid value “%s” for “%s”: expected “delete”, "
                       "“compact” or “compact,delete”", value, name);
          return FALSE;
        }
      break;

    case CONFIG_KIND_TIMESTAMP_TYPE:
      if (strcmp (value, "CreateTime") == 0)
        parsed = MR_TIMESTAMP_TYPE_CREATE_TIME;
      else if (strcmp (value, "LogAppendTime") == 0)
        parsed = MR_TIMESTAMP_TYPE_LOG_APPEND_TIME;
      else
        {
          g_set_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_CONFIG,
                       "Invalid value “%s” for “%s”: expected “CreateTime” "
                       "or “LogAppendTime”", value, name);
          return FALSE;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  row_store (row, config, parsed);
  return TRUE;
}

char *
mr_log_config_dup_value (const MrLogConfig *config,
                         const char        *name)
{
  const ConfigRow *row;
  gint64 value;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  row = find_row (name);
  if (row == NULL)
    return NULL;

  value = row_load (row, config);

  switch (row->kind)
    {
    case CONFIG_KIND_INT64:
    case CONFIG_KIND_INT32:
      return g_strdup_printf ("%" G_GINT64_FORMAT, value);

    case CONFIG_KIND_CLEANUP_POLICY:
      if (value == (MR_CLEANUP_POLICY_DELETE | MR_CLEANUP_POLICY_COMPACT))
        return g_strdup ("compact,delete");
      return g_strdup (value == MR_CLEANUP_POLICY_COMPACT ? "compact"
                                                          : "delete");

    case CONFIG_KIND_TIMESTAMP_TYPE:
      return g_strdup (value == MR_TIMESTAMP_TYPE_LOG_APPEND_TIME
                         ? "LogAppendTime" : "CreateTime");

    default:
      g_assert_not_reached ();
    }
}

const char * const *
mr_log_config_list_names (void)
{
  static const char *names[G_N_ELEMENTS (config_rows) + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (config_rows); i++)
        names[i] = config_rows[i].name;
      names[G_N_ELEMENTS (config_rows)] = NULL;
      g_once_init_leave (&initialized, 1);
    }

  return names;
}

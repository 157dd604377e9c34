/* test-log-config.c: topic configs by their Kafka names.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

static void
test_defaults (void)
{
  MrLogConfig config;
  g_autofree char *segment_bytes = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *timestamps = NULL;

  mr_log_config_init_defaults (&config);
  g_assert_cmpint (config.retention_ms, ==, 604800000);
  g_assert_cmpint (config.retention_bytes, ==, -1);
  g_assert_cmpint (config.cleanup_policy, ==, MR_CLEANUP_POLICY_DELETE);
  g_assert_cmpint (config.flush_messages, ==, G_MAXINT64);
  g_assert_cmpint (config.index_interval_bytes, ==, 4096);
  g_assert_cmpint (config.max_message_bytes, ==, 1048588);

  segment_bytes = mr_log_config_dup_value (&config, "segment.bytes");
  policy = mr_log_config_dup_value (&config, "cleanup.policy");
  timestamps = mr_log_config_dup_value (&config, "message.timestamp.type");
  g_assert_cmpstr (segment_bytes, ==, "134217728");
  g_assert_cmpstr (policy, ==, "delete");
  g_assert_cmpstr (timestamps, ==, "CreateTime");
  g_assert_null (mr_log_config_dup_value (&config, "no.such.config"));
}

static void
test_set_and_read_back (void)
{
  g_autoptr(GError) error = NULL;
  const char * const *names = mr_log_config_list_names ();
  MrLogConfig config;

  mr_log_config_init_defaults (&config);

  mr_log_config_set (&config, "cleanup.policy", "compact, delete", &error);
  g_assert_no_error (error);
  g_assert_cmpint (config.cleanup_policy, ==,
                   MR_CLEANUP_POLICY_COMPACT | MR_CLEANUP_POLICY_DELETE);

  mr_log_config_set (&config, "message.timestamp.type", "LogAppendTime",
                     &error);
  g_assert_no_error (error);
  mr_log_config_set (&config, "retention.ms", "-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (config.retention_ms, ==, -1);

  /* Every config round-trips through its string form. */
  g_assert_cmpuint (g_strv_length ((char **)names), ==, 12);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *value = mr_log_config_dup_value (&config, names[i]);
      MrLogConfig copy;

      g_assert_true (mr_log_config_is_known (names[i]));
      if (i > 0)
        g_assert_cmpint (g_strcmp0 (names[i - 1], names[i]), <, 0);

      mr_log_config_init_defaults (&copy);
      mr_log_config_set (&copy, names[i], value, &error);
      g_assert_no_error (error);
      {
        g_autofree char *again = mr_log_config_dup_value (&copy, names[i]);
        g_assert_cmpstr (again, ==, value);
      }
    }
}

static void
test_bad_values_change_nothing (void)
{
  static const char *bad[][2] = {
    { "segment.bytes", "10" },
    { "segment.bytes", "4294967296" },
    { "segment.bytes", "12abc" },
    { "retention.ms", "-2" },
    { "retention.ms", "" },
    { "cleanup.policy", "remove" },
    { "cleanup.policy", "" },
    { "message.timestamp.type", "createtime" },
    { "flush.messages", "0" },
    { "no.such.config", "1" },
  };
  MrLogConfig config;
  MrLogConfig before;

  mr_log_config_init_defaults (&config);
  before = config;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (mr_log_config_set (&config, bad[i][0], bad[i][1],
                                         &error));
      g_assert_error (error, MR_LOG_ERROR, MR_LOG_ERROR_INVALID_CONFIG);
      g_assert_nonnull (strstr (error->message, bad[i][0]));
      g_assert_cmpmem (&config, sizeof config, &before, sizeof before);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log-config/defaults", test_defaults);
  g_test_add_func ("/log-config/set-and-read-back", test_set_and_read_back);
  g_test_add_func ("/log-config/bad-values", test_bad_values_change_nothing);

  return g_test_run ();
}

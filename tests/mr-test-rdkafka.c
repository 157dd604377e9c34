/* mr-test-rdkafka.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "mr-test-rdkafka.h"

static void
log_cb (const rd_kafka_t *rk,
        int               level,
        const char       *facility,
        const char       *message)
{
  g_debug ("librdkafka %s [%d] %s: %s", rd_kafka_name (rk), level, facility,
           message);
}

static void
error_cb (rd_kafka_t *rk,
          int         err,
          const char *reason,
          void       *opaque)
{
  g_debug ("librdkafka %s error %s: %s", rd_kafka_name (rk),
           rd_kafka_err2name (err), reason);
}

rd_kafka_conf_t *
mr_test_rdkafka_conf_new (const char *bootstrap)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();

  rd_kafka_conf_set_log_cb (conf, log_cb);
  rd_kafka_conf_set_error_cb (conf, error_cb);
  if (bootstrap != NULL)
    mr_test_rdkafka_conf_set (conf, "bootstrap.servers", bootstrap);
  return conf;
}

void
mr_test_rdkafka_conf_set (rd_kafka_conf_t *conf,
                          const char      *name,
                          const char      *value)
{
  char errstr[512];

  if (rd_kafka_conf_set (conf, name, value, errstr, sizeof errstr)
      != RD_KAFKA_CONF_OK)
    g_error ("%s=%s: %s", name, value, errstr);
}

rd_kafka_t *
mr_test_rdkafka_new (rd_kafka_type_t  type,
                     rd_kafka_conf_t *conf)
{
  char errstr[512];
  rd_kafka_t *rk = rd_kafka_new (type, conf, errstr, sizeof errstr);

  if (rk == NULL)
    g_error ("rd_kafka_new: %s", errstr);
  return rk;
}

guint
mr_test_rdkafka_assigned (rd_kafka_t *consumer)
{
  rd_kafka_topic_partition_list_t *list = NULL;
  guint bits = 0;

  if (rd_kafka_assignment (consumer, &list) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return 0;
  for (int i = 0; i < list->cnt; i++)
    bits |= 1u << list->elems[i].partition;
  rd_kafka_topic_partition_list_destroy (list);
  return bits;
}

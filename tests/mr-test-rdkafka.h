/* mr-test-rdkafka.h: librdkafka clients for the tests and benchmarks.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

/* A configuration whose logs and errors go to g_debug (to librdkafka a
 * broker going away is a warning, which G_DEBUG=fatal-warnings would turn
 * into a failure), with bootstrap.servers set when @bootstrap is given. */
rd_kafka_conf_t *mr_test_rdkafka_conf_new (const char      *bootstrap);
/* Sets one property; a bad one ends the test. */
void             mr_test_rdkafka_conf_set (rd_kafka_conf_t *conf,
                                           const char      *name,
                                           const char      *value);
/* A client of @type, taking @conf; a failure ends the test. */
rd_kafka_t      *mr_test_rdkafka_new      (rd_kafka_type_t  type,
                                           rd_kafka_conf_t *conf);
/* The partitions a group consumer is assigned now, as a bit set (bit p
 * for partition p, so partitions 0 to 31). */
guint            mr_test_rdkafka_assigned (rd_kafka_t      *consumer);

G_END_DECLS

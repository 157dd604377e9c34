/* mr-groups-private.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Shared inside the group module. */

#include "mr-groups.h"

G_BEGIN_DECLS

/* Sets @error from a Kafka group error code; FALSE for NONE. */
gboolean mr_group_set_error (GError      **error,
                             MrKafkaError  code,
                             const char   *group_id);

G_END_DECLS

/* mr-log-error.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-log-error.h"

G_DEFINE_QUARK (mr-log-error-quark, mr_log_error)

/* mr-log-error.h
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

#define MR_LOG_ERROR (mr_log_error_quark ())

/**
 * MrLogError:
 * @MR_LOG_ERROR_CORRUPT_BATCH: bytes that are not a valid record batch
 *   (bad length, bad CRC32C, inconsistent header)
 * @MR_LOG_ERROR_UNSUPPORTED_MAGIC: a batch whose magic is not 2
 * @MR_LOG_ERROR_BATCH_TOO_LARGE: a batch above the log's max.message.bytes
 * @MR_LOG_ERROR_INVALID_ARGUMENT: a request that makes no sense (an offset
 *   below the log start for a truncation, a non-monotonic offset, ...)
 * @MR_LOG_ERROR_INVALID_CONFIG: an unknown config name or a bad value
 * @MR_LOG_ERROR_OFFSET_OUT_OF_RANGE: a read outside [log start, log end]
 * @MR_LOG_ERROR_COMPRESSION: a codec failed to compress or decompress
 * @MR_LOG_ERROR_IO: the operating system refused a read, write or sync
 * @MR_LOG_ERROR_READ_ONLY: a change asked of a log opened read-only
 * @MR_LOG_ERROR_CLOSED: a call on a log after mr_partition_log_close()
 *
 * Errors of the partition log and its codecs.
 */
typedef enum
{
  MR_LOG_ERROR_CORRUPT_BATCH,
  MR_LOG_ERROR_UNSUPPORTED_MAGIC,
  MR_LOG_ERROR_BATCH_TOO_LARGE,
  MR_LOG_ERROR_INVALID_ARGUMENT,
  MR_LOG_ERROR_INVALID_CONFIG,
  MR_LOG_ERROR_OFFSET_OUT_OF_RANGE,
  MR_LOG_ERROR_COMPRESSION,
  MR_LOG_ERROR_IO,
  MR_LOG_ERROR_READ_ONLY,
  MR_LOG_ERROR_CLOSED,
} MrLogError;

GQuark mr_log_error_quark (void);

G_END_DECLS

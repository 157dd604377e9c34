/* mr-compression.h
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

/**
 * MrCompression:
 *
 * The codec of a record batch: bits 0-2 of its attributes, with Kafka's
 * numbers.
 */
typedef enum
{
  MR_COMPRESSION_NONE = 0,
  MR_COMPRESSION_GZIP = 1,
  MR_COMPRESSION_SNAPPY = 2,
  MR_COMPRESSION_LZ4 = 3,
  MR_COMPRESSION_ZSTD = 4,
} MrCompression;

#define MR_COMPRESSION_LAST MR_COMPRESSION_ZSTD

const char *mr_compression_to_string   (MrCompression   codec);
gboolean    mr_compression_from_string (const char     *name,
                                        MrCompression  *codec);

/* Appends the compressed form of @data to @out, in the framing Kafka
 * clients expect for that codec. */
gboolean    mr_compression_compress    (MrCompression   codec,
                                        const guint8   *data,
                                        gsize           len,
                                        GByteArray     *out,
                                        GError        **error);

/* Appends the decompressed form of @data to @out. Fails with
 * MR_LOG_ERROR_COMPRESSION on bad input, and when the output would grow past
 * @max_output bytes (a guard against decompression bombs). */
gboolean    mr_compression_decompress  (MrCompression   codec,
                                        const guint8   *data,
                                        gsize           len,
                                        gsize           max_output,
                                        GByteArray     *out,
                                        GError        **error);

G_END_DECLS

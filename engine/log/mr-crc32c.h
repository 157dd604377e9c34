/* mr-crc32c.h
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

/* CRC-32C (Castagnoli), as record batches v2 use it. @crc is the value
 * returned for the bytes before @data (0 to start), so calls chain:
 * mr_crc32c (mr_crc32c (0, a, n), b, m) is the CRC of a followed by b.
 * The SSE4.2 instruction is used when the processor has it, chosen once at
 * run time; otherwise a slicing-by-8 table. Both are thread-safe. */
guint32      mr_crc32c                 (guint32        crc,
                                        gconstpointer  data,
                                        gsize          len);
guint32      mr_crc32c_software        (guint32        crc,
                                        gconstpointer  data,
                                        gsize          len);
gboolean     mr_crc32c_is_accelerated  (void);
const char  *mr_crc32c_implementation  (void);

G_END_DECLS

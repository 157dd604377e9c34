/* mr-record-jsonl.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mr-record-reader.h"

G_BEGIN_DECLS

/* Records as JSON Lines: one JSON object per line. The format is written
 * out at the top of mr-record-jsonl.c. */

#define MR_RECORD_JSONL_ERROR (mr_record_jsonl_error_quark ())

typedef enum
{
  MR_RECORD_JSONL_ERROR_INVALID,     /* not JSON, or not a record */
} MrRecordJsonlError;

GQuark    mr_record_jsonl_error_quark (void);

/* One line for @copy, without the newline. */
char     *mr_record_to_jsonl          (const char          *topic,
                                       const MrRecordCopy  *copy) G_GNUC_WARN_UNUSED_RESULT;

/* Parses one line into @copy (initialised or cleared before) and the
 * topic it names (NULL when the line has none). Fields that are absent
 * read as: partition -1, offset -1, timestamp -1, key and value null, no
 * headers. On error @copy is left cleared. */
gboolean  mr_record_from_jsonl        (const char          *line,
                                       char               **topic,
                                       MrRecordCopy        *copy,
                                       GError             **error);

/* Writes @n_records lines to @stream.
 * @locality: any thread; it blocks on @stream. */
gboolean  mr_record_jsonl_write       (GOutputStream       *stream,
                                       const char          *topic,
                                       const MrRecordCopy  *records,
                                       guint                n_records,
                                       GCancellable        *cancellable,
                                       GError             **error);

/* Reads every line of @stream; blank lines are skipped. Returns an array
 * of MrRecordCopy (each cleared when the array goes), or NULL with the
 * line number in the error's message when a line is bad.
 * @locality: any thread; it blocks on @stream. */
GArray   *mr_record_jsonl_read        (GInputStream        *stream,
                                       GCancellable        *cancellable,
                                       GError             **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

/* mr-reset-offsets-dialog.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_RESET_OFFSETS_DIALOG (mr_reset_offsets_dialog_get_type())

G_DECLARE_FINAL_TYPE (MrResetOffsetsDialog, mr_reset_offsets_dialog, MR, RESET_OFFSETS_DIALOG, AdwWindow)

GtkWidget  *mr_reset_offsets_dialog_new            (MrCluster            *cluster,
                                                    const char           *group_id,
                                                    const char * const   *topics);
/* What the form holds; each change computes a new preview, in a worker. */
void        mr_reset_offsets_dialog_set_topic      (MrResetOffsetsDialog *self,
                                                    const char           *topic);
void        mr_reset_offsets_dialog_set_partitions (MrResetOffsetsDialog *self,
                                                    const char           *partitions);
void        mr_reset_offsets_dialog_set_kind       (MrResetOffsetsDialog *self,
                                                    MrOffsetResetKind     kind);
void        mr_reset_offsets_dialog_set_value      (MrResetOffsetsDialog *self,
                                                    const char           *value);
/* Whether a preview, an apply or a stop runs in a worker. */
gboolean    mr_reset_offsets_dialog_get_busy       (MrResetOffsetsDialog *self);
/* The preview shown (MrOffsetChange), or NULL with the message. */
GPtrArray  *mr_reset_offsets_dialog_get_preview    (MrResetOffsetsDialog *self);
/* The message shown (why there is no preview, or what Apply did), or NULL. */
const char *mr_reset_offsets_dialog_get_message    (MrResetOffsetsDialog *self);
/* How many offsets the last Apply changed, -1 before one. */
int         mr_reset_offsets_dialog_get_n_applied  (MrResetOffsetsDialog *self);

/* Parsers of the form's fields, for the copy dialog and tests too. */
gboolean    mr_parse_partitions                    (const char           *text,
                                                    GArray              **partitions,
                                                    GError              **error);
gboolean    mr_parse_date_time                     (const char           *text,
                                                    gint64               *ms,
                                                    GError              **error);
gboolean    mr_parse_duration                      (const char           *text,
                                                    gint64               *ms,
                                                    GError              **error);

G_END_DECLS

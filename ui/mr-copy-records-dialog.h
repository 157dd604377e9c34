/* mr-copy-records-dialog.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_COPY_RECORDS_DIALOG (mr_copy_records_dialog_get_type())

G_DECLARE_FINAL_TYPE (MrCopyRecordsDialog, mr_copy_records_dialog, MR, COPY_RECORDS_DIALOG, AdwWindow)

/* How the range is chosen. */
typedef enum
{
  MR_COPY_RANGE_OFFSET,
  MR_COPY_RANGE_TIME,
} MrCopyRange;

GtkWidget  *mr_copy_records_dialog_new        (MrCluster           *cluster,
                                               const char * const  *topics);
void        mr_copy_records_dialog_set_topics (MrCopyRecordsDialog *self,
                                               const char          *source,
                                               const char          *target);
/* @from and @to as typed: offsets, or dates and times; "" for no bound. */
void        mr_copy_records_dialog_set_range  (MrCopyRecordsDialog *self,
                                               MrCopyRange          range,
                                               const char          *from,
                                               const char          *to);
gboolean    mr_copy_records_dialog_get_busy   (MrCopyRecordsDialog *self);
/* How many records the last copy copied; -1 before one or after an
 * error. */
gint64      mr_copy_records_dialog_get_copied (MrCopyRecordsDialog *self);
const char *mr_copy_records_dialog_get_message (MrCopyRecordsDialog *self);

G_END_DECLS

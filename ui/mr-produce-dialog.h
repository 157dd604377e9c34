/* mr-produce-dialog.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_PRODUCE_DIALOG (mr_produce_dialog_get_type())

G_DECLARE_FINAL_TYPE (MrProduceDialog, mr_produce_dialog, MR, PRODUCE_DIALOG, AdwMessageDialog)

/* A record to produce to @topic, which has @n_partitions. Its "produce"
 * response means: send it. */
GtkWidget *mr_produce_dialog_new            (GtkWindow        *parent,
                                             const char       *topic,
                                             gint32            n_partitions);
void       mr_produce_dialog_set_key        (MrProduceDialog  *self,
                                             const char       *key);
void       mr_produce_dialog_set_value      (MrProduceDialog  *self,
                                             const char       *value);
/* One "name=value" per line. */
void       mr_produce_dialog_set_headers    (MrProduceDialog  *self,
                                             const char       *headers);
/* -1: chosen by key. */
void       mr_produce_dialog_set_partition  (MrProduceDialog  *self,
                                             gint32            partition);
/* The record the form describes, with the partition to send it to (the
 * default partitioner's pick for its key, or partition 0 for no key,
 * when chosen by key). */
void       mr_produce_dialog_get_record     (MrProduceDialog  *self,
                                             MrRecordCopy     *record);

G_END_DECLS

/* mr-topic-dialog.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_TOPIC_DIALOG (mr_topic_dialog_get_type())

G_DECLARE_FINAL_TYPE (MrTopicDialog, mr_topic_dialog, MR, TOPIC_DIALOG, AdwMessageDialog)

/* The form for a new topic (@info NULL) or for the configs and partition
 * count of an existing one. Its "apply" response means: do it. */
GtkWidget  *mr_topic_dialog_new                    (GtkWindow          *parent,
                                                    guint               n_brokers,
                                                    const MrTopicInfo  *info);
gboolean    mr_topic_dialog_get_editing            (MrTopicDialog      *self);
const char *mr_topic_dialog_get_name               (MrTopicDialog      *self);
void        mr_topic_dialog_set_name               (MrTopicDialog      *self,
                                                    const char         *name);
gint32      mr_topic_dialog_get_n_partitions       (MrTopicDialog      *self);
void        mr_topic_dialog_set_n_partitions       (MrTopicDialog      *self,
                                                    gint32              n_partitions);
gint32      mr_topic_dialog_get_replication_factor (MrTopicDialog      *self);
void        mr_topic_dialog_set_replication_factor (MrTopicDialog      *self,
                                                    gint32              replication_factor);
/* Sets a field of the form by its Kafka config name ("retention.ms",
 * "cleanup.policy", ...); FALSE for a config the form does not have. */
gboolean    mr_topic_dialog_set_config             (MrTopicDialog      *self,
                                                    const char         *name,
                                                    const char         *value);
/* The configs the form asks for: its fields that are set, and, when
 * editing, the topic's other overrides unchanged. */
GHashTable *mr_topic_dialog_dup_configs            (MrTopicDialog      *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

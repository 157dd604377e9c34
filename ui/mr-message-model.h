/* mr-message-model.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_MESSAGE_MODEL (mr_message_model_get_type())

G_DECLARE_FINAL_TYPE (MrMessageModel, mr_message_model, MR, MESSAGE_MODEL, GObject)

/* A position of the browser: a record's partition and offset. */
typedef struct
{
  gint32 partition;
  gint64 offset;
} MrMessagePosition;

/* Records per page the loader reads at once. */
#define MR_MESSAGE_MODEL_PAGE_SIZE 256

MrMessageModel *mr_message_model_new              (MrCluster          *cluster) G_GNUC_WARN_UNUSED_RESULT;
const char     *mr_message_model_get_topic        (MrMessageModel     *self);
/* Shows the committed records (log start to high watermark) of @info's
 * topic, partition by partition, or only @partition when not -1; nothing
 * for a NULL @info. Drops any filter. */
void            mr_message_model_set_source       (MrMessageModel     *self,
                                                   const MrTopicInfo  *info,
                                                   gint32              partition);
gint32          mr_message_model_get_partition    (MrMessageModel     *self);
/* New log starts and high watermarks from a describe of the topic: the
 * model grows or shrinks at each partition's ends. */
void            mr_message_model_update_offsets   (MrMessageModel     *self,
                                                   const MrTopicInfo  *info);
/* Shows only @matches (MrMessagePosition, in order; taken), or every
 * record again with NULL. */
void            mr_message_model_set_matches      (MrMessageModel     *self,
                                                   GArray             *matches);
gboolean        mr_message_model_get_filtered     (MrMessageModel     *self);
/* The first position at or after @offset in @partition; the number of
 * items when there is none. */
guint           mr_message_model_find             (MrMessageModel     *self,
                                                   gint32              partition,
                                                   gint64              offset);
gboolean        mr_message_model_get_position     (MrMessageModel     *self,
                                                   guint               position,
                                                   MrMessagePosition  *out);
/* Pages requested and not yet back. */
guint           mr_message_model_get_n_pending    (MrMessageModel     *self);

G_END_DECLS

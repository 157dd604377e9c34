/* mr-group-member.h
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

#include "cluster/mr-cluster.h"

G_BEGIN_DECLS

/* An in-process consumer group member (see mr-group-member.c): a thread
 * that joins a group through the cluster API with the "consumer"
 * protocol and the range assignor, reads its partitions and commits. */
typedef struct _MrGroupMember MrGroupMember;

/* Called from the member's thread with whole batches of @topic's
 * @partition read from @position (the first batch may start before it).
 * Return TRUE once they are taken: the member's position moves past them
 * and the next commit includes them; FALSE reads them again later. */
typedef gboolean (*MrGroupRecordsFunc) (const char *topic,
                                        gint32      partition,
                                        gint64      position,
                                        GBytes     *batches,
                                        gpointer    user_data);

/* A demo member: reads and counts. */
MrGroupMember *mr_group_member_new            (MrCluster          *cluster,
                                               const char         *group_id,
                                               const char         *client_id,
                                               const char * const *topics);
/* A member that hands what it reads to @func (a sink). @user_data must
 * outlive the member. */
MrGroupMember *mr_group_member_new_full       (MrCluster          *cluster,
                                               const char         *group_id,
                                               const char         *client_id,
                                               const char * const *topics,
                                               MrGroupRecordsFunc  func,
                                               gpointer            user_data);
/* Commits, leaves the group and joins the thread. */
void           mr_group_member_free           (MrGroupMember      *member);
const char    *mr_group_member_get_group_id   (MrGroupMember      *member);
const char    *mr_group_member_get_client_id  (MrGroupMember      *member);
/* The current member id, or NULL (a copy). */
char          *mr_group_member_dup_member_id  (MrGroupMember      *member);
/* Records read so far. */
guint64        mr_group_member_get_n_consumed (MrGroupMember      *member);

G_END_DECLS

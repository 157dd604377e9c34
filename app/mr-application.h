/* mr-application.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_APPLICATION (mr_application_get_type())

G_DECLARE_FINAL_TYPE (MrApplication, mr_application, MR, APPLICATION, AdwApplication)

MrApplication      *mr_application_new                  (void) G_GNUC_WARN_UNUSED_RESULT;
char               *mr_application_dup_default_data_dir (MrApplication *self) G_GNUC_WARN_UNUSED_RESULT;
MrCluster          *mr_application_get_cluster          (MrApplication *self);
MrHttpApi          *mr_application_get_http_api         (MrApplication *self);
const GOptionEntry *mr_application_get_option_entries   (void);

G_END_DECLS

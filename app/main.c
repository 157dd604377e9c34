/* main.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-app"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "mr-application.h"
#include "mr-headless.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MrApplication) app = NULL;

  /* Before anything translatable, the --help text included. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Millrace"));

  /* Headless mode never starts GTK: no display is needed. */
  if (mr_headless_requested (argc, argv))
    return mr_headless_run (argc, argv);

  app = mr_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}

/* fuzz-replay.c: runs a fuzz target over its corpus, without libFuzzer.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Linked with one fuzz target (its LLVMFuzzerTestOneInput and, when it
 * has one, LLVMFuzzerInitialize), this is a GLib test program: every file
 * in the directories (or every file) named on the command line is one
 * test case that feeds the file to the target. The normal test suite
 * builds it with gcc and runs the committed corpus, so every seed and
 * every crasher found by a fuzz run stays a regression test; under
 * -Db_sanitize=address,undefined it replays under the sanitizers. */

#include "config.h"

#include <glib.h>

#include "fuzz-target.h"

/* Optional in a target. */
#pragma weak LLVMFuzzerInitialize

static void
replay_file (gconstpointer user_data)
{
  const char *path = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  /* A heap copy of the exact length, as libFuzzer hands it, so reading
   * one byte past the input is caught under AddressSanitizer. */
  {
    g_autofree guint8 *input = g_memdup2 (contents, len);

    g_assert_cmpint (LLVMFuzzerTestOneInput (input, len), ==, 0);
  }
}

/* g_ptr_array_sort() hands pointers to the elements. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
add_path (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      const char *name;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *child = g_build_filename (
            path, g_ptr_array_index (names, i), NULL);

          add_path (child);
        }
      return;
    }

  {
    g_autofree char *base = g_path_get_basename (path);
    g_autofree char *parent = g_path_get_dirname (path);
    g_autofree char *corpus = g_path_get_basename (parent);
    g_autofree char *test_path = g_strdup_printf ("/fuzz-replay/%s/%s",
                                                  corpus, base);

    g_test_add_data_func_full (test_path, g_strdup (path), replay_file,
                               g_free);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Too late to take effect here, but it tells a target that restarts
   * itself under G_SLICE=always-malloc (fuzz-kafka-request) not to: the
   * replay checks leaks only at exit, once every thread has ended. */
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    add_path (argv[i]);
  return g_test_run ();
}

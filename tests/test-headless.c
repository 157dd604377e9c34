/* test-headless.c: `millrace --headless` as a user runs it: the ready line,
 * the HTTP API, a clean exit on SIGTERM and SIGINT, and one-line errors
 * with exit status 2.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "mr-test-util.h"

#define N_BROKERS 3

static const char *
millrace_exe (void)
{
  const char *path = g_getenv ("MILLRACE_EXE");

  g_assert_nonnull (path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE));
  return path;
}

/* A listening socket on 127.0.0.1:@port (0: any port). */
static GSocket *
listen_on (guint port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_nonnull (socket);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);
  if (!g_socket_bind (socket, address, FALSE, NULL)
      || !g_socket_listen (socket, NULL))
    return NULL;
  return g_steal_pointer (&socket);
}

static guint
socket_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  g_assert_nonnull (local);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

/* @n consecutive ports that are free now, from the OS. */
static guint
free_ports (guint n)
{
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autoptr(GSocket) first = listen_on (0);
      guint port = socket_port (first);
      gboolean all_free = port + n - 1 <= G_MAXUINT16;

      for (guint i = 1; all_free && i < n; i++)
        {
          g_autoptr(GSocket) next = listen_on (port + i);

          all_free = next != NULL;
        }

      if (all_free)
        return port;
    }

  g_assert_not_reached ();
  return 0;
}

static GSubprocess *
spawn (const char * const *args,
       GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Headless means no display and no installed schema needed. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "GSETTINGS_SCHEMA_DIR");

  g_ptr_array_add (argv, (gpointer)millrace_exe ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  return g_subprocess_launcher_spawnv (launcher,
                                       (const char * const *)argv->pdata,
                                       error);
}

static void
got_line_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  char **line = user_data;
  g_autoptr(GError) error = NULL;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                     result, NULL, &error);
  g_assert_no_error (error);
  if (*line == NULL)
    *line = g_strdup ("(end of output)");
}

/* The first line of @process's output, within @timeout_s seconds. */
static char *
read_line (GDataInputStream *stream,
           guint             timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;
  char *line = NULL;

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL,
                                       got_line_cb, &line);
  while (line == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5 * G_TIME_SPAN_MILLISECOND);
    }

  return line;
}

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static void
wait_for_exit (GSubprocess *process,
               guint        timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;
  gboolean done = FALSE;

  g_subprocess_wait_async (process, NULL, waited_cb, &done);
  while (!done)
    {
      if (g_get_monotonic_time () >= deadline)
        {
          g_subprocess_force_exit (process);
          g_assert_not_reached ();
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
check_cluster (guint http_port,
               guint first_port)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout",
                                                                  30, NULL);
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/v1/cluster",
                                          http_port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *cluster;
  JsonArray *brokers;
  gconstpointer data;
  gsize len = 0;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);

  data = g_bytes_get_data (body, &len);
  json_parser_load_from_data (parser, data, (gssize)len, &error);
  g_assert_no_error (error);
  cluster = json_node_get_object (json_parser_get_root (parser));
  g_assert_nonnull (json_object_get_string_member (cluster, "cluster_id"));
  brokers = json_object_get_array_member (cluster, "brokers");
  g_assert_cmpuint (json_array_get_length (brokers), ==, N_BROKERS);
  for (guint i = 0; i < N_BROKERS; i++)
    {
      JsonObject *broker = json_array_get_object_element (brokers, i);

      g_assert_cmpint (json_object_get_int_member (broker, "id"), ==, i + 1);
      g_assert_cmpint (json_object_get_int_member (broker, "port"), ==,
                       first_port + i);
      g_assert_cmpstr (json_object_get_string_member (broker, "state"), ==,
                       "running");
    }
}

static char *
read_stderr (GSubprocess *process)
{
  g_autoptr(GDataInputStream) err = NULL;
  gsize len = 0;

  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  return g_data_input_stream_read_upto (err, "", 0, &len, NULL, NULL);
}

/* Runs millrace --headless until @signal_number, checking the ready line,
 * the API and the exit. */
static void
run_until_signal (const char *data_dir,
                  int         signal_number)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *rest = NULL;
  guint first_port = 0;
  guint http_port = 0;
  gsize rest_len = 0;

  /* Another program may take the free ports between the check and the
   * start: then millrace says so, and the test tries other ports. */
  for (guint attempt = 0; line == NULL; attempt++)
    {
      g_autofree char *port_arg = NULL;
      g_autofree char *http_arg = NULL;
      g_autofree char *err = NULL;

      first_port = free_ports (N_BROKERS);
      http_port = free_ports (1);
      port_arg = g_strdup_printf ("%u", first_port);
      http_arg = g_strdup_printf ("%u", http_port);

      g_clear_object (&out);
      g_clear_object (&process);
      process = spawn ((const char * const[]) { "--headless",
                                                "--brokers", "3",
                                                "--data-dir", data_dir,
                                                "--port", port_arg,
                                                "--http-port", http_arg,
                                                NULL },
                       &error);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

      line = read_line (out, 60);
      if (g_str_has_prefix (line, "millrace: ready "))
        break;

      wait_for_exit (process, 15);
      err = read_stderr (process);
      g_test_message ("millrace did not start: %s", err);
      g_assert_true (strstr (err, "not available") != NULL
                     || strstr (err, "in use") != NULL);
      g_assert_cmpuint (attempt, <, 5);
      g_clear_pointer (&line, g_free);
    }
  expected = g_strdup_printf ("millrace: ready bootstrap=127.0.0.1:%u,"
                              "127.0.0.1:%u,127.0.0.1:%u "
                              "http=http://127.0.0.1:%u",
                              first_port, first_port + 1, first_port + 2,
                              http_port);
  g_assert_cmpstr (line, ==, expected);

  check_cluster (http_port, first_port);

  g_subprocess_send_signal (process, signal_number);
  wait_for_exit (process, 15);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* The ready line was the only output. */
  rest = g_data_input_stream_read_upto (out, "", 0, &rest_len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rest_len, ==, 0);
}

static void
test_ready_and_clean_exit (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "cluster", NULL);

  run_until_signal (data_dir, SIGTERM);
  /* Again on the same directory, which now holds a cluster; SIGINT this
   * time. */
  g_assert_true (g_file_test (data_dir, G_FILE_TEST_IS_DIR));
  run_until_signal (data_dir, SIGINT);

  mr_test_remove_tree (dir);
}

/* Runs millrace with @args, which must fail at once with status 2 and one
 * line on stderr starting with "millrace: ". */
static void
assert_fails (const char * const *args)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *joined = g_strjoinv (" ", (char **)args);

  g_test_message ("millrace %s", joined);
  process = spawn (args, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  g_test_message ("stderr: %s", err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "millrace: "));
  g_assert_true (g_str_has_suffix (err, "\n"));
  /* One line: its newline is the last character. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (gssize)strlen (err) - 1);
}

static void
test_bad_arguments (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autofree char *port_arg = g_strdup_printf ("%u", free_ports (N_BROKERS));
  g_autofree char *http_arg = g_strdup_printf ("%u", free_ports (1));
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *below_file = g_build_filename (file, "cluster", NULL);
  g_autoptr(GError) error = NULL;

#define HEADLESS(...) \
  assert_fails ((const char * const[]) { "--headless", "--data-dir", dir, \
                                         "--port", port_arg, \
                                         "--http-port", http_arg, \
                                         __VA_ARGS__, NULL })

  HEADLESS ("--brokers", "0");
  HEADLESS ("--brokers", "17");
  HEADLESS ("--brokers", "three");
  HEADLESS ("--brokers", "");
  HEADLESS ("--port", "abc");
  HEADLESS ("--port", "65535");
  HEADLESS ("--http-port", "70000");
  HEADLESS ("--http-port", "-1");
  HEADLESS ("--frobnicate");
  HEADLESS ("stray-argument");
#undef HEADLESS

  /* A data directory that cannot be created: below a regular file. */
  g_file_set_contents (file, "not a directory", -1, &error);
  g_assert_no_error (error);
  assert_fails ((const char * const[]) { "--headless", "--data-dir",
                                         below_file, "--port", port_arg,
                                         "--http-port", http_arg, NULL });

  mr_test_remove_tree (dir);
}

static void
test_port_in_use (void)
{
  g_autofree char *dir = mr_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "cluster", NULL);
  guint first_port = free_ports (N_BROKERS);
  guint http_port = free_ports (1);
  g_autofree char *port_arg = g_strdup_printf ("%u", first_port);
  g_autofree char *http_arg = g_strdup_printf ("%u", http_port);
  g_autoptr(GSocket) taken = NULL;

  /* The HTTP port. */
  taken = listen_on (http_port);
  g_assert_nonnull (taken);
  assert_fails ((const char * const[]) { "--headless", "--data-dir", data_dir,
                                         "--port", port_arg,
                                         "--http-port", http_arg, NULL });
  g_clear_object (&taken);

  /* The second broker's port. */
  taken = listen_on (first_port + 1);
  g_assert_nonnull (taken);
  assert_fails ((const char * const[]) { "--headless", "--data-dir", data_dir,
                                         "--port", port_arg,
                                         "--http-port", http_arg, NULL });
  g_clear_object (&taken);

  mr_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/headless/ready-and-clean-exit",
                   test_ready_and_clean_exit);
  g_test_add_func ("/headless/bad-arguments", test_bad_arguments);
  g_test_add_func ("/headless/port-in-use", test_port_in_use);

  return g_test_run ();
}

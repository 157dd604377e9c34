/* mr-test-http.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-test"

#include "config.h"

#include <string.h>

#include "mr-test-http.h"

/* The server's thread: starts the API on its own context, reports the
 * port, serves until the loop quits, then stops the API (twice, which must
 * be harmless) and checks that nothing else holds it. */
static gpointer
server_thread (gpointer data)
{
  MrTestHttpFixture *http = data;
  g_autoptr(MrHttpApi) api = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (http->context);

  api = mr_http_api_new (http->cluster, http->context);
  g_assert_cmpuint (mr_http_api_get_port (api), ==, 0);
  g_assert_null (mr_http_api_dup_url (api));
  mr_http_api_start (api, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mr_http_api_get_host (api), ==, "127.0.0.1");
  g_assert_true (mr_http_api_get_cluster (api) == http->cluster);

  g_mutex_lock (&http->lock);
  http->port = mr_http_api_get_port (api);
  g_cond_signal (&http->cond);
  g_mutex_unlock (&http->lock);

  g_main_loop_run (http->loop);

  mr_http_api_stop (api);
  g_assert_cmpuint (mr_http_api_get_port (api), ==, 0);
  /* Stopping twice is fine. */
  mr_http_api_stop (api);
  g_assert_finalize_object (g_steal_pointer (&api));

  g_main_context_pop_thread_default (http->context);
  return NULL;
}

void
mr_test_http_start (MrTestHttpFixture *http,
                    guint              n_brokers,
                    MrTestOptionsFunc  tweak)
{
  MrClusterOptions options;

  http->dir = mr_test_make_tmpdir ();
  mr_test_cluster_options_init (&options, http->dir, n_brokers);
  if (tweak != NULL)
    tweak (&options);
  http->cluster = mr_test_start_cluster (&options);
  mr_cluster_options_clear (&options);

  g_mutex_init (&http->lock);
  g_cond_init (&http->cond);
  http->port = 0;
  http->context = g_main_context_new ();
  http->loop = g_main_loop_new (http->context, FALSE);
  http->thread = g_thread_new ("http-api", server_thread, http);

  g_mutex_lock (&http->lock);
  while (http->port == 0)
    g_cond_wait (&http->cond, &http->lock);
  g_mutex_unlock (&http->lock);

  http->base = g_strdup_printf ("http://127.0.0.1:%u", http->port);
  http->session = soup_session_new_with_options ("timeout", 60, NULL);
}

void
mr_test_http_stop_server (MrTestHttpFixture *http)
{
  if (http->thread == NULL)
    return;

  g_main_loop_quit (http->loop);
  g_thread_join (g_steal_pointer (&http->thread));
}

void
mr_test_http_stop (MrTestHttpFixture *http)
{
  mr_test_http_stop_server (http);
  g_clear_object (&http->session);
  g_clear_pointer (&http->loop, g_main_loop_unref);
  g_clear_pointer (&http->context, g_main_context_unref);
  g_mutex_clear (&http->lock);
  g_cond_clear (&http->cond);
  g_clear_pointer (&http->base, g_free);

  g_clear_pointer (&http->cluster, mr_cluster_unref);
  mr_test_remove_tree (http->dir);
  g_clear_pointer (&http->dir, g_free);
}

guint
mr_test_http_request_full (SoupSession  *session,
                           const char   *base,
                           const char   *method,
                           const char   *path,
                           const char   *body,
                           JsonNode    **out,
                           char        **allow)
{
  g_autofree char *uri = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gconstpointer data;
  gsize len = 0;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json",
                                                bytes);
    }

  response = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  if (allow != NULL)
    *allow = g_strdup (soup_message_headers_get_one (
      soup_message_get_response_headers (msg), "Allow"));

  data = g_bytes_get_data (response, &len);
  if (out != NULL)
    {
      *out = NULL;
      if (len > 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();

          g_assert_cmpstr (soup_message_headers_get_content_type (
                             soup_message_get_response_headers (msg), NULL),
                           ==, "application/json");
          json_parser_load_from_data (parser, data, (gssize)len, &error);
          g_assert_no_error (error);
          *out = json_node_ref (json_parser_get_root (parser));
        }
    }

  return soup_message_get_status (msg);
}

guint
mr_test_http_request (MrTestHttpFixture  *http,
                      const char         *method,
                      const char         *path,
                      const char         *body,
                      JsonNode          **out)
{
  return mr_test_http_request_full (http->session, http->base, method, path,
                                    body, out, NULL);
}

void
mr_test_http_assert_error (MrTestHttpFixture *http,
                           const char        *method,
                           const char        *path,
                           const char        *body,
                           guint              status)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpuint (mr_test_http_request (http, method, path, body, &node),
                    ==, status);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (object, "error_code"), ==,
                   status);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "message")),
                    >, 0);
}

JsonObject *
mr_test_http_get_object (MrTestHttpFixture  *http,
                         const char         *path,
                         JsonNode          **holder)
{
  g_assert_cmpuint (mr_test_http_request (http, "GET", path, NULL, holder),
                    ==, SOUP_STATUS_OK);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*holder));
  return json_node_get_object (*holder);
}

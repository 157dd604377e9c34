/* mr-kafka-listener.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The Kafka wire endpoint of one broker.
 *
 * Framing. Every request and every response is an int32 big-endian Size
 * followed by Size bytes. A Size below zero or above
 * socket.request.max.bytes (104857600) closes the connection at once, as
 * Kafka does; a connection that ends inside a frame is simply closed.
 *
 * Request header. v1, for every non-flexible request version:
 *
 *   api_key int16 | api_version int16 | correlation_id int32 |
 *   client_id NULLABLE_STRING (int16 length)
 *
 * v2, for flexible versions (api_version >= the API's flexible_from): the
 * same four fields, client_id still with an int16 length, then a tag
 * buffer.
 *
 * Response header. v0: correlation_id int32. v1 (flexible responses):
 * correlation_id then a tag buffer; ApiVersions always uses v0, even for
 * its flexible v3. Each request's response buffer starts with room for
 * the Size and this header, filled in when the answer goes out, so that
 * an answer reaching an empty output buffer becomes that buffer instead of
 * being copied into it (a Fetch answer can be megabytes).
 *
 * Dispatch. The header's api_key selects an entry of the handler table
 * (mr-kafka-handlers.c) with its {min, max, flexible_from} versions. An
 * unknown key, or a version outside the range, closes the connection,
 * except for ApiVersions, which gets the v0-format body with error 35
 * (UNSUPPORTED_VERSION) and its own key range so the client retries lower.
 * A header that does not parse closes the connection.
 *
 * Ordering. Each connection keeps a FIFO of slots, one per request in
 * arrival order. Handlers complete their slot from any thread (Produce
 * from the cluster's completion callback, Fetch from a worker thread after
 * its long poll); the I/O thread writes the slots from the head as they
 * complete, so responses leave in request order while requests pipeline.
 * A slot may complete with no response (Produce acks=0) or with "close".
 *
 * Threads. One I/O thread per listener runs its own GMainContext: the
 * listening socket, every connection's non-blocking reads and writes, and
 * a 100 ms tick that follows the broker's state through
 * mr_cluster_list_brokers(). Stopped, crashed or isolated: the port is
 * closed and every client dropped (clients see "connection refused").
 * Paused: connections stay open but nothing is read or written until the
 * broker resumes.
 *
 * Execution. As in Kafka, one connection's requests run one at a time in
 * arrival order: the next handler starts when the previous one returns.
 * A Produce handler returns once its batches are appended and leaves the
 * wait for replication to the cluster's callback, so pipelined produces
 * still overlap their replication; a Fetch handler returns after its long
 * poll. Handlers run in the listener's worker pool, except ApiVersions,
 * which runs on the I/O thread when nothing is queued before it, and
 * Produce, which does too while the broker runs at full speed: its append
 * is a write into the page cache and its wait for replication is not
 * spent on a thread, so the hand-off to a worker would only add latency
 * (a third of the median at 10,000 produces/s, bench-kafka). While "slow"
 * adds latency to the broker's disk, Produce goes to the pool again, so
 * one slow append does not hold up the reads of every connection.
 *
 * Without a socket. mr_kafka_listener_run_frame() runs one frame through
 * the same header parse, version check and handler on a connection that
 * has no socket, for the fuzz target and its corpus replay: the response
 * stays in the connection's output buffer, and the connection has its own
 * stopping flag so that a long poll can be cut short.
 *
 * Capture. When MILLRACE_KAFKA_CAPTURE_DIR names a directory as the
 * listener is created, every request frame it receives (without its Size
 * prefix) is also written there, one file per frame, named
 * p<pid>-b<broker>-<sequence>-api<key>-v<version>.bin. That is how the fuzz
 * corpus is taken from real client traffic (tests/fuzz/capture-corpus.sh);
 * nothing is written when the variable is unset. */

#define G_LOG_DOMAIN "mr-protocol"

#include "config.h"

#include "mr-kafka-listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "mr-kafka-codec.h"
#include "mr-kafka-handlers.h"

#define TICK_MS 100
#define READ_CHUNK 65536

typedef struct _Connection Connection;

typedef enum
{
  SLOT_PENDING,
  SLOT_READY,
  SLOT_DROPPED,
  SLOT_FAILED,
} SlotState;

typedef struct
{
  MrKafkaRequest        request;   /* first: handlers see only this */
  const MrKafkaHandler *handler;
  Connection           *connection;
  SlotState             state;     /* @locks connection->lock */
} Slot;

/* The listener is reference counted because a produce waiting for
 * replication can complete after mr_kafka_listener_free(): every
 * connection holds a reference, so its late completion finds the
 * listener, stopped, still there. */
struct _MrKafkaListener
{
  gatomicrefcount ref;
  MrCluster      *cluster;
  gint32          broker_id;
  char           *host;
  guint           port;
  GSocketAddress *address;
  char           *capture_dir;     /* MILLRACE_KAFKA_CAPTURE_DIR, or NULL */

  GMainContext   *context;
  GMainLoop      *loop;
  GThread        *thread;
  GThreadPool    *pool;

  /* I/O thread only, once started. */
  GSocket        *socket;
  GSource        *accept_source;
  GSource        *tick_source;
  GPtrArray      *connections;
  gint            paused;          /* atomic: read by completing threads */
  gboolean        slowed;          /* "slow": local writes go to the pool */

  gint            in_flight;       /* atomic: slots not yet completed */
  gint            stopping;        /* atomic */
  gboolean        started;
  gboolean        stopped;
};

struct _Connection
{
  gatomicrefcount  ref;
  MrKafkaListener *listener;
  GSocket         *socket;
  GSource         *read_source;
  GSource         *write_source;   /* @locks lock */
  GByteArray      *in;
  GByteArray      *out;            /* @locks lock */
  char            *client_host;    /* "/address", as Kafka writes it */
  gsize            out_pos;        /* @locks lock */
  gboolean         closed;         /* set by the I/O thread under lock */
  GMutex           lock;
  GQueue           slots;          /* Slot *; @locks lock */
  gboolean         flush_scheduled; /* @locks lock */
  /* Requests run one at a time per connection, in order, as Kafka does;
   * the next one starts when the previous handler returns (a produce
   * returns once appended, before replication). */
  gboolean         busy;           /* @locks lock */
  GQueue           waiting;        /* Slot * not started; @locks lock */
  /* A connection without a socket (mr_kafka_listener_run_frame()) ends
   * its long polls when this is set. */
  gint             cut_short;      /* atomic */
};

static void listener_unref     (MrKafkaListener *listener);
static void connection_close   (Connection *connection);
static void connection_flush   (Connection *connection);
static gboolean connection_write_locked (Connection *connection);
static void connection_take_answers_locked (Connection *connection,
                                            gboolean   *fail);
static void connection_watch   (Connection *connection);

/* The Size and the response header, in front of every response body. */
static guint
response_header_size (const MrKafkaRequest *request)
{
  gboolean tags = request->flexible
                  && request->api_key != MR_KAFKA_API_VERSIONS;

  return 4 + 4 + (tags ? 1 : 0);
}

static void
slot_free (Slot *slot)
{
  g_free (slot->request.client_id);
  g_clear_pointer (&slot->request.frame, g_bytes_unref);
  g_clear_pointer (&slot->request.response, g_byte_array_unref);
  g_free (slot);
}

static Connection *
connection_ref (Connection *connection)
{
  g_atomic_ref_count_inc (&connection->ref);
  return connection;
}

static void
connection_unref (Connection *connection)
{
  if (!g_atomic_ref_count_dec (&connection->ref))
    return;
  g_queue_clear_full (&connection->slots, (GDestroyNotify)slot_free);
  g_queue_clear (&connection->waiting);
  g_mutex_clear (&connection->lock);
  g_clear_object (&connection->socket);
  g_byte_array_unref (connection->in);
  g_byte_array_unref (connection->out);
  g_free (connection->client_host);
  listener_unref (connection->listener);
  g_free (connection);
}

/* @locality: I/O thread. */
static gboolean
flush_in_context (gpointer user_data)
{
  Connection *connection = user_data;

  g_mutex_lock (&connection->lock);
  connection->flush_scheduled = FALSE;
  g_mutex_unlock (&connection->lock);
  connection_flush (connection);
  return G_SOURCE_REMOVE;
}

/* @locality: any thread. */
static void
slot_finish (Slot      *slot,
             SlotState  state)
{
  Connection *connection = slot->connection;
  MrKafkaListener *listener = connection->listener;
  gboolean schedule = FALSE;

  g_mutex_lock (&connection->lock);
  slot->state = state;
  /* An answer that completes on another thread (a produce's replication,
   * a long poll) goes out from here when nothing stands in its way: one
   * wake-up of the I/O thread less on every acks=all produce. Anything
   * else (a failure, a full socket, a pause) is the I/O thread's. */
  if (state == SLOT_READY && connection->socket != NULL &&
      !connection->closed && !connection->flush_scheduled &&
      connection->write_source == NULL &&
      !g_atomic_int_get (&listener->paused) &&
      !g_atomic_int_get (&listener->stopping))
    {
      gboolean fail = FALSE;

      connection_take_answers_locked (connection, &fail);
      if (!connection_write_locked (connection) || fail)
        {
          connection->flush_scheduled = TRUE;
          schedule = TRUE;
        }
    }
  else if (!connection->flush_scheduled &&
           !g_atomic_int_get (&listener->stopping))
    {
      connection->flush_scheduled = TRUE;
      schedule = TRUE;
    }
  g_mutex_unlock (&connection->lock);

  if (schedule)
    g_main_context_invoke_full (listener->context, G_PRIORITY_DEFAULT,
                                flush_in_context, connection_ref (connection),
                                (GDestroyNotify)connection_unref);
  g_atomic_int_dec_and_test (&listener->in_flight);
  connection_unref (connection);
}

void
mr_kafka_request_respond (MrKafkaRequest *request)
{
  slot_finish ((Slot *)request, SLOT_READY);
}

void
mr_kafka_request_drop (MrKafkaRequest *request)
{
  slot_finish ((Slot *)request, SLOT_DROPPED);
}

void
mr_kafka_request_fail (MrKafkaRequest *request,
                       const char     *why)
{
  g_debug ("Broker %d: closing a connection: %s (api %d v%d)",
           request->broker_id, why, request->api_key, request->api_version);
  slot_finish ((Slot *)request, SLOT_FAILED);
}

/* @locality: I/O thread. */
static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  Connection *connection = user_data;

  g_mutex_lock (&connection->lock);
  g_clear_pointer (&connection->write_source, g_source_unref);
  g_mutex_unlock (&connection->lock);
  connection_flush (connection);
  return G_SOURCE_REMOVE;
}

/* Sends what it can of the output buffer without blocking; what the
 * socket does not take now goes when it turns writable (on the I/O
 * thread). Returns FALSE when the connection failed: the caller closes it
 * on the I/O thread.
 * @locality: any thread. @locks: lock held. */
static gboolean
connection_write_locked (Connection *connection)
{
  /* Without a socket the output stays for mr_kafka_listener_run_frame(). */
  if (connection->socket == NULL)
    return TRUE;
  while (connection->out_pos < connection->out->len)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      n = g_socket_send (connection->socket,
                         (const char *)connection->out->data + connection->out_pos,
                         connection->out->len - connection->out_pos,
                         NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              if (connection->write_source == NULL)
                {
                  connection->write_source =
                    g_socket_create_source (connection->socket, G_IO_OUT, NULL);
                  g_source_set_callback (connection->write_source,
                                         G_SOURCE_FUNC (on_writable),
                                         connection, NULL);
                  g_source_attach (connection->write_source,
                                   connection->listener->context);
                }
              return TRUE;
            }
          g_debug ("Broker %d: send failed: %s",
                   connection->listener->broker_id, error->message);
          return FALSE;
        }
      connection->out_pos += (gsize)n;
    }
  g_byte_array_set_size (connection->out, 0);
  connection->out_pos = 0;
  return TRUE;
}

/* Moves completed slots from the head of the FIFO to the output buffer;
 * sets *@fail at a request that closes the connection.
 * @locality: any thread. @locks: lock held. */
static void
connection_take_answers_locked (Connection *connection,
                                gboolean   *fail)
{
  while (!*fail && !g_queue_is_empty (&connection->slots))
    {
      Slot *slot = g_queue_peek_head (&connection->slots);

      if (slot->state == SLOT_PENDING)
        break;
      g_queue_pop_head (&connection->slots);
      if (slot->state == SLOT_READY)
        {
          GByteArray *response = slot->request.response;
          guint32 size = GUINT32_TO_BE (response->len - 4);
          guint32 correlation_id =
            GUINT32_TO_BE ((guint32)slot->request.correlation_id);

          memcpy (response->data, &size, 4);
          memcpy (response->data + 4, &correlation_id, 4);
          if (response_header_size (&slot->request) > 8)
            response->data[8] = 0;    /* no tagged fields */
          if (connection->out->len == 0)
            {
              g_byte_array_unref (connection->out);
              connection->out = g_steal_pointer (&slot->request.response);
              connection->out_pos = 0;
            }
          else
            g_byte_array_append (connection->out, response->data,
                                 response->len);
        }
      else if (slot->state == SLOT_FAILED)
        *fail = TRUE;
      slot_free (slot);
    }
}

/* Sends the answers that are ready, in order.
 * @locality: I/O thread. */
static void
connection_flush (Connection *connection)
{
  gboolean fail = FALSE;
  gboolean ok = TRUE;

  if (connection->closed || g_atomic_int_get (&connection->listener->paused))
    return;

  /* Whatever was answered before a failing request still goes out, best
   * effort, then the connection closes. */
  g_mutex_lock (&connection->lock);
  connection_take_answers_locked (connection, &fail);
  if (connection->write_source == NULL)
    ok = connection_write_locked (connection);
  g_mutex_unlock (&connection->lock);
  if (fail || !ok)
    connection_close (connection);
}

/* Runs @slot's handler, then every request of the connection that
 * queued up behind it. The slot may be freed as soon as its handler ends
 * it, hence the connection's own reference.
 * @locality: a worker of the listener's pool, or the I/O thread for an
 * inline handler with nothing queued. */
static void
slot_run (Slot *slot)
{
  Connection *connection = connection_ref (slot->connection);

  while (slot != NULL)
    {
      /* Requests still queued when the listener stops are dropped. */
      if (g_atomic_int_get (&connection->listener->stopping))
        mr_kafka_request_drop (&slot->request);
      else
        slot->handler->func (&slot->request);
      g_mutex_lock (&connection->lock);
      slot = g_queue_pop_head (&connection->waiting);
      if (slot == NULL)
        connection->busy = FALSE;
      g_mutex_unlock (&connection->lock);
    }
  /* mr_kafka_listener_run_frame() waits for the connection to go idle. */
  if (connection->socket == NULL)
    g_main_context_wakeup (connection->listener->context);
  connection_unref (connection);
}

static void
run_in_pool (gpointer data,
             gpointer user_data)
{
  slot_run (data);
}

static void
answer_unsupported (MrKafkaRequest *request)
{
  mr_kafka_write_api_versions_fallback (request->response);
  mr_kafka_request_respond (request);
}

/* An ApiVersions version out of range gets the v0 fallback body. */
static const MrKafkaHandler unsupported_handler = {
  MR_KAFKA_API_VERSIONS, 0, 0, G_MAXINT16, MR_KAFKA_HANDLER_INLINE,
  answer_unsupported,
};

/* Writes one request frame to the capture directory, best effort.
 * @locality: I/O thread. */
static void
capture_frame (MrKafkaListener *listener,
               const guint8    *data,
               gsize            len)
{
  static gint sequence;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  gint16 api_key = -1;
  gint16 api_version = -1;

  if (len >= 4)
    {
      api_key = (gint16)(((guint16)data[0] << 8) | data[1]);
      api_version = (gint16)(((guint16)data[2] << 8) | data[3]);
    }
  name = g_strdup_printf ("p%d-b%d-%06d-api%d-v%d.bin", (int)getpid (),
                          listener->broker_id,
                          g_atomic_int_add (&sequence, 1), api_key,
                          api_version);
  path = g_build_filename (listener->capture_dir, name, NULL);
  if (!g_file_set_contents (path, (const char *)data, (gssize)len, &error))
    g_debug ("Broker %d: cannot capture a frame: %s", listener->broker_id,
             error->message);
}

/* Parses one frame's header and hands the request to its handler.
 * Returns FALSE when the connection must close.
 * @locality: I/O thread. */
static gboolean
connection_dispatch (Connection   *connection,
                     const guint8 *data,
                     gsize         len)
{
  MrKafkaListener *listener = connection->listener;
  const MrKafkaHandler *handler;
  MrKafkaReader reader;
  g_autofree char *client_id = NULL;
  gint16 api_key;
  gint16 api_version;
  gint32 correlation_id;
  gboolean flexible = FALSE;
  gboolean unsupported = FALSE;
  gboolean start;
  Slot *slot;

  if (listener->capture_dir != NULL && connection->socket != NULL)
    capture_frame (listener, data, len);

  mr_kafka_reader_init (&reader, data, len);
  api_key = mr_kafka_reader_int16 (&reader);
  api_version = mr_kafka_reader_int16 (&reader);
  correlation_id = mr_kafka_reader_int32 (&reader);
  client_id = mr_kafka_reader_nullable_string (&reader);
  if (mr_kafka_reader_failed (&reader))
    goto fail;

  handler = mr_kafka_handler_lookup (api_key);
  if (handler == NULL)
    goto fail;
  if (api_version < handler->min_version || api_version > handler->max_version)
    {
      if (api_key != MR_KAFKA_API_VERSIONS)
        goto fail;
      unsupported = TRUE;
    }
  else
    {
      flexible = api_version >= handler->flexible_from;
      if (flexible)
        mr_kafka_reader_skip_tags (&reader);
      if (mr_kafka_reader_failed (&reader))
        goto fail;
    }

  mr_cluster_count_request (listener->cluster, listener->broker_id);

  slot = g_new0 (Slot, 1);
  slot->handler = unsupported ? &unsupported_handler : handler;
  slot->connection = connection_ref (connection);
  slot->state = SLOT_PENDING;
  slot->request.cluster = listener->cluster;
  slot->request.broker_id = listener->broker_id;
  slot->request.port = listener->port;
  slot->request.stopping = connection->socket != NULL
                           ? &listener->stopping : &connection->cut_short;
  slot->request.api_key = api_key;
  slot->request.api_version = api_version;
  slot->request.correlation_id = correlation_id;
  slot->request.flexible = flexible;
  slot->request.client_id = g_steal_pointer (&client_id);
  slot->request.client_host = connection->client_host;
  slot->request.frame = g_bytes_new (data, len);
  slot->request.body = (const guint8 *)g_bytes_get_data (slot->request.frame, NULL)
                       + reader.pos;
  slot->request.body_len = len - reader.pos;
  slot->request.response = g_byte_array_new ();
  g_byte_array_set_size (slot->request.response,
                         response_header_size (&slot->request));

  g_atomic_int_inc (&listener->in_flight);
  g_mutex_lock (&connection->lock);
  g_queue_push_tail (&connection->slots, slot);
  start = !connection->busy;
  if (start)
    connection->busy = TRUE;
  else
    g_queue_push_tail (&connection->waiting, slot);
  g_mutex_unlock (&connection->lock);

  if (!start)
    return TRUE;
  if (slot->handler->threading == MR_KAFKA_HANDLER_INLINE ||
      (slot->handler->threading == MR_KAFKA_HANDLER_LOCAL_WRITE &&
       !listener->slowed))
    slot_run (slot);
  else
    g_thread_pool_push (listener->pool, slot, NULL);
  return TRUE;

fail:
  g_debug ("Broker %d: closing a connection on a request it cannot take "
           "(api %d v%d)", listener->broker_id, (int)api_key, (int)api_version);
  return FALSE;
}

/* Dispatches every whole frame in the input buffer.
 * @locality: I/O thread. */
static gboolean
connection_parse (Connection *connection)
{
  gsize start = 0;
  gboolean ok = TRUE;

  while (!connection->closed && connection->in->len - start >= 4)
    {
      const guint8 *p = connection->in->data + start;
      gint32 size = (gint32)(((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
                             ((guint32)p[2] << 8) | p[3]);

      if (size < 0 || size > MR_KAFKA_MAX_REQUEST_SIZE)
        {
          g_debug ("Broker %d: frame size %d out of range",
                   connection->listener->broker_id, size);
          ok = FALSE;
          break;
        }
      if (connection->in->len - start - 4 < (gsize)size)
        break;
      if (!connection_dispatch (connection, p + 4, (gsize)size))
        {
          ok = FALSE;
          break;
        }
      start += 4 + (gsize)size;
    }
  if (start > 0 && !connection->closed)
    g_byte_array_remove_range (connection->in, 0, start);
  return ok && !connection->closed;
}

/* @locality: I/O thread. */
static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  Connection *connection = user_data;
  g_autoptr(GError) error = NULL;
  gsize old_len = connection->in->len;
  gboolean keep;
  gssize n;

  g_byte_array_set_size (connection->in, old_len + READ_CHUNK);
  n = g_socket_receive (socket, (char *)connection->in->data + old_len,
                        READ_CHUNK, NULL, &error);
  g_byte_array_set_size (connection->in, old_len + (n > 0 ? (gsize)n : 0));
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;

  /* Handlers that end their request at once flush (and may close) the
   * connection from inside the parse: keep it alive until we are out. */
  connection_ref (connection);
  if (n <= 0 || !connection_parse (connection))
    connection_close (connection);
  keep = !connection->closed && connection->read_source != NULL;
  connection_unref (connection);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* @locality: I/O thread. */
static void
connection_watch (Connection *connection)
{
  if (connection->read_source != NULL || connection->closed)
    return;
  connection->read_source = g_socket_create_source (connection->socket,
                                                    G_IO_IN, NULL);
  g_source_set_callback (connection->read_source, G_SOURCE_FUNC (on_readable),
                         connection, NULL);
  /* GLib takes a source that may not recurse out of the poll set while it
   * dispatches and puts it back after, and each of those wakes the
   * context: two wasted system calls and a second poll on every request.
   * Nothing here runs the context from inside a callback. */
  g_source_set_can_recurse (connection->read_source, TRUE);
  g_source_attach (connection->read_source, connection->listener->context);
}

static void
connection_unwatch (Connection *connection)
{
  if (connection->read_source != NULL)
    {
      g_source_destroy (connection->read_source);
      g_clear_pointer (&connection->read_source, g_source_unref);
    }
}

/* @locality: I/O thread. */
static void
connection_close (Connection *connection)
{
  MrKafkaListener *listener = connection->listener;

  if (connection->closed)
    return;
  g_mutex_lock (&connection->lock);
  connection->closed = TRUE;
  if (connection->write_source != NULL)
    {
      g_source_destroy (connection->write_source);
      g_clear_pointer (&connection->write_source, g_source_unref);
    }
  g_mutex_unlock (&connection->lock);
  connection_unwatch (connection);
  if (connection->socket == NULL)
    return;
  g_socket_close (connection->socket, NULL);
  /* The list holds a reference: removing drops it. */
  g_ptr_array_remove_fast (listener->connections, connection);
}

/* The peer's address as Kafka's group descriptions show it: "/127.0.0.1";
 * a connection without a socket is the loopback's. */
static char *
client_host_of (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *text = NULL;

  if (socket != NULL)
    address = g_socket_get_remote_address (socket, NULL);
  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("/127.0.0.1");
  text = g_inet_address_to_string (g_inet_socket_address_get_address (
                                     G_INET_SOCKET_ADDRESS (address)));
  return g_strconcat ("/", text, NULL);
}

/* @socket: taken; NULL for mr_kafka_listener_run_frame(). */
static Connection *
connection_new (MrKafkaListener *listener,
                GSocket         *socket)
{
  Connection *connection = g_new0 (Connection, 1);

  g_atomic_ref_count_init (&connection->ref);
  g_atomic_ref_count_inc (&listener->ref);
  connection->listener = listener;
  connection->socket = socket;
  connection->in = g_byte_array_new ();
  connection->out = g_byte_array_new ();
  connection->client_host = client_host_of (socket);
  g_mutex_init (&connection->lock);
  g_queue_init (&connection->slots);
  g_queue_init (&connection->waiting);
  return connection;
}

/* @locality: I/O thread. */
static gboolean
on_incoming (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  MrKafkaListener *listener = user_data;
  g_autoptr(GError) error = NULL;
  GSocket *client;
  Connection *connection;

  client = g_socket_accept (socket, NULL, &error);
  if (client == NULL)
    return G_SOURCE_CONTINUE;
  g_socket_set_blocking (client, FALSE);
  g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  connection = connection_new (listener, client);
  g_ptr_array_add (listener->connections, connection);
  if (!g_atomic_int_get (&listener->paused))
    connection_watch (connection);
  return G_SOURCE_CONTINUE;
}

static GSocket *
open_socket (GSocketAddress  *address,
             GError         **error)
{
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_socket_address_get_family (address),
                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  if (!g_socket_bind (socket, address, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, 128);
  if (!g_socket_listen (socket, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

/* @locality: I/O thread. */
static void
listener_go_down (MrKafkaListener *listener)
{
  while (listener->connections->len > 0)
    connection_close (g_ptr_array_index (listener->connections, 0));
  if (listener->accept_source != NULL)
    {
      g_source_destroy (listener->accept_source);
      g_clear_pointer (&listener->accept_source, g_source_unref);
    }
  if (listener->socket != NULL)
    {
      g_socket_close (listener->socket, NULL);
      g_clear_object (&listener->socket);
    }
}

/* @locality: I/O thread. */
static void
listener_go_up (MrKafkaListener *listener)
{
  g_autoptr(GError) error = NULL;

  if (listener->socket == NULL)
    {
      listener->socket = open_socket (listener->address, &error);
      if (listener->socket == NULL)
        {
          g_debug ("Broker %d: cannot listen again on port %u: %s",
                   listener->broker_id, listener->port, error->message);
          return;
        }
    }
  if (listener->accept_source == NULL)
    {
      listener->accept_source = g_socket_create_source (listener->socket,
                                                        G_IO_IN, NULL);
      g_source_set_callback (listener->accept_source,
                             G_SOURCE_FUNC (on_incoming), listener, NULL);
      g_source_attach (listener->accept_source, listener->context);
    }
}

/* Follows the broker's state.
 * @locality: I/O thread. */
static gboolean
on_tick (gpointer user_data)
{
  MrKafkaListener *listener = user_data;
  g_autoptr(GPtrArray) brokers = mr_cluster_list_brokers (listener->cluster);
  MrBrokerState state = MR_BROKER_STATE_STOPPED;
  gboolean paused;

  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      if (info->id == listener->broker_id)
        {
          state = info->state;
          listener->slowed = info->latency_ms > 0;
        }
    }

  if (state == MR_BROKER_STATE_STOPPED || state == MR_BROKER_STATE_CRASHED ||
      state == MR_BROKER_STATE_ISOLATED)
    {
      listener_go_down (listener);
      return G_SOURCE_CONTINUE;
    }
  listener_go_up (listener);

  paused = state == MR_BROKER_STATE_PAUSED;
  if (paused != g_atomic_int_get (&listener->paused))
    {
      g_atomic_int_set (&listener->paused, paused);
      for (guint i = 0; i < listener->connections->len; i++)
        {
          Connection *connection = g_ptr_array_index (listener->connections, i);

          if (paused)
            connection_unwatch (connection);
          else
            connection_watch (connection);
        }
      /* Flushing may close connections: iterate over a copy. */
      if (!paused)
        {
          g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func (
            (GDestroyNotify)connection_unref);

          for (guint i = 0; i < listener->connections->len; i++)
            g_ptr_array_add (copy, connection_ref (
              g_ptr_array_index (listener->connections, i)));
          for (guint i = 0; i < copy->len; i++)
            {
              Connection *connection = g_ptr_array_index (copy, i);

              connection_flush (connection);
              /* Frames that arrived just before the pause. */
              if (!connection->closed && !connection_parse (connection))
                connection_close (connection);
            }
        }
    }
  return G_SOURCE_CONTINUE;
}

static gpointer
io_thread (gpointer data)
{
  MrKafkaListener *listener = data;

  g_main_context_push_thread_default (listener->context);
  listener_go_up (listener);
  listener->tick_source = g_timeout_source_new (TICK_MS);
  g_source_set_callback (listener->tick_source, on_tick, listener, NULL);
  g_source_attach (listener->tick_source, listener->context);

  g_main_loop_run (listener->loop);

  g_source_destroy (listener->tick_source);
  g_clear_pointer (&listener->tick_source, g_source_unref);
  listener_go_down (listener);
  g_main_context_pop_thread_default (listener->context);
  return NULL;
}

static GSocketAddress *
resolve (const char  *host,
         guint        port,
         GError     **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);

  if (inet == NULL)
    {
      g_autoptr(GResolver) resolver = g_resolver_get_default ();
      GList *addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);

      if (addresses == NULL)
        return NULL;
      inet = g_object_ref (addresses->data);
      g_resolver_free_addresses (addresses);
    }
  return g_inet_socket_address_new (inet, (guint16)port);
}

MrKafkaListener *
mr_kafka_listener_new (MrCluster   *cluster,
                       gint32       broker_id,
                       const char  *host,
                       guint        port,
                       GError     **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  MrKafkaListener *listener;
  GSocket *socket;

  g_return_val_if_fail (cluster != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  address = resolve (host, port, error);
  if (address == NULL)
    return NULL;
  socket = open_socket (address, error);
  if (socket == NULL)
    {
      g_prefix_error (error, "Broker %d cannot listen on %s:%u: ", broker_id,
                      host, port);
      return NULL;
    }
  local = g_socket_get_local_address (socket, NULL);

  listener = g_new0 (MrKafkaListener, 1);
  g_atomic_ref_count_init (&listener->ref);
  listener->cluster = mr_cluster_ref (cluster);
  listener->broker_id = broker_id;
  listener->host = g_strdup (host);
  listener->capture_dir = g_strdup (g_getenv ("MILLRACE_KAFKA_CAPTURE_DIR"));
  listener->socket = socket;
  listener->port = local != NULL
    ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : port;
  listener->address = g_inet_socket_address_new (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)),
    (guint16)listener->port);
  listener->context = g_main_context_new ();
  listener->loop = g_main_loop_new (listener->context, FALSE);
  listener->connections = g_ptr_array_new_with_free_func (
    (GDestroyNotify)connection_unref);
  listener->pool = g_thread_pool_new (run_in_pool, listener, -1, FALSE, NULL);
  return listener;
}

/* @locality: any thread but the listener's. */
void
mr_kafka_listener_start (MrKafkaListener *listener)
{
  g_autofree char *name = NULL;

  g_return_if_fail (listener != NULL);
  g_return_if_fail (!listener->started);

  listener->started = TRUE;
  name = g_strdup_printf ("mr-kafka-%d", listener->broker_id);
  listener->thread = g_thread_new (name, io_thread, listener);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* @locality: any thread but the listener's. */
void
mr_kafka_listener_stop (MrKafkaListener *listener)
{
  g_return_if_fail (listener != NULL);

  if (listener->stopped)
    return;
  listener->stopped = TRUE;
  g_atomic_int_set (&listener->stopping, TRUE);
  if (listener->thread != NULL)
    {
      g_main_context_invoke (listener->context, quit_loop, listener->loop);
      g_thread_join (g_steal_pointer (&listener->thread));
    }
  else if (listener->socket != NULL)
    {
      g_socket_close (listener->socket, NULL);
      g_clear_object (&listener->socket);
    }
  /* Handlers running now end soon (long polls watch the stopping flag);
   * produces waiting for replication may complete later, even after the
   * cluster's shutdown, which completes them all. */
  g_thread_pool_free (g_steal_pointer (&listener->pool), FALSE, TRUE);
  for (guint i = 0; i < 200 && g_atomic_int_get (&listener->in_flight) > 0; i++)
    g_usleep (10000);
  if (g_atomic_int_get (&listener->in_flight) > 0)
    g_debug ("Broker %d: %d requests still in flight at stop",
             listener->broker_id, g_atomic_int_get (&listener->in_flight));
  /* Drain flushes that were queued before the loop quit. */
  while (g_main_context_iteration (listener->context, FALSE))
    ;
}

static void
listener_unref (MrKafkaListener *listener)
{
  if (!g_atomic_ref_count_dec (&listener->ref))
    return;
  g_ptr_array_unref (listener->connections);
  g_main_loop_unref (listener->loop);
  g_main_context_unref (listener->context);
  g_clear_object (&listener->address);
  mr_cluster_unref (listener->cluster);
  g_free (listener->host);
  g_free (listener->capture_dir);
  g_free (listener);
}

/* @locality: any thread but the listener's. */
void
mr_kafka_listener_free (MrKafkaListener *listener)
{
  if (listener == NULL)
    return;
  mr_kafka_listener_stop (listener);
  listener_unref (listener);
}

guint
mr_kafka_listener_get_port (MrKafkaListener *listener)
{
  return listener->port;
}

gint32
mr_kafka_listener_get_broker_id (MrKafkaListener *listener)
{
  return listener->broker_id;
}

static gboolean
cut_short (gpointer user_data)
{
  Connection *connection = user_data;

  g_atomic_int_set (&connection->cut_short, TRUE);
  return G_SOURCE_REMOVE;
}

/* @locality: any one thread at a time; the listener is never started. */
GBytes *
mr_kafka_listener_run_frame (MrKafkaListener *listener,
                             const guint8    *data,
                             gsize            len,
                             guint            patience_ms)
{
  Connection *connection;
  GSource *patience;
  GBytes *response = NULL;
  gboolean ok;

  g_return_val_if_fail (listener != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (!listener->started, NULL);

  if (!g_main_context_acquire (listener->context))
    g_return_val_if_reached (NULL);

  connection = connection_new (listener, NULL);
  patience = g_timeout_source_new (patience_ms);
  g_source_set_callback (patience, cut_short, connection, NULL);
  g_source_attach (patience, listener->context);

  /* Dispatch copies the frame, so @data may be a borrowed buffer. */
  ok = connection_dispatch (connection, data != NULL ? data : (const guint8 *)"",
                            len);
  for (;;)
    {
      gboolean idle;

      g_mutex_lock (&connection->lock);
      idle = !connection->busy &&
             (connection->closed || g_queue_is_empty (&connection->slots));
      g_mutex_unlock (&connection->lock);
      if (!ok || idle)
        break;
      /* Woken by the flush a completion schedules, by the end of the
       * handler (slot_run) and by the patience timeout. */
      g_main_context_iteration (listener->context, TRUE);
    }
  g_source_destroy (patience);
  g_source_unref (patience);

  if (ok && !connection->closed)
    response = g_bytes_new (connection->out->data, connection->out->len);
  connection->closed = TRUE;
  connection_unref (connection);
  g_main_context_release (listener->context);
  return response;
}

GPtrArray *
mr_kafka_listeners_start_all (MrCluster  *cluster,
                              GError    **error)
{
  g_autoptr(GPtrArray) brokers = NULL;
  g_autoptr(GPtrArray) listeners = NULL;

  g_return_val_if_fail (cluster != NULL, NULL);

  listeners = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_kafka_listener_free);
  brokers = mr_cluster_list_brokers (cluster);
  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);
      MrKafkaListener *listener;

      listener = mr_kafka_listener_new (cluster, info->id, info->host,
                                        info->port, error);
      if (listener == NULL)
        return NULL;
      g_ptr_array_add (listeners, listener);
    }
  for (guint i = 0; i < listeners->len; i++)
    mr_kafka_listener_start (g_ptr_array_index (listeners, i));
  return g_steal_pointer (&listeners);
}

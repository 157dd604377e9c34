/* mr-message-model.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-message-model.h"

#include "mr-message-item.h"

/* The records of a topic as a GListModel, for millions of rows.
 *
 * The model holds no record until asked. Its size comes from the offsets
 * alone: for each partition shown, high watermark minus log start, laid end
 * to end in a compact array of ranges (or, when filtered, an array of the
 * matching positions). get_item() maps a position to (partition, offset),
 * and looks for the page of MR_MESSAGE_MODEL_PAGE_SIZE offsets holding it
 * in a small cache. When the page is there the item is complete at once;
 * otherwise the item starts empty, waits in the page's pending list (a weak
 * reference: an item the list dropped costs nothing), and the page is
 * queued for a loader thread.
 *
 * Loading: two loader threads of their own serve every model from one
 * GAsyncQueue sorted newest request first, so that while the user flings the
 * list the rows now visible load first, and requests that have grown old
 * (more than STALE_REQUESTS behind the newest of their model) are skipped
 * without touching the broker. A job reads its page with
 * mr_record_page_read() and sends it back to the model's main context
 * in an idle source on it. The model's state is main-thread
 * only; a job reaches it only through the shared Loader, whose model
 * pointer the model clears in dispose. A change of source bumps a
 * generation, and pages from an older one are dropped on arrival. */

#define CACHE_PAGES    256
#define STALE_REQUESTS 48
#define RETRY_DELAY_MS 500

typedef struct
{
  gint32 partition;
  gint64 start;            /* log start shown */
  gint64 end;              /* high watermark shown */
  guint  first_position;
} Range;

typedef struct
{
  gatomicrefcount  ref;
  MrCluster       *cluster;
  GMainContext    *context;
  MrMessageModel  *model;          /* main thread only */
  gint             newest_serial;  /* atomic */
} Loader;

typedef struct
{
  Loader       *loader;
  char         *topic;
  gint32        partition;
  gint64        page_index;
  guint         generation;
  guint         serial;
  gboolean      skipped;
  MrRecordPage *page;
  GError       *error;
} Job;

typedef struct
{
  MrMessageModel *model;   /* the owner, for retries */
  gint32        partition;
  gint64        page_index;
  guint         retry_source;
  guint         serial;    /* of the request in flight */
  MrRecordPage *page;      /* NULL while loading */
  GPtrArray    *waiting;   /* GWeakRef* to MrMessageItem */
  guint64       last_use;
} CachedPage;

struct _MrMessageModel
{
  GObject      parent_instance;

  Loader      *loader;
  char        *topic;
  gint32       partition;        /* -1: all */
  guint        generation;
  GArray      *ranges;           /* Range */
  guint        n_items;
  GArray      *matches;          /* MrMessagePosition, or NULL */
  GHashTable  *pages;            /* page key → CachedPage */
  guint64      use_clock;
  guint        n_pending;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrMessageModel, mr_message_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

#define N_LOADER_THREADS 2

static GAsyncQueue *loader_queue;
static guint loader_serial;

static Loader *
loader_ref (Loader *loader)
{
  g_atomic_ref_count_inc (&loader->ref);
  return loader;
}

static void
loader_unref (Loader *loader)
{
  if (g_atomic_ref_count_dec (&loader->ref))
    {
      mr_cluster_unref (loader->cluster);
      g_main_context_unref (loader->context);
      g_free (loader);
    }
}

static void
job_free (gpointer data)
{
  Job *job = data;

  loader_unref (job->loader);
  g_free (job->topic);
  g_clear_pointer (&job->page, mr_record_page_unref);
  g_clear_error (&job->error);
  g_free (job);
}

static guint64
page_key (gint32 partition,
          gint64 page_index)
{
  return ((guint64)(guint32)partition << 44) | (guint64)page_index;
}

static void
cached_page_free (gpointer data)
{
  CachedPage *cached = data;

  g_clear_handle_id (&cached->retry_source, g_source_remove);
  g_clear_pointer (&cached->page, mr_record_page_unref);
  g_ptr_array_unref (cached->waiting);
  g_free (cached);
}

static void
weak_ref_free (gpointer data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

/* Positions. */

static void
rebuild_ranges (MrMessageModel *self)
{
  guint position = 0;

  for (guint i = 0; i < self->ranges->len; i++)
    {
      Range *range = &g_array_index (self->ranges, Range, i);
      gint64 n = MAX (range->end - range->start, 0);

      range->first_position = position;
      position = (guint)MIN ((gint64)position + n, (gint64)G_MAXUINT - 1);
    }

  if (self->matches == NULL)
    self->n_items = position;
  else
    self->n_items = self->matches->len;
}

gboolean
mr_message_model_get_position (MrMessageModel    *self,
                               guint              position,
                               MrMessagePosition *out)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (MR_IS_MESSAGE_MODEL (self), FALSE);

  if (position >= self->n_items)
    return FALSE;

  if (self->matches != NULL)
    {
      *out = g_array_index (self->matches, MrMessagePosition, position);
      return TRUE;
    }

  /* The last range starting at or before @position. */
  hi = self->ranges->len;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->ranges, Range, mid).first_position <= position)
        lo = mid;
      else
        hi = mid;
    }
  for (; lo < self->ranges->len; lo++)
    {
      const Range *range = &g_array_index (self->ranges, Range, lo);

      if (position < range->first_position + (range->end - range->start))
        {
          out->partition = range->partition;
          out->offset = range->start + (position - range->first_position);
          return TRUE;
        }
    }

  return FALSE;
}

guint
mr_message_model_find (MrMessageModel *self,
                       gint32          partition,
                       gint64          offset)
{
  g_return_val_if_fail (MR_IS_MESSAGE_MODEL (self), 0);

  if (self->matches != NULL)
    {
      for (guint i = 0; i < self->matches->len; i++)
        {
          const MrMessagePosition *pos = &g_array_index (self->matches, MrMessagePosition, i);

          if (pos->partition > partition ||
              (pos->partition == partition && pos->offset >= offset))
            return i;
        }
      return self->n_items;
    }

  for (guint i = 0; i < self->ranges->len; i++)
    {
      const Range *range = &g_array_index (self->ranges, Range, i);

      if (range->partition != partition)
        continue;
      if (offset >= range->end)
        return range->first_position + (range->end - range->start);
      return range->first_position + (MAX (offset, range->start) - range->start);
    }

  return self->n_items;
}

/* Loading. */

static gint
job_compare (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const Job *ja = a;
  const Job *jb = b;

  /* Newest first. */
  return ja->serial < jb->serial ? 1 : ja->serial > jb->serial ? -1 : 0;
}

static gboolean deliver_cb (gpointer data);

static void
load_page (Job *job)
{
  GSource *source;
  guint newest = (guint)g_atomic_int_get (&job->loader->newest_serial);

  if (newest > job->serial + STALE_REQUESTS)
    job->skipped = TRUE;
  else
    job->page = mr_record_page_read (job->loader->cluster, job->topic,
                                     job->partition,
                                     job->page_index * MR_MESSAGE_MODEL_PAGE_SIZE,
                                     (job->page_index + 1) * MR_MESSAGE_MODEL_PAGE_SIZE,
                                     NULL, &job->error);

  /* Always through a source: g_main_context_invoke() would run the
   * callback right here, in this thread, whenever it can acquire the
   * main context between two iterations of the main loop. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_cb, job, job_free);
  g_source_set_static_name (source, "[mr-message-model] page loaded");
  g_source_attach (source, job->loader->context);
  g_source_unref (source);
}

/* A loader thread: takes the newest request first, for ever. The threads
 * live as long as the process, like GLib's own worker threads. */
static gpointer
loader_thread (gpointer data)
{
  for (;;)
    load_page (g_async_queue_pop (loader_queue));

  return NULL;
}

static guint
request_page (MrMessageModel *self,
              gint32          partition,
              gint64          page_index)
{
  Job *job;

  if (loader_queue == NULL)
    {
      loader_queue = g_async_queue_new ();
      for (guint i = 0; i < N_LOADER_THREADS; i++)
        g_thread_unref (g_thread_new ("mr-page-loader", loader_thread, NULL));
    }

  job = g_new0 (Job, 1);
  job->loader = loader_ref (self->loader);
  job->topic = g_strdup (self->topic);
  job->partition = partition;
  job->page_index = page_index;
  job->generation = self->generation;
  job->serial = ++loader_serial;
  g_atomic_int_set (&self->loader->newest_serial, (gint)job->serial);
  self->n_pending++;
  g_async_queue_push_sorted (loader_queue, job, job_compare, NULL);

  return job->serial;
}

static void
evict_pages (MrMessageModel *self)
{
  while (g_hash_table_size (self->pages) > CACHE_PAGES)
    {
      GHashTableIter iter;
      gpointer key, value;
      gpointer oldest_key = NULL;
      guint64 oldest = G_MAXUINT64;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          CachedPage *cached = value;

          /* Pages in flight stay: their reply finds them. */
          if (cached->page != NULL && cached->last_use < oldest)
            {
              oldest = cached->last_use;
              oldest_key = key;
            }
        }

      if (oldest_key == NULL)
        break;
      g_hash_table_remove (self->pages, oldest_key);
    }
}

static void
retry_cb (gpointer data)
{
  CachedPage *cached = data;

  cached->retry_source = 0;
  cached->serial = request_page (cached->model, cached->partition, cached->page_index);
}

static gboolean
deliver_cb (gpointer data)
{
  Job *job = data;
  MrMessageModel *self = job->loader->model;
  CachedPage *cached;
  guint64 key;
  guint n_alive = 0;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  self->n_pending--;
  if (job->generation != self->generation)
    return G_SOURCE_REMOVE;

  key = page_key (job->partition, job->page_index);
  cached = g_hash_table_lookup (self->pages, GSIZE_TO_POINTER (key));
  /* Gone, or asked again since: a newer reply will come. */
  if (cached == NULL || cached->serial != job->serial)
    return G_SOURCE_REMOVE;

  if (job->skipped || job->error != NULL)
    {
      if (job->error != NULL)
        g_debug ("Page %d/%" G_GINT64_FORMAT " of %s: %s", job->partition,
                 job->page_index, job->topic, job->error->message);

      /* Ask again if a row still waits for it (scrolled back, or a
       * transient error such as a leader moving). */
      for (guint i = 0; i < cached->waiting->len; i++)
        {
          g_autoptr(GObject) item = g_weak_ref_get (g_ptr_array_index (cached->waiting, i));

          n_alive += item != NULL;
        }
      if (n_alive > 0 && job->skipped)
        cached->serial = request_page (self, job->partition, job->page_index);
      else if (n_alive > 0)
        {
          /* A leader moving, a broker down: try again in a moment, not in
           * a loop. */
          cached->serial = 0;
          cached->retry_source = g_timeout_add_once (RETRY_DELAY_MS, retry_cb, cached);
        }
      else
        g_hash_table_remove (self->pages, GSIZE_TO_POINTER (key));
      return G_SOURCE_REMOVE;
    }

  cached->page = g_steal_pointer (&job->page);
  cached->last_use = ++self->use_clock;

  for (guint i = 0; i < cached->waiting->len; i++)
    {
      g_autoptr(MrMessageItem) item = g_weak_ref_get (g_ptr_array_index (cached->waiting, i));

      if (item != NULL)
        mr_message_item_set_page (item, cached->page);
    }
  g_ptr_array_set_size (cached->waiting, 0);

  evict_pages (self);

  return G_SOURCE_REMOVE;
}

static gint64
range_end (MrMessageModel *self,
           gint32          partition)
{
  for (guint i = 0; i < self->ranges->len; i++)
    if (g_array_index (self->ranges, Range, i).partition == partition)
      return g_array_index (self->ranges, Range, i).end;

  return 0;
}

/* The cache entry of a page, asked for when new. */
static CachedPage *
ensure_page (MrMessageModel *self,
             gint32          partition,
             gint64          page_index)
{
  guint64 key = page_key (partition, page_index);
  CachedPage *cached = g_hash_table_lookup (self->pages, GSIZE_TO_POINTER (key));

  if (cached != NULL)
    return cached;

  cached = g_new0 (CachedPage, 1);
  cached->waiting = g_ptr_array_new_with_free_func (weak_ref_free);
  cached->model = self;
  cached->partition = partition;
  cached->page_index = page_index;
  cached->last_use = ++self->use_clock;
  g_hash_table_insert (self->pages, GSIZE_TO_POINTER (key), cached);
  cached->serial = request_page (self, partition, page_index);

  return cached;
}

/* GListModel. */

static GType
mr_message_model_get_item_type (GListModel *model)
{
  return MR_TYPE_MESSAGE_ITEM;
}

static guint
mr_message_model_get_n_items (GListModel *model)
{
  return MR_MESSAGE_MODEL (model)->n_items;
}

static gpointer
mr_message_model_get_item (GListModel *model,
                           guint       position)
{
  MrMessageModel *self = MR_MESSAGE_MODEL (model);
  MrMessagePosition pos;
  MrMessageItem *item;
  CachedPage *cached;
  gint64 page_index;
  guint64 key;

  if (!mr_message_model_get_position (self, position, &pos))
    return NULL;

  item = mr_message_item_new (pos.partition, pos.offset);
  page_index = pos.offset / MR_MESSAGE_MODEL_PAGE_SIZE;
  key = page_key (pos.partition, page_index);
  cached = g_hash_table_lookup (self->pages, GSIZE_TO_POINTER (key));

  /* A cached page read before the record was committed does not have it:
   * read the page again. */
  if (cached != NULL && cached->page != NULL &&
      pos.offset >= cached->page->end_offset)
    {
      g_hash_table_remove (self->pages, GSIZE_TO_POINTER (key));
      cached = NULL;
    }

  if (cached == NULL)
    {
      cached = ensure_page (self, pos.partition, page_index);

      /* Unfiltered, the rows after these come next as the user scrolls:
       * ask for their page too, unless it lies past the end. */
      if (self->matches == NULL &&
          (page_index + 1) * MR_MESSAGE_MODEL_PAGE_SIZE < range_end (self, pos.partition))
        ensure_page (self, pos.partition, page_index + 1);
    }

  cached->last_use = ++self->use_clock;
  if (cached->page != NULL)
    mr_message_item_set_page (item, cached->page);
  else
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, item);
      g_ptr_array_add (cached->waiting, ref);
    }

  return item;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = mr_message_model_get_item_type;
  iface->get_n_items = mr_message_model_get_n_items;
  iface->get_item = mr_message_model_get_item;
}

/* GObject. */

static void
mr_message_model_dispose (GObject *object)
{
  MrMessageModel *self = (MrMessageModel *)object;

  if (self->loader != NULL)
    {
      self->loader->model = NULL;
      g_clear_pointer (&self->loader, loader_unref);
    }
  g_clear_pointer (&self->pages, g_hash_table_unref);

  G_OBJECT_CLASS (mr_message_model_parent_class)->dispose (object);
}

static void
mr_message_model_finalize (GObject *object)
{
  MrMessageModel *self = (MrMessageModel *)object;

  g_clear_pointer (&self->topic, g_free);
  g_clear_pointer (&self->ranges, g_array_unref);
  g_clear_pointer (&self->matches, g_array_unref);

  G_OBJECT_CLASS (mr_message_model_parent_class)->finalize (object);
}

static void
mr_message_model_class_init (MrMessageModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_message_model_dispose;
  object_class->finalize = mr_message_model_finalize;
}

static void
mr_message_model_init (MrMessageModel *self)
{
  self->partition = -1;
  self->ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, cached_page_free);
}

MrMessageModel *
mr_message_model_new (MrCluster *cluster)
{
  MrMessageModel *self;

  g_return_val_if_fail (cluster != NULL, NULL);

  self = g_object_new (MR_TYPE_MESSAGE_MODEL, NULL);
  self->loader = g_new0 (Loader, 1);
  g_atomic_ref_count_init (&self->loader->ref);
  self->loader->cluster = mr_cluster_ref (cluster);
  self->loader->context = g_main_context_ref_thread_default ();
  self->loader->model = self;

  return self;
}

const char *
mr_message_model_get_topic (MrMessageModel *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_MODEL (self), NULL);

  return self->topic;
}

gint32
mr_message_model_get_partition (MrMessageModel *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_MODEL (self), -1);

  return self->partition;
}

static void
ranges_from_info (GArray            *ranges,
                  const MrTopicInfo *info,
                  gint32             partition,
                  GArray            *previous)
{
  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);
      Range range = { p->partition, p->log_start_offset, p->high_watermark, 0 };

      if (partition >= 0 && p->partition != partition)
        continue;
      /* An offline partition keeps what was last known of it. */
      if (p->leader < 0 || p->high_watermark < 0)
        {
          range.start = range.end = 0;
          for (guint j = 0; previous != NULL && j < previous->len; j++)
            if (g_array_index (previous, Range, j).partition == p->partition)
              range = g_array_index (previous, Range, j);
        }
      range.start = MAX (range.start, 0);
      range.end = MAX (range.end, range.start);
      g_array_append_val (ranges, range);
    }
}

void
mr_message_model_set_source (MrMessageModel    *self,
                             const MrTopicInfo *info,
                             gint32             partition)
{
  guint old_n;

  g_return_if_fail (MR_IS_MESSAGE_MODEL (self));

  old_n = self->n_items;
  g_free (self->topic);
  self->topic = info != NULL ? g_strdup (info->name) : NULL;
  self->partition = partition;
  self->generation++;
  g_array_set_size (self->ranges, 0);
  g_clear_pointer (&self->matches, g_array_unref);
  g_hash_table_remove_all (self->pages);
  if (info != NULL)
    ranges_from_info (self->ranges, info, partition, NULL);
  rebuild_ranges (self);

  /* One change from the old rows to the new ones. */
  if (old_n > 0 || self->n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
}

void
mr_message_model_update_offsets (MrMessageModel    *self,
                                 const MrTopicInfo *info)
{
  g_autoptr(GArray) ranges = NULL;
  guint old_n = self->n_items;
  gboolean same = TRUE;

  g_return_if_fail (MR_IS_MESSAGE_MODEL (self));
  g_return_if_fail (info != NULL);

  if (g_strcmp0 (info->name, self->topic) != 0)
    return;

  ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  ranges_from_info (ranges, info, self->partition, self->ranges);

  if (ranges->len != self->ranges->len)
    same = FALSE;
  for (guint i = 0; same && i < ranges->len; i++)
    {
      const Range *a = &g_array_index (ranges, Range, i);
      const Range *b = &g_array_index (self->ranges, Range, i);

      same = a->partition == b->partition && a->start == b->start && a->end == b->end;
    }
  if (same)
    return;

  /* Only grown at the ends of the partitions shown: tell the list just
   * that, partition by partition, so rows and the selection stay put. */
  if (self->matches == NULL && ranges->len == self->ranges->len)
    {
      gboolean grown = TRUE;

      for (guint i = 0; grown && i < ranges->len; i++)
        {
          const Range *old = &g_array_index (self->ranges, Range, i);
          const Range *now = &g_array_index (ranges, Range, i);

          grown = old->partition == now->partition && old->start == now->start &&
                  now->end >= old->end;
        }

      if (grown)
        {
          for (guint i = 0; i < ranges->len; i++)
            {
              Range *old = &g_array_index (self->ranges, Range, i);
              const Range *now = &g_array_index (ranges, Range, i);
              guint at = old->first_position + (guint)(old->end - old->start);
              guint added;

              if (now->end == old->end)
                continue;
              old_n = self->n_items;
              old->end = now->end;
              rebuild_ranges (self);
              added = self->n_items - old_n;
              if (added > 0)
                g_list_model_items_changed (G_LIST_MODEL (self), at, 0, added);
            }
          return;
        }
    }

  g_array_unref (self->ranges);
  self->ranges = g_steal_pointer (&ranges);
  rebuild_ranges (self);

  if (self->matches == NULL)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
}

void
mr_message_model_set_matches (MrMessageModel *self,
                              GArray         *matches)
{
  guint old_n;

  g_return_if_fail (MR_IS_MESSAGE_MODEL (self));

  old_n = self->n_items;
  g_clear_pointer (&self->matches, g_array_unref);
  self->matches = matches;
  rebuild_ranges (self);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
}

gboolean
mr_message_model_get_filtered (MrMessageModel *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_MODEL (self), FALSE);

  return self->matches != NULL;
}

guint
mr_message_model_get_n_pending (MrMessageModel *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_MODEL (self), 0);

  return self->n_pending;
}

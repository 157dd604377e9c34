/* mr-log-cleaner.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-log"

#include "config.h"

#include "mr-log-cleaner.h"

#include "mr-log-config.h"
#include "mr-log-error.h"

typedef struct
{
  MrPartitionLog *log;
  guint           n_segments_seen;   /* at the last pass */
  gboolean        requested;
} CleanerEntry;

/* @locks lock protects every field but thread. */
struct _MrLogCleaner
{
  GThread           *thread;
  GMutex             lock;
  GCond              cond;
  GPtrArray         *entries;        /* CleanerEntry */
  guint              interval_ms;
  gboolean           quit;
  MrLogCleanerStats  stats;
};

static void
cleaner_entry_free (CleanerEntry *entry)
{
  mr_partition_log_unref (entry->log);
  g_free (entry);
}

static CleanerEntry *
find_entry_locked (MrLogCleaner   *cleaner,
                   MrPartitionLog *log,
                   guint          *index)
{
  for (guint i = 0; i < cleaner->entries->len; i++)
    {
      CleanerEntry *entry = g_ptr_array_index (cleaner->entries, i);

      if (entry->log == log)
        {
          if (index != NULL)
            *index = i;
          return entry;
        }
    }
  return NULL;
}

/* @locality: the cleaner thread; @locks: lock held on entry and exit, not
 * during compaction. */
static void
run_pass_locked (MrLogCleaner *cleaner)
{
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_partition_log_unref);

  for (guint i = 0; i < cleaner->entries->len; i++)
    {
      CleanerEntry *entry = g_ptr_array_index (cleaner->entries, i);
      guint n_segments = mr_partition_log_get_n_segments (entry->log);
      MrLogConfig config;

      mr_partition_log_get_config (entry->log, &config);
      if (!(config.cleanup_policy & MR_CLEANUP_POLICY_COMPACT))
        continue;

      /* A closed segment that was not there last time, or a request. */
      if (entry->requested || n_segments != entry->n_segments_seen)
        {
          entry->requested = FALSE;
          entry->n_segments_seen = n_segments;
          g_ptr_array_add (due, mr_partition_log_ref (entry->log));
        }
    }

  g_mutex_unlock (&cleaner->lock);

  for (guint i = 0; i < due->len; i++)
    {
      MrPartitionLog *log = g_ptr_array_index (due, i);
      g_autoptr(GError) error = NULL;
      MrCompactionStats stats;
      gboolean ok;

      ok = mr_partition_log_compact (log, -1, &stats, &error);

      g_mutex_lock (&cleaner->lock);
      cleaner->stats.passes++;
      if (ok)
        {
          cleaner->stats.cleaned_segments += stats.cleaned_segments;
          cleaner->stats.records_removed += stats.records_before
                                            - stats.records_after;
        }
      else if (!g_error_matches (error, MR_LOG_ERROR, MR_LOG_ERROR_CLOSED))
        {
          cleaner->stats.failures++;
          g_warning ("Compaction of “%s” failed: %s",
                     mr_partition_log_get_directory (log), error->message);
        }
      g_cond_broadcast (&cleaner->cond);
      g_mutex_unlock (&cleaner->lock);
    }

  g_mutex_lock (&cleaner->lock);
}

static gpointer
cleaner_thread (gpointer data)
{
  MrLogCleaner *cleaner = data;

  g_mutex_lock (&cleaner->lock);
  while (!cleaner->quit)
    {
      gint64 deadline = g_get_monotonic_time ()
                        + (gint64)cleaner->interval_ms * G_TIME_SPAN_MILLISECOND;
      gboolean requested = FALSE;

      for (guint i = 0; i < cleaner->entries->len && !requested; i++)
        requested = ((CleanerEntry *)g_ptr_array_index (cleaner->entries,
                                                        i))->requested;

      if (!requested
          && g_cond_wait_until (&cleaner->cond, &cleaner->lock, deadline))
        {
          /* Woken: a request, an added log or quit; look again. */
          continue;
        }

      if (!cleaner->quit)
        run_pass_locked (cleaner);
    }
  g_mutex_unlock (&cleaner->lock);

  return NULL;
}

MrLogCleaner *
mr_log_cleaner_new (guint interval_ms)
{
  MrLogCleaner *cleaner = g_new0 (MrLogCleaner, 1);

  g_mutex_init (&cleaner->lock);
  g_cond_init (&cleaner->cond);
  cleaner->entries = g_ptr_array_new_with_free_func (
    (GDestroyNotify)cleaner_entry_free);
  cleaner->interval_ms = MAX (interval_ms, 1);
  cleaner->thread = g_thread_new ("log-cleaner", cleaner_thread, cleaner);

  return cleaner;
}

void
mr_log_cleaner_free (MrLogCleaner *cleaner)
{
  if (cleaner == NULL)
    return;

  g_mutex_lock (&cleaner->lock);
  cleaner->quit = TRUE;
  g_cond_broadcast (&cleaner->cond);
  g_mutex_unlock (&cleaner->lock);
  g_thread_join (cleaner->thread);

  g_ptr_array_unref (cleaner->entries);
  g_mutex_clear (&cleaner->lock);
  g_cond_clear (&cleaner->cond);
  g_free (cleaner);
}

void
mr_log_cleaner_add (MrLogCleaner   *cleaner,
                    MrPartitionLog *log)
{
  CleanerEntry *entry = NULL;

  g_return_if_fail (cleaner != NULL);
  g_return_if_fail (log != NULL);

  g_mutex_lock (&cleaner->lock);
  if (find_entry_locked (cleaner, log, NULL) == NULL)
    {
      entry = g_new0 (CleanerEntry, 1);
      entry->log = mr_partition_log_ref (log);
      entry->n_segments_seen = mr_partition_log_get_n_segments (log);
      g_ptr_array_add (cleaner->entries, entry);
    }
  g_mutex_unlock (&cleaner->lock);
}

void
mr_log_cleaner_remove (MrLogCleaner   *cleaner,
                       MrPartitionLog *log)
{
  guint index = 0;

  g_return_if_fail (cleaner != NULL);

  g_mutex_lock (&cleaner->lock);
  if (find_entry_locked (cleaner, log, &index) != NULL)
    g_ptr_array_remove_index (cleaner->entries, index);
  g_mutex_unlock (&cleaner->lock);
}

void
mr_log_cleaner_request (MrLogCleaner   *cleaner,
                        MrPartitionLog *log)
{
  CleanerEntry *entry = NULL;

  g_return_if_fail (cleaner != NULL);

  g_mutex_lock (&cleaner->lock);
  entry = find_entry_locked (cleaner, log, NULL);
  if (entry != NULL)
    {
      entry->requested = TRUE;
      g_cond_broadcast (&cleaner->cond);
    }
  g_mutex_unlock (&cleaner->lock);
}

void
mr_log_cleaner_get_stats (MrLogCleaner      *cleaner,
                          MrLogCleanerStats *stats)
{
  g_return_if_fail (cleaner != NULL);

  g_mutex_lock (&cleaner->lock);
  *stats = cleaner->stats;
  g_mutex_unlock (&cleaner->lock);
}

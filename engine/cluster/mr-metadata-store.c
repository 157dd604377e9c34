/* mr-metadata-store.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-metadata-store.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/random.h>

#include "mr-cluster-error.h"
#include "mr-topic-rules.h"

/* The metadata database
 * =====================
 *
 * One SQLite 3 file, <data-dir>/metadata.db, written only through this
 * file. It is recognised by its header fields:
 *
 *   application_id  0x4D524D44 ("MRMD")
 *   user_version    the schema version, MR_METADATA_STORE_SCHEMA_VERSION
 *
 * A file whose user_version is 0 and which has no schema objects is new
 * and gets the current schema. A file with another application_id, or with
 * tables but no version, belongs to someone else and is refused, as is a
 * file SQLite cannot read ("file is not a database") or one that fails
 * PRAGMA quick_check on open: the store reports these, it never repairs or
 * overwrites them. A user_version above this build's is refused too (a
 * newer Millrace wrote it); a lower one is migrated forward step by step,
 * all steps in one transaction, by the functions in migrations[].
 *
 * Journal: WAL. Readers never block the writer, and a commit is one append
 * to the -wal file: a crash at any point leaves the last committed state,
 * since SQLite ignores WAL frames after the last commit frame whose
 * checksums hold.
 *
 * synchronous=FULL: every commit is fsync()ed before it returns. NORMAL
 * would be safe against corruption in WAL mode but could lose the last
 * commits on power loss, and the controller must not forget what it has
 * told the brokers: a leader epoch or partition epoch handed out and then
 * forgotten would be handed out again after a restart, and replicas would
 * accept two different histories under one leader epoch (the fencing that
 * KIP-101 relies on). Metadata changes are rare (topic operations, leader
 * and ISR changes), so the fsync costs nothing that matters.
 *
 * Every change runs in one BEGIN IMMEDIATE … COMMIT transaction; any
 * failure rolls the whole change back.
 *
 * Schema version 1
 * ----------------
 *
 * cluster: exactly one row (id = 1).
 *   cluster_id        TEXT     22 base64url characters: a random (version 4)
 *                              UUID, as Kafka prints Uuid; made with the
 *                              file, never changed
 *   controller_epoch  INTEGER  0 before the first controller; +1 each time
 *                              a broker takes the controller role
 *   created_ms        INTEGER  creation time of the file, ms since the epoch
 *
 * brokers: brokers registered with the controller, by id.
 *   id    INTEGER PRIMARY KEY (>= 0)
 *   host  TEXT
 *   port  INTEGER (0 to 65535)
 *
 * settings: cluster-wide settings, name → value text
 *   (e.g. auto.create.topics.enable → "true").
 *
 * topics: one row per topic.
 *   id             INTEGER PRIMARY KEY  local row id, used only as the key
 *                                       of the two tables below
 *   name           TEXT UNIQUE          a name mr_topic_name_validate()
 *                                       accepts
 *   collision_key  TEXT UNIQUE          the name with '.' turned into '_';
 *                                       the UNIQUE index refuses colliding
 *                                       names
 *   topic_id       TEXT UNIQUE          random UUID, 22 base64url characters
 *   created_ms     INTEGER              ms since the Unix epoch
 *
 * topic_configs: the configs set on a topic, only those (a config absent
 *   here has its default, so a later change of default reaches it).
 *   topic  INTEGER → topics.id
 *   name   TEXT   a name mr_topic_config_is_known() accepts
 *   value  TEXT   a value mr_topic_config_set() accepts
 *   PRIMARY KEY (topic, name)
 *
 * partitions: one row per partition.
 *   topic            INTEGER → topics.id
 *   partition_index  INTEGER  0 to n - 1 without gaps
 *   replicas         TEXT     broker ids in decimal, comma-separated, no
 *                             spaces, preferred leader first ("1,2,0")
 *   leader           INTEGER  broker id, or -1 when the partition has none
 *   leader_epoch     INTEGER  >= 0
 *   isr              TEXT     as replicas, a subset of them; may be empty
 *   partition_epoch  INTEGER  >= 0, +1 on every leader or ISR change; the
 *                             compare-and-set key of updates
 *   PRIMARY KEY (topic, partition_index)
 *
 * Lists are text rather than blobs so that the file reads plainly in the
 * sqlite3 shell. Rows that break these rules are reported as a damaged
 * database when read.
 */

#define METADATA_APPLICATION_ID 0x4D524D44

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _MrMetadataStore
{
  /* Set by open, then constant. */
  char                     *path;
  char                     *cluster_id;

  /* @locks mutex protects everything below. */
  GMutex                    mutex;
  sqlite3                  *db;
  gint32                    controller_epoch;
  MrMetadataStoreFaultFunc  fault_func;
  gpointer                  fault_data;
};

static const char schema_v1[] =
  "CREATE TABLE cluster ("
  "  id               INTEGER PRIMARY KEY CHECK (id = 1),"
  "  cluster_id       TEXT    NOT NULL,"
  "  controller_epoch INTEGER NOT NULL CHECK (controller_epoch >= 0),"
  "  created_ms       INTEGER NOT NULL"
  ");"
  "CREATE TABLE brokers ("
  "  id   INTEGER PRIMARY KEY CHECK (id >= 0),"
  "  host TEXT    NOT NULL,"
  "  port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535)"
  ");"
  "CREATE TABLE settings ("
  "  name  TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE topics ("
  "  id            INTEGER PRIMARY KEY,"
  "  name          TEXT    NOT NULL UNIQUE,"
  "  collision_key TEXT    NOT NULL UNIQUE,"
  "  topic_id      TEXT    NOT NULL UNIQUE,"
  "  created_ms    INTEGER NOT NULL"
  ");"
  "CREATE TABLE topic_configs ("
  "  topic INTEGER NOT NULL REFERENCES topics (id),"
  "  name  TEXT    NOT NULL,"
  "  value TEXT    NOT NULL,"
  "  PRIMARY KEY (topic, name)"
  ") WITHOUT ROWID;"
  "CREATE TABLE partitions ("
  "  topic           INTEGER NOT NULL REFERENCES topics (id),"
  "  partition_index INTEGER NOT NULL CHECK (partition_index >= 0),"
  "  replicas        TEXT    NOT NULL,"
  "  leader          INTEGER NOT NULL CHECK (leader >= -1),"
  "  leader_epoch    INTEGER NOT NULL CHECK (leader_epoch >= 0),"
  "  isr             TEXT    NOT NULL,"
  "  partition_epoch INTEGER NOT NULL CHECK (partition_epoch >= 0),"
  "  PRIMARY KEY (topic, partition_index)"
  ") WITHOUT ROWID;";

/* Errors. */

static gboolean
is_corruption (int rc)
{
  return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Sets @error from the connection's last error (or @rc when there is no
 * connection); @doing completes "Could not …". */
static void
set_sqlite_error (MrMetadataStore  *self,
                  GError          **error,
                  int               rc,
                  const char       *doing)
{
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db)
                                        : sqlite3_errstr (rc);

  if (is_corruption (rc))
    g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_CORRUPT,
                 "Could not %s: the metadata database “%s” is damaged or is "
                 "not a Millrace metadata database (%s). Move it aside to "
                 "start a new cluster, or restore it from a backup",
                 doing, self->path, detail);
  else
    g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE,
                 "Could not %s in the metadata database “%s”: %s",
                 doing, self->path, detail);
}

static void
set_damaged_error (MrMetadataStore  *self,
                   GError          **error,
                   const char       *what)
{
  g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_CORRUPT,
               "The metadata database “%s” is damaged: %s. Move it aside "
               "to start a new cluster, or restore it from a backup",
               self->path, what);
}

/* SQL helpers. */

static gboolean
exec_sql (MrMetadataStore  *self,
          const char       *sql,
          const char       *doing,
          GError          **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error, rc, doing);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare (MrMetadataStore  *self,
         const char       *sql,
         const char       *doing,
         GError          **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error, rc, doing);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

/* Steps @stmt; SQLITE_ROW and SQLITE_DONE are returned, anything else sets
 * @error and returns -1. */
static int
step (MrMetadataStore  *self,
      sqlite3_stmt     *stmt,
      const char       *doing,
      GError          **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;

  set_sqlite_error (self, error, rc, doing);
  return -1;
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (MrMetadataStore  *self,
           sqlite3_stmt     *stmt,
           const char       *doing,
           GError          **error)
{
  int rc = step (self, stmt, doing, error);

  if (rc == SQLITE_ROW)
    {
      set_damaged_error (self, error, "a change returned rows");
      return FALSE;
    }
  return rc == SQLITE_DONE;
}

/* A single integer from a one-row query, such as a PRAGMA. */
static gboolean
query_int64 (MrMetadataStore  *self,
             const char       *sql,
             const char       *doing,
             gint64           *value,
             GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, doing, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = step (self, stmt, doing, error);
  if (rc < 0)
    return FALSE;

  *value = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);

  return text != NULL ? (const char *)text : "";
}

/* Transactions. */

static gboolean
begin_write (MrMetadataStore  *self,
             GError          **error)
{
  return exec_sql (self, "BEGIN IMMEDIATE", "start a transaction", error);
}

static void
rollback (MrMetadataStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      int rc = sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_debug ("Rollback of “%s” failed: %s",
                 self->path, sqlite3_errmsg (self->db));
    }
}

static void
fault_point (MrMetadataStore *self,
             const char      *point)
{
  if (self->fault_func != NULL)
    self->fault_func (point, self->fault_data);
}

static gboolean
commit_write (MrMetadataStore  *self,
              const char       *operation,
              GError          **error)
{
  if (self->fault_func != NULL)
    {
      g_autofree char *point = g_strconcat (operation, ":before-commit",
                                            NULL);
      fault_point (self, point);
    }

  if (!exec_sql (self, "COMMIT", "commit a change", error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}

/* UUIDs. */

/* A random version 4 UUID as Kafka prints it: URL-safe base64 without
 * padding, 22 characters, never starting with '-' (Kafka avoids those so
 * that an id is never taken for a command-line option). */
static char *
new_uuid_string (void)
{
  for (;;)
    {
      guint8 bytes[16];
      g_autofree char *encoded = NULL;

      if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
        for (guint i = 0; i < sizeof bytes; i++)
          bytes[i] = (guint8)g_random_int_range (0, 256);

      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;

      encoded = g_base64_encode (bytes, sizeof bytes);
      encoded[22] = '\0';
      for (char *p = encoded; *p != '\0'; p++)
        {
          if (*p == '+')
            *p = '-';
          else if (*p == '/')
            *p = '_';
        }

      if (encoded[0] != '-')
        return g_steal_pointer (&encoded);
    }
}

/* Broker id lists. */

static char *
encode_ids (GArray *ids)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? "," : "",
                            g_array_index (ids, gint32, i));

  return g_string_free (text, FALSE);
}

static GArray *
decode_ids (const char *text)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_auto(GStrv) parts = NULL;

  if (text[0] == '\0')
    return g_steal_pointer (&ids);

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 id = 0;

      if (!g_ascii_string_to_signed (parts[i], 10, 0, G_MAXINT32, &id, NULL))
        return NULL;
      g_array_append_vals (ids, &(gint32) { (gint32)id }, 1);
    }

  return g_steal_pointer (&ids);
}

static gboolean
ids_contain (GArray *ids,
             gint32  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint32, i) == id)
      return TRUE;
  return FALSE;
}

static GArray *
copy_ids (GArray *ids)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (gint32),
                                    ids != NULL ? ids->len : 0);

  if (ids != NULL)
    g_array_append_vals (copy, ids->data, ids->len);
  return copy;
}

/* Validation of what callers hand in. */

/* Leader and ISR against the replicas: ISR members distinct and within
 * the replicas, leader -1 or in the ISR, epochs not negative. */
static gboolean
check_leader_and_isr (const char  *topic,
                      gint32       partition,
                      GArray      *replicas,
                      gint32       leader,
                      gint32       leader_epoch,
                      GArray      *isr,
                      GError     **error)
{
  if (isr == NULL)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                   "Partition %s-%d has no in-sync replica list",
                   topic, partition);
      return FALSE;
    }

  for (guint i = 0; i < isr->len; i++)
    {
      gint32 id = g_array_index (isr, gint32, i);

      if (!ids_contain (replicas, id))
        {
          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                       "Partition %s-%d: broker %d is in the in-sync "
                       "replicas but holds no replica of the partition",
                       topic, partition, id);
          return FALSE;
        }

      for (guint j = 0; j < i; j++)
        if (g_array_index (isr, gint32, j) == id)
          {
            g_set_error (error, MR_CLUSTER_ERROR,
                         MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                         "Partition %s-%d: the in-sync replicas list broker "
                         "%d twice", topic, partition, id);
            return FALSE;
          }
    }

  if (leader != -1 && !ids_contain (isr, leader))
    {
      g_autofree char *isr_text = encode_ids (isr);

      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                   "Partition %s-%d: leader %d is not one of the in-sync "
                   "replicas [%s]", topic, partition, leader, isr_text);
      return FALSE;
    }

  if (leader_epoch < 0)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH,
                   "Partition %s-%d: leader epoch %d is negative",
                   topic, partition, leader_epoch);
      return FALSE;
    }

  return TRUE;
}

/* New partitions numbered from @first_index, all with
 * @replication_factor replicas (0: take the first partition's). */
static gboolean
check_new_partitions (const char  *topic,
                      GPtrArray   *partitions,
                      guint        first_index,
                      guint        replication_factor,
                      GError     **error)
{
  g_autoptr(GPtrArray) replica_lists = NULL;

  if (partitions == NULL || partitions->len == 0)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                   "Topic “%s” needs at least one partition", topic);
      return FALSE;
    }

  if ((guint64)first_index + partitions->len > MR_TOPIC_MAX_PARTITIONS)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                   "A topic can have at most %d partitions in Millrace "
                   "(“%s” would have %" G_GUINT64_FORMAT ")",
                   MR_TOPIC_MAX_PARTITIONS, topic,
                   (guint64)first_index + partitions->len);
      return FALSE;
    }

  replica_lists = g_ptr_array_sized_new (partitions->len);
  for (guint i = 0; i < partitions->len; i++)
    {
      const MrPartitionMetadata *pm = g_ptr_array_index (partitions, i);

      if (pm == NULL || pm->partition < 0
          || (guint)pm->partition != first_index + i)
        {
          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_PARTITIONS,
                       "Partitions of “%s” must be numbered %u to %u in "
                       "order, without gaps (found %d in place %u)",
                       topic, first_index, first_index + partitions->len - 1,
                       pm != NULL ? pm->partition : -1, first_index + i);
          return FALSE;
        }

      if (pm->replicas == NULL || pm->replicas->len == 0)
        {
          g_set_error (error, MR_CLUSTER_ERROR,
                       MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                       "Partition %s-%d has no replica", topic,
                       pm->partition);
          return FALSE;
        }

      g_ptr_array_add (replica_lists, pm->replicas);
    }

  if (!mr_topic_validate_replica_assignment (replica_lists, NULL, 0, error))
    return FALSE;

  if (replication_factor != 0
      && ((GArray *)g_ptr_array_index (replica_lists, 0))->len
         != replication_factor)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT,
                   "New partitions of “%s” have %u replicas but the topic's "
                   "replication factor is %u",
                   topic, ((GArray *)g_ptr_array_index (replica_lists, 0))->len,
                   replication_factor);
      return FALSE;
    }

  for (guint i = 0; i < partitions->len; i++)
    {
      const MrPartitionMetadata *pm = g_ptr_array_index (partitions, i);

      if (!check_leader_and_isr (topic, pm->partition, pm->replicas,
                                 pm->leader, pm->leader_epoch, pm->isr,
                                 error))
        return FALSE;

      if (pm->partition_epoch < 0)
        {
          g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH,
                       "Partition %s-%d: partition epoch %d is negative",
                       topic, pm->partition, pm->partition_epoch);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_overrides (GHashTable  *overrides,
                 GError     **error)
{
  MrTopicConfig config;

  mr_topic_config_init_defaults (&config);
  return mr_topic_config_apply (&config, overrides, error);
}

/* Reading. */

/* The row id of topic @name, or FALSE with UNKNOWN_TOPIC. */
static gboolean
find_topic_row (MrMetadataStore  *self,
                const char       *name,
                gint64           *row,
                GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self, "SELECT id FROM topics WHERE name = ?1",
                  "look a topic up", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, name);
  rc = step (self, stmt, "look a topic up", error);
  if (rc < 0)
    return FALSE;

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC,
                   "There is no topic “%s”", name);
      return FALSE;
    }

  *row = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static MrPartitionMetadata *
read_partition_row (MrMetadataStore  *self,
                    const char       *topic,
                    sqlite3_stmt     *stmt,
                    GError          **error)
{
  g_autoptr(MrPartitionMetadata) pm = g_new0 (MrPartitionMetadata, 1);
  gint64 index = sqlite3_column_int64 (stmt, 0);
  gint64 leader = sqlite3_column_int64 (stmt, 2);
  gint64 leader_epoch = sqlite3_column_int64 (stmt, 3);
  gint64 partition_epoch = sqlite3_column_int64 (stmt, 5);

  pm->replicas = decode_ids (column_text (stmt, 1));
  pm->isr = decode_ids (column_text (stmt, 4));

  if (index < 0 || index > G_MAXINT32
      || leader < -1 || leader > G_MAXINT32
      || leader_epoch < 0 || leader_epoch > G_MAXINT32
      || partition_epoch < 0 || partition_epoch > G_MAXINT32
      || pm->replicas == NULL || pm->replicas->len == 0 || pm->isr == NULL)
    {
      g_autofree char *what =
        g_strdup_printf ("the row of partition %s-%" G_GINT64_FORMAT
                         " does not hold valid numbers or broker lists",
                         topic, index);
      set_damaged_error (self, error, what);
      return NULL;
    }

  pm->partition = (gint32)index;
  pm->leader = (gint32)leader;
  pm->leader_epoch = (gint32)leader_epoch;
  pm->partition_epoch = (gint32)partition_epoch;

  return g_steal_pointer (&pm);
}

static MrTopicMetadata *
read_topic (MrMetadataStore  *self,
            const char       *name,
            GError          **error)
{
  g_autoptr(MrTopicMetadata) topic = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 row = 0;
  int rc;

  stmt = prepare (self,
                  "SELECT id, topic_id, created_ms FROM topics "
                  "WHERE name = ?1",
                  "read a topic", error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, name);
  rc = step (self, stmt, "read a topic", error);
  if (rc < 0)
    return NULL;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_TOPIC,
                   "There is no topic “%s”", name);
      return NULL;
    }

  topic = g_new0 (MrTopicMetadata, 1);
  topic->name = g_strdup (name);
  topic->topic_id = g_strdup (column_text (stmt, 1));
  topic->created_ms = sqlite3_column_int64 (stmt, 2);
  topic->overrides = g_hash_table_new_full (g_str_hash, g_str_equal,
                                            g_free, g_free);
  topic->partitions = g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_partition_metadata_free);
  row = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = prepare (self,
                  "SELECT name, value FROM topic_configs WHERE topic = ?1",
                  "read a topic's configs", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, row);
  while ((rc = step (self, stmt, "read a topic's configs", error))
         == SQLITE_ROW)
    g_hash_table_insert (topic->overrides,
                         g_strdup (column_text (stmt, 0)),
                         g_strdup (column_text (stmt, 1)));
  if (rc < 0)
    return NULL;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = prepare (self,
                  "SELECT partition_index, replicas, leader, leader_epoch, "
                  "isr, partition_epoch FROM partitions WHERE topic = ?1 "
                  "ORDER BY partition_index",
                  "read a topic's partitions", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, row);
  while ((rc = step (self, stmt, "read a topic's partitions", error))
         == SQLITE_ROW)
    {
      MrPartitionMetadata *pm = read_partition_row (self, name, stmt, error);

      if (pm == NULL)
        return NULL;

      if ((guint)pm->partition != topic->partitions->len)
        {
          g_autofree char *what =
            g_strdup_printf ("topic “%s” has partition %d where %u was "
                             "expected", name, pm->partition,
                             topic->partitions->len);
          mr_partition_metadata_free (pm);
          set_damaged_error (self, error, what);
          return NULL;
        }

      g_ptr_array_add (topic->partitions, pm);
    }
  if (rc < 0)
    return NULL;

  if (topic->partitions->len == 0)
    {
      g_autofree char *what =
        g_strdup_printf ("topic “%s” has no partition", name);
      set_damaged_error (self, error, what);
      return NULL;
    }

  return g_steal_pointer (&topic);
}

/* Writing. */

static gboolean
insert_partitions (MrMetadataStore  *self,
                   gint64            topic_row,
                   GPtrArray        *partitions,
                   GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self,
                  "INSERT INTO partitions (topic, partition_index, replicas, "
                  "leader, leader_epoch, isr, partition_epoch) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                  "write partitions", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < partitions->len; i++)
    {
      const MrPartitionMetadata *pm = g_ptr_array_index (partitions, i);
      g_autofree char *replicas = encode_ids (pm->replicas);
      g_autofree char *isr = encode_ids (pm->isr);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, topic_row);
      sqlite3_bind_int (stmt, 2, pm->partition);
      bind_text (stmt, 3, replicas);
      sqlite3_bind_int (stmt, 4, pm->leader);
      sqlite3_bind_int (stmt, 5, pm->leader_epoch);
      bind_text (stmt, 6, isr);
      sqlite3_bind_int (stmt, 7, pm->partition_epoch);

      if (!step_done (self, stmt, "write partitions", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_overrides (MrMetadataStore  *self,
                 gint64            topic_row,
                 GHashTable       *overrides,
                 GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GHashTableIter iter;
  gpointer key, value;

  stmt = prepare (self, "DELETE FROM topic_configs WHERE topic = ?1",
                  "replace topic configs", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, topic_row);
  if (!step_done (self, stmt, "replace topic configs", error))
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (overrides == NULL || g_hash_table_size (overrides) == 0)
    return TRUE;

  stmt = prepare (self,
                  "INSERT INTO topic_configs (topic, name, value) "
                  "VALUES (?1, ?2, ?3)",
                  "write topic configs", error);
  if (stmt == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, overrides);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, topic_row);
      bind_text (stmt, 2, key);
      bind_text (stmt, 3, value);
      if (!step_done (self, stmt, "write topic configs", error))
        return FALSE;
    }

  return TRUE;
}

/* Opening and migration. */

static gboolean
migrate_to_v1 (MrMetadataStore  *self,
               GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *cluster_id = NULL;

  if (!exec_sql (self, schema_v1, "create the schema", error))
    return FALSE;

  stmt = prepare (self,
                  "INSERT INTO cluster (id, cluster_id, controller_epoch, "
                  "created_ms) VALUES (1, ?1, 0, ?2)",
                  "create the cluster id", error);
  if (stmt == NULL)
    return FALSE;

  cluster_id = new_uuid_string ();
  bind_text (stmt, 1, cluster_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / 1000);
  return step_done (self, stmt, "create the cluster id", error);
}

typedef gboolean (*MigrationFunc) (MrMetadataStore  *self,
                                   GError          **error);

/* migrations[v] takes schema version v to v + 1. Append only. */
static const MigrationFunc migrations[] = {
  migrate_to_v1,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations)
                 == MR_METADATA_STORE_SCHEMA_VERSION);

static gboolean
migrate (MrMetadataStore  *self,
         GError          **error)
{
  g_autofree char *pragmas = NULL;
  gint64 version = 0;

  if (!begin_write (self, error))
    return FALSE;

  /* Read again under the write lock: another process may have migrated
   * the file since the first look. */
  if (!query_int64 (self, "PRAGMA user_version", "read the schema version",
                    &version, error))
    goto fail;

  if (version >= MR_METADATA_STORE_SCHEMA_VERSION)
    {
      rollback (self);
      return TRUE;
    }

  for (gint64 v = version; v < MR_METADATA_STORE_SCHEMA_VERSION; v++)
    {
      g_debug ("Migrating “%s” from schema %" G_GINT64_FORMAT " to %"
               G_GINT64_FORMAT, self->path, v, v + 1);
      if (!migrations[v] (self, error))
        goto fail;
    }

  pragmas = g_strdup_printf ("PRAGMA application_id = %d;"
                             "PRAGMA user_version = %d;",
                             METADATA_APPLICATION_ID,
                             MR_METADATA_STORE_SCHEMA_VERSION);
  if (!exec_sql (self, pragmas, "record the schema version", error))
    goto fail;

  return commit_write (self, "migrate", error);

fail:
  rollback (self);
  return FALSE;
}

/* Looks at the file before changing anything in it: is it ours, empty, or
 * something else? */
static gboolean
check_identity (MrMetadataStore  *self,
                gint64           *version,
                GError          **error)
{
  gint64 application_id = 0;
  gint64 n_objects = 0;

  if (!query_int64 (self, "SELECT count(*) FROM sqlite_master",
                    "read the schema", &n_objects, error)
      || !query_int64 (self, "PRAGMA application_id",
                       "read the file's application id", &application_id,
                       error)
      || !query_int64 (self, "PRAGMA user_version",
                       "read the schema version", version, error))
    return FALSE;

  if (*version == 0 && n_objects == 0 && application_id == 0)
    return TRUE;

  if (application_id != METADATA_APPLICATION_ID || *version == 0)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_CORRUPT,
                   "“%s” is an SQLite database of another program, not "
                   "Millrace metadata. Move it aside to start a new "
                   "cluster there", self->path);
      return FALSE;
    }

  if (*version > MR_METADATA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE_TOO_NEW,
                   "The metadata database “%s” was written by a newer "
                   "Millrace (schema %" G_GINT64_FORMAT "; this version "
                   "reads up to %d). Update Millrace to open this cluster",
                   self->path, *version, MR_METADATA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_integrity (MrMetadataStore  *self,
                 GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self, "PRAGMA quick_check(1)", "check the database",
                  error);
  if (stmt == NULL)
    return FALSE;

  rc = step (self, stmt, "check the database", error);
  if (rc < 0)
    return FALSE;

  if (rc == SQLITE_ROW && strcmp (column_text (stmt, 0), "ok") != 0)
    {
      set_damaged_error (self, error, column_text (stmt, 0));
      return FALSE;
    }

  return TRUE;
}

static gboolean
configure_connection (MrMetadataStore  *self,
                      GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self, "PRAGMA journal_mode = WAL",
                  "switch to write-ahead logging", error);
  if (stmt == NULL)
    return FALSE;

  rc = step (self, stmt, "switch to write-ahead logging", error);
  if (rc < 0)
    return FALSE;
  if (rc != SQLITE_ROW
      || g_ascii_strcasecmp (column_text (stmt, 0), "wal") != 0)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE,
                   "Could not switch the metadata database “%s” to "
                   "write-ahead logging (the file system may not support "
                   "it)", self->path);
      return FALSE;
    }

  return exec_sql (self,
                   "PRAGMA synchronous = FULL;"
                   "PRAGMA foreign_keys = ON;",
                   "configure the connection", error);
}

static gboolean
load_cluster (MrMetadataStore  *self,
              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *cluster_id;
  gint64 epoch;
  int rc;

  stmt = prepare (self,
                  "SELECT cluster_id, controller_epoch FROM cluster "
                  "WHERE id = 1",
                  "read the cluster id", error);
  if (stmt == NULL)
    return FALSE;

  rc = step (self, stmt, "read the cluster id", error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      set_damaged_error (self, error, "the cluster id is missing");
      return FALSE;
    }

  cluster_id = column_text (stmt, 0);
  epoch = sqlite3_column_int64 (stmt, 1);
  if (strlen (cluster_id) != 22 || epoch < 0 || epoch > G_MAXINT32)
    {
      set_damaged_error (self, error, "the cluster row is not valid");
      return FALSE;
    }

  self->cluster_id = g_strdup (cluster_id);
  self->controller_epoch = (gint32)epoch;
  return TRUE;
}

/* Public API: value types. */

MrPartitionMetadata *
mr_partition_metadata_new (gint32  partition,
                           GArray *replicas)
{
  MrPartitionMetadata *pm;

  g_return_val_if_fail (partition >= 0, NULL);
  g_return_val_if_fail (replicas != NULL, NULL);
  g_return_val_if_fail (g_array_get_element_size (replicas)
                        == sizeof (gint32), NULL);

  pm = g_new0 (MrPartitionMetadata, 1);
  pm->partition = partition;
  pm->replicas = copy_ids (replicas);
  pm->leader = replicas->len > 0 ? g_array_index (replicas, gint32, 0) : -1;
  pm->leader_epoch = 0;
  pm->isr = copy_ids (replicas);
  pm->partition_epoch = 0;
  return pm;
}

MrPartitionMetadata *
mr_partition_metadata_copy (const MrPartitionMetadata *metadata)
{
  MrPartitionMetadata *copy;

  g_return_val_if_fail (metadata != NULL, NULL);

  copy = g_new0 (MrPartitionMetadata, 1);
  *copy = *metadata;
  copy->replicas = copy_ids (metadata->replicas);
  copy->isr = copy_ids (metadata->isr);
  return copy;
}

void
mr_partition_metadata_free (MrPartitionMetadata *metadata)
{
  if (metadata == NULL)
    return;

  g_clear_pointer (&metadata->replicas, g_array_unref);
  g_clear_pointer (&metadata->isr, g_array_unref);
  g_free (metadata);
}

MrTopicMetadata *
mr_topic_metadata_copy (const MrTopicMetadata *metadata)
{
  MrTopicMetadata *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (metadata != NULL, NULL);

  copy = g_new0 (MrTopicMetadata, 1);
  copy->name = g_strdup (metadata->name);
  copy->topic_id = g_strdup (metadata->topic_id);
  copy->created_ms = metadata->created_ms;
  copy->overrides = g_hash_table_new_full (g_str_hash, g_str_equal,
                                           g_free, g_free);
  if (metadata->overrides != NULL)
    {
      g_hash_table_iter_init (&iter, metadata->overrides);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->overrides, g_strdup (key),
                             g_strdup (value));
    }

  copy->partitions = g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_partition_metadata_free);
  for (guint i = 0; metadata->partitions != NULL
                    && i < metadata->partitions->len; i++)
    g_ptr_array_add (copy->partitions,
                     mr_partition_metadata_copy (
                       g_ptr_array_index (metadata->partitions, i)));

  return copy;
}

void
mr_topic_metadata_free (MrTopicMetadata *metadata)
{
  if (metadata == NULL)
    return;

  g_free (metadata->name);
  g_free (metadata->topic_id);
  g_clear_pointer (&metadata->overrides, g_hash_table_unref);
  g_clear_pointer (&metadata->partitions, g_ptr_array_unref);
  g_free (metadata);
}

void
mr_broker_registration_free (MrBrokerRegistration *registration)
{
  if (registration == NULL)
    return;

  g_free (registration->host);
  g_free (registration);
}

/* Public API: the store. */

MrMetadataStore *
mr_metadata_store_open (const char  *path,
                        GError     **error)
{
  g_autoptr(MrMetadataStore) self = NULL;
  gint64 version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (MrMetadataStore, 1);
  g_mutex_init (&self->mutex);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STORE,
                   "Could not open the metadata database “%s”: %s",
                   path, self->db != NULL ? sqlite3_errmsg (self->db)
                                          : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (!check_identity (self, &version, error)
      || (version > 0 && !check_integrity (self, error))
      || !configure_connection (self, error)
      || (version < MR_METADATA_STORE_SCHEMA_VERSION
          && !migrate (self, error))
      || !load_cluster (self, error))
    return NULL;

  g_debug ("Opened metadata of cluster %s at “%s” (controller epoch %d)",
           self->cluster_id, path, self->controller_epoch);

  return g_steal_pointer (&self);
}

void
mr_metadata_store_close (MrMetadataStore *store)
{
  if (store == NULL)
    return;

  if (store->db != NULL)
    {
      int rc = sqlite3_close_v2 (store->db);

      if (rc != SQLITE_OK)
        g_warning ("Closing the metadata database “%s” failed: %s",
                   store->path, sqlite3_errstr (rc));
      store->db = NULL;
    }

  g_mutex_clear (&store->mutex);
  g_free (store->path);
  g_free (store->cluster_id);
  g_free (store);
}

const char *
mr_metadata_store_get_path (MrMetadataStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  return store->path;
}

const char *
mr_metadata_store_get_cluster_id (MrMetadataStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  return store->cluster_id;
}

gint32
mr_metadata_store_get_controller_epoch (MrMetadataStore *store)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (store != NULL, -1);

  locker = g_mutex_locker_new (&store->mutex);
  return store->controller_epoch;
}

gboolean
mr_metadata_store_bump_controller_epoch (MrMetadataStore  *store,
                                         gint32           *new_epoch,
                                         GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 epoch = 0;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  if (!query_int64 (store, "SELECT controller_epoch FROM cluster",
                    "read the controller epoch", &epoch, error))
    goto fail;

  if (epoch >= G_MAXINT32)
    {
      set_damaged_error (store, error, "the controller epoch is exhausted");
      goto fail;
    }

  if (!exec_sql (store,
                 "UPDATE cluster SET controller_epoch = controller_epoch + 1",
                 "raise the controller epoch", error)
      || !commit_write (store, "bump-controller-epoch", error))
    goto fail;

  store->controller_epoch = (gint32)(epoch + 1);
  if (new_epoch != NULL)
    *new_epoch = store->controller_epoch;
  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

MrTopicMetadata *
mr_metadata_store_create_topic (MrMetadataStore  *store,
                                const char       *name,
                                GHashTable       *overrides,
                                GPtrArray        *partitions,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *collision_key = NULL;
  g_autofree char *topic_id = NULL;
  MrTopicMetadata *topic = NULL;
  gint64 topic_row;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!mr_topic_name_validate (name, error)
      || !check_overrides (overrides, error)
      || !check_new_partitions (name, partitions, 0, 0, error))
    return NULL;

  collision_key = mr_topic_name_dup_collision_key (name);
  topic_id = new_uuid_string ();

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return NULL;

  stmt = prepare (store,
                  "SELECT name FROM topics "
                  "WHERE name = ?1 OR collision_key = ?2",
                  "look for the topic", error);
  if (stmt == NULL)
    goto fail;

  bind_text (stmt, 1, name);
  bind_text (stmt, 2, collision_key);
  rc = step (store, stmt, "look for the topic", error);
  if (rc < 0)
    goto fail;

  if (rc == SQLITE_ROW)
    {
      const char *existing = column_text (stmt, 0);

      if (strcmp (existing, name) == 0)
        g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_TOPIC_EXISTS,
                     "Topic “%s” already exists", name);
      else
        g_set_error (error, MR_CLUSTER_ERROR,
                     MR_CLUSTER_ERROR_TOPIC_COLLISION,
                     "Topic “%s” collides with the existing topic “%s”: "
                     "Kafka treats “.” and “_” alike in metric names, so "
                     "the two cannot both exist. Choose another name",
                     name, existing);
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = prepare (store,
                  "INSERT INTO topics (name, collision_key, topic_id, "
                  "created_ms) VALUES (?1, ?2, ?3, ?4)",
                  "write the topic", error);
  if (stmt == NULL)
    goto fail;

  bind_text (stmt, 1, name);
  bind_text (stmt, 2, collision_key);
  bind_text (stmt, 3, topic_id);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / 1000);
  if (!step_done (store, stmt, "write the topic", error))
    goto fail;
  topic_row = sqlite3_last_insert_rowid (store->db);

  fault_point (store, "create-topic:topic-written");

  if (!write_overrides (store, topic_row, overrides, error)
      || !insert_partitions (store, topic_row, partitions, error))
    goto fail;

  topic = read_topic (store, name, error);
  if (topic == NULL)
    goto fail;

  if (!commit_write (store, "create-topic", error))
    {
      mr_topic_metadata_free (topic);
      goto fail;
    }

  g_debug ("Created topic “%s” (%s) with %u partitions",
           name, topic->topic_id, partitions->len);
  return topic;

fail:
  rollback (store);
  return NULL;
}

gboolean
mr_metadata_store_delete_topic (MrMetadataStore  *store,
                                const char       *name,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  static const char * const deletes[] = {
    "DELETE FROM partitions WHERE topic = ?1",
    "DELETE FROM topic_configs WHERE topic = ?1",
    "DELETE FROM topics WHERE id = ?1",
  };
  gint64 topic_row = 0;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  if (!find_topic_row (store, name, &topic_row, error))
    goto fail;

  for (guint i = 0; i < G_N_ELEMENTS (deletes); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = prepare (store, deletes[i],
                                              "delete the topic", error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, topic_row);
      if (!step_done (store, stmt, "delete the topic", error))
        goto fail;
    }

  if (!commit_write (store, "delete-topic", error))
    goto fail;

  g_debug ("Deleted topic “%s”", name);
  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

gboolean
mr_metadata_store_add_partitions (MrMetadataStore  *store,
                                  const char       *name,
                                  GPtrArray        *partitions,
                                  GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) first_replicas = NULL;
  gint64 topic_row = 0;
  gint64 n_existing;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  if (!find_topic_row (store, name, &topic_row, error))
    goto fail;

  stmt = prepare (store,
                  "SELECT count(*), (SELECT replicas FROM partitions "
                  "WHERE topic = ?1 AND partition_index = 0) "
                  "FROM partitions WHERE topic = ?1",
                  "count the topic's partitions", error);
  if (stmt == NULL)
    goto fail;

  sqlite3_bind_int64 (stmt, 1, topic_row);
  rc = step (store, stmt, "count the topic's partitions", error);
  if (rc < 0)
    goto fail;

  n_existing = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  first_replicas = decode_ids (column_text (stmt, 1));
  if (n_existing < 1 || n_existing > MR_TOPIC_MAX_PARTITIONS
      || first_replicas == NULL || first_replicas->len == 0)
    {
      set_damaged_error (store, error, "a topic's partitions are not valid");
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!check_new_partitions (name, partitions, (guint)n_existing,
                             first_replicas->len, error)
      || !insert_partitions (store, topic_row, partitions, error)
      || !commit_write (store, "add-partitions", error))
    goto fail;

  g_debug ("Topic “%s” grew from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
           " partitions", name, n_existing, n_existing + partitions->len);
  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

gboolean
mr_metadata_store_update_partition (MrMetadataStore  *store,
                                    const char       *topic,
                                    gint32            partition,
                                    gint32            expected_partition_epoch,
                                    gint32            leader,
                                    gint32            leader_epoch,
                                    GArray           *isr,
                                    gint32           *new_partition_epoch,
                                    GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) replicas = NULL;
  g_autofree char *isr_text = NULL;
  gint64 topic_row = 0;
  gint64 current_leader_epoch;
  gint64 current_epoch;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (isr != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  if (!find_topic_row (store, topic, &topic_row, error))
    goto fail;

  stmt = prepare (store,
                  "SELECT replicas, leader_epoch, partition_epoch "
                  "FROM partitions WHERE topic = ?1 AND partition_index = ?2",
                  "read the partition", error);
  if (stmt == NULL)
    goto fail;

  sqlite3_bind_int64 (stmt, 1, topic_row);
  sqlite3_bind_int (stmt, 2, partition);
  rc = step (store, stmt, "read the partition", error);
  if (rc < 0)
    goto fail;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, MR_CLUSTER_ERROR,
                   MR_CLUSTER_ERROR_UNKNOWN_PARTITION,
                   "Topic “%s” has no partition %d", topic, partition);
      goto fail;
    }

  replicas = decode_ids (column_text (stmt, 0));
  current_leader_epoch = sqlite3_column_int64 (stmt, 1);
  current_epoch = sqlite3_column_int64 (stmt, 2);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (replicas == NULL || replicas->len == 0)
    {
      set_damaged_error (store, error, "a partition's replica list is not "
                         "valid");
      goto fail;
    }

  if (current_epoch != expected_partition_epoch)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH,
                   "Partition %s-%d changed meanwhile: the update expected "
                   "partition epoch %d but it is now %" G_GINT64_FORMAT
                   ". Read the partition again and retry",
                   topic, partition, expected_partition_epoch,
                   current_epoch);
      goto fail;
    }

  if (leader_epoch < current_leader_epoch)
    {
      g_set_error (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_STALE_EPOCH,
                   "Partition %s-%d: the leader epoch cannot go back from "
                   "%" G_GINT64_FORMAT " to %d",
                   topic, partition, current_leader_epoch, leader_epoch);
      goto fail;
    }

  if (!check_leader_and_isr (topic, partition, replicas, leader,
                             leader_epoch, isr, error))
    goto fail;

  if (current_epoch >= G_MAXINT32)
    {
      set_damaged_error (store, error, "a partition epoch is exhausted");
      goto fail;
    }

  stmt = prepare (store,
                  "UPDATE partitions SET leader = ?1, leader_epoch = ?2, "
                  "isr = ?3, partition_epoch = partition_epoch + 1 "
                  "WHERE topic = ?4 AND partition_index = ?5 "
                  "AND partition_epoch = ?6",
                  "update the partition", error);
  if (stmt == NULL)
    goto fail;

  isr_text = encode_ids (isr);
  sqlite3_bind_int (stmt, 1, leader);
  sqlite3_bind_int (stmt, 2, leader_epoch);
  bind_text (stmt, 3, isr_text);
  sqlite3_bind_int64 (stmt, 4, topic_row);
  sqlite3_bind_int (stmt, 5, partition);
  sqlite3_bind_int (stmt, 6, expected_partition_epoch);
  if (!step_done (store, stmt, "update the partition", error))
    goto fail;

  /* The read above was in the same write transaction, so the row cannot
   * have moved on. */
  g_assert (sqlite3_changes (store->db) == 1);

  if (!commit_write (store, "update-partition", error))
    goto fail;

  if (new_partition_epoch != NULL)
    *new_partition_epoch = (gint32)(current_epoch + 1);
  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

gboolean
mr_metadata_store_set_topic_configs (MrMetadataStore  *store,
                                     const char       *name,
                                     GHashTable       *overrides,
                                     GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 topic_row = 0;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_overrides (overrides, error))
    return FALSE;

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  if (!find_topic_row (store, name, &topic_row, error)
      || !write_overrides (store, topic_row, overrides, error)
      || !commit_write (store, "set-topic-configs", error))
    {
      rollback (store);
      return FALSE;
    }

  return TRUE;
}

MrTopicMetadata *
mr_metadata_store_get_topic (MrMetadataStore  *store,
                             const char       *name,
                             GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  MrTopicMetadata *topic;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&store->mutex);

  if (!exec_sql (store, "BEGIN", "start a read", error))
    return NULL;

  topic = read_topic (store, name, error);
  rollback (store);
  return topic;
}

GPtrArray *
mr_metadata_store_list_topics (MrMetadataStore  *store,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) topics = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&store->mutex);

  if (!exec_sql (store, "BEGIN", "start a read", error))
    return NULL;

  stmt = prepare (store, "SELECT name FROM topics ORDER BY name",
                  "list topics", error);
  if (stmt == NULL)
    goto out;

  names = g_ptr_array_new_with_free_func (g_free);
  while ((rc = step (store, stmt, "list topics", error)) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup (column_text (stmt, 0)));
  if (rc < 0)
    goto out;
  g_clear_pointer (&stmt, sqlite3_finalize);

  topics = g_ptr_array_new_full (names->len,
                                 (GDestroyNotify)mr_topic_metadata_free);
  for (guint i = 0; i < names->len; i++)
    {
      MrTopicMetadata *topic = read_topic (store, names->pdata[i], error);

      if (topic == NULL)
        {
          g_clear_pointer (&topics, g_ptr_array_unref);
          goto out;
        }
      g_ptr_array_add (topics, topic);
    }

out:
  rollback (store);
  return g_steal_pointer (&topics);
}

gboolean
mr_metadata_store_register_broker (MrMetadataStore  *store,
                                   gint32            id,
                                   const char       *host,
                                   guint16           port,
                                   GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (id >= 0, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  stmt = prepare (store,
                  "INSERT INTO brokers (id, host, port) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (id) DO UPDATE SET host = excluded.host, "
                  "port = excluded.port",
                  "register a broker", error);
  if (stmt == NULL)
    goto fail;

  sqlite3_bind_int (stmt, 1, id);
  bind_text (stmt, 2, host);
  sqlite3_bind_int (stmt, 3, port);
  if (!step_done (store, stmt, "register a broker", error)
      || !commit_write (store, "register-broker", error))
    goto fail;

  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

gboolean
mr_metadata_store_unregister_broker (MrMetadataStore  *store,
                                     gint32            id,
                                     GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  stmt = prepare (store, "DELETE FROM brokers WHERE id = ?1",
                  "unregister a broker", error);
  if (stmt == NULL)
    goto fail;

  sqlite3_bind_int (stmt, 1, id);
  if (!step_done (store, stmt, "unregister a broker", error)
      || !commit_write (store, "unregister-broker", error))
    goto fail;

  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

GPtrArray *
mr_metadata_store_list_brokers (MrMetadataStore  *store,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) brokers = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&store->mutex);

  stmt = prepare (store, "SELECT id, host, port FROM brokers ORDER BY id",
                  "list brokers", error);
  if (stmt == NULL)
    return NULL;

  brokers = g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_broker_registration_free);
  while ((rc = step (store, stmt, "list brokers", error)) == SQLITE_ROW)
    {
      MrBrokerRegistration *registration = g_new0 (MrBrokerRegistration, 1);
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 port = sqlite3_column_int64 (stmt, 2);

      registration->id = (gint32)CLAMP (id, 0, G_MAXINT32);
      registration->host = g_strdup (column_text (stmt, 1));
      registration->port = (guint16)CLAMP (port, 0, G_MAXUINT16);
      g_ptr_array_add (brokers, registration);
    }
  if (rc < 0)
    return NULL;

  return g_steal_pointer (&brokers);
}

char *
mr_metadata_store_dup_setting (MrMetadataStore  *store,
                               const char       *name,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&store->mutex);

  stmt = prepare (store, "SELECT value FROM settings WHERE name = ?1",
                  "read a setting", error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, name);
  rc = step (store, stmt, "read a setting", error);
  if (rc != SQLITE_ROW)
    return NULL;

  return g_strdup (column_text (stmt, 0));
}

gboolean
mr_metadata_store_set_setting (MrMetadataStore  *store,
                               const char       *name,
                               const char       *value,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&store->mutex);

  if (!begin_write (store, error))
    return FALSE;

  if (value != NULL)
    stmt = prepare (store,
                    "INSERT INTO settings (name, value) VALUES (?1, ?2) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    "write a setting", error);
  else
    stmt = prepare (store, "DELETE FROM settings WHERE name = ?1",
                    "remove a setting", error);
  if (stmt == NULL)
    goto fail;

  bind_text (stmt, 1, name);
  if (value != NULL)
    bind_text (stmt, 2, value);

  if (!step_done (store, stmt, "write a setting", error)
      || !commit_write (store, "set-setting", error))
    goto fail;

  return TRUE;

fail:
  rollback (store);
  return FALSE;
}

void
mr_metadata_store_set_fault_func (MrMetadataStore          *store,
                                  MrMetadataStoreFaultFunc  func,
                                  gpointer                  user_data)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (store != NULL);

  locker = g_mutex_locker_new (&store->mutex);
  store->fault_func = func;
  store->fault_data = user_data;
}

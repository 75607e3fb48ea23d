/**
 * Fills a stopped otpd's SQLite file with old verifications, straight in SQL: as a store looks after
 * days of traffic (otpd keeps finished rows retention.days, 7 by default), rows created over the
 * last 6 days by a few tenants, to numbers of the bench's countries, each verified, expired, failed
 * or superseded 5 minutes after it was created (a few still pending), with random UUIDs, phone
 * indexes and code MACs of the lengths otpd writes. Most were verified, so the conversion breaker,
 * which judges the last hour's expiries, stays closed.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

const DAY_MS = 86_400_000;
const TTL_MS = 300_000;
const CHUNK = 500_000;

/** The columns written here; any other NOT NULL column must have a default (checked). */
const COLUMNS = [
  'id',
  'client_id',
  'phone_index',
  'code_mac',
  'key_id',
  'status',
  'attempts',
  'wrong',
  'max_attempts',
  'created_at',
  'expires_at',
  'finished_at',
  'country',
  'prefix',
  'messaged',
];

/** Blocks of the kind bench/phones.ts sends to: country, the number's start, digits up to the last 4. */
const RANGES = `VALUES (0, 'ES', '+346', 4), (1, 'FR', '+3361', 3), (2, 'DE', '+49151', 4), (3, 'IT', '+3933', 4),
  (4, 'NL', '+3161', 3), (5, 'PT', '+35191', 3), (6, 'PL', '+4850', 3)`;

/**
 * A version 4 UUID's text whose first 32 bits grow with the row number i (the rest random): ids
 * spread evenly over the whole UUID space, as random ones are, but arriving in ascending order, so
 * the primary-key index is filled in order instead of at random places: half the time at 10 million
 * rows, the index as packed as after a VACUUM.
 */
const UUID = `printf('%08x-%04x-4%03x-%04x-%012x', (i - 1) * 4294967296 / CAST(@total AS INTEGER)
  + abs(random()) % (4294967296 / CAST(@total AS INTEGER)),
  random() & 65535, random() & 4095, 32768 | (random() & 16383), random() & 281474976710655)`;

/**
 * What else a row needs is derived from its number i (multiplicative hashes spread it), not drawn
 * with random(): SQLite may evaluate a subquery's column once per reference, and a row's created_at,
 * expires_at and status must agree. Rows come in the order of their created_at, as otpd inserts them.
 */
const ROWS = `WITH RECURSIVE
    n(i) AS (SELECT CAST(@offset AS INTEGER) + 1 UNION ALL SELECT i + 1 FROM n WHERE i < @offset + @count),
    r(k, country, start, digits) AS (${RANGES}),
    t AS (SELECT i, CAST(@from + i * @span / @total AS INTEGER) AS created_at,
      (i * 2246822519) % 1000003 / 1000003.0 AS u, (i * 668265263) % 1000003 % 7 AS k,
      (i * 374761393) % 1000000007 AS x FROM n),
    v AS (SELECT *, CASE WHEN created_at > @now - ${TTL_MS} THEN 'pending' WHEN u < 0.75 THEN 'verified'
      WHEN u < 0.95 THEN 'expired' WHEN u < 0.98 THEN 'failed' ELSE 'superseded' END AS s FROM t JOIN r USING (k))`;

/** 80% of the rows are the bench's tenant's; a row's fate: 75% verified, 20% expired, 3% failed, 2% superseded. */
const INSERT = `INSERT INTO verifications (${COLUMNS.join(', ')}) ${ROWS}
  SELECT ${UUID}, CASE WHEN x % 10 < 8 THEN @client ELSE 'tenant-' || (x % 40) END,
    randomblob(@indexLength), randomblob(@macLength), @keyId, s,
    CASE s WHEN 'verified' THEN 1 WHEN 'failed' THEN @maxAttempts ELSE 0 END,
    CASE s WHEN 'failed' THEN @maxAttempts ELSE 0 END, @maxAttempts,
    created_at, created_at + ${TTL_MS}, CASE WHEN s = 'pending' THEN NULL ELSE created_at + ${TTL_MS} END,
    country, start || substr('0000' || (x / 7 % 10000), -digits, digits), 1
  FROM v`;

/**
 * The console's counters (stats_series) as otpd's triggers would have kept them for these rows:
 * sends by creation minute and hour, validations and failures by their finishing time, in total and
 * per country. A bulk insert of finished rows fires no update trigger, so they are computed here.
 */
function backfillCounters(db: Database.Database): void {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stats_series'").get();
  if (!has) return;
  db.exec('DELETE FROM stats_series');
  const add = (res: string, size: number, client: string, dim: string, metric: string, at: string, where: string) =>
    db.exec(`INSERT INTO stats_series (res, client_id, dim, bucket, metric, count, total)
      SELECT '${res}', ${client}, ${dim}, ${at} / ${size}, '${metric}', count(*), 0 FROM verifications
      WHERE ${where} GROUP BY 2, 3, 4`);
  const country = "'country:' || coalesce(country, '??')";
  const facts = [
    ['sent', 'created_at', "status <> 'resent'"],
    ['validated', 'finished_at', "status = 'verified'"],
    ['failed', 'finished_at', "status = 'failed'"],
  ] as const;
  for (const client of ['client_id', "'*'"])
    for (const [metric, at, where] of facts) {
      add('m', 60_000, client, "''", metric, at, where);
      add('h', 3_600_000, client, "''", metric, at, where);
      add('h', 3_600_000, client, country, metric, at, where);
    }
}

/** A row otpd wrote, to copy the tenant, key id and lengths from. */
interface Sample {
  readonly client: string;
  readonly keyId: string;
  readonly maxAttempts: number;
  readonly indexLength: number;
  readonly macLength: number;
}

function checkColumns(db: Database.Database): void {
  const cols = db.prepare('PRAGMA table_info(verifications)').all() as {
    name: string;
    notnull: number;
    dflt_value: unknown;
  }[];
  const missing = cols.filter((c) => c.notnull && c.dflt_value === null && !COLUMNS.includes(c.name));
  if (missing.length) throw new Error(`bench/bulk.ts does not fill verifications.${missing[0]!.name}`);
}

/**
 * Adds `count` rows. The secondary indexes are dropped first and built again after, as a bulk load
 * does (sorted once, not maintained row by row); the file's journal is off meanwhile (a crash only
 * loses a temporary store) and back to WAL after; the file is synced before otpd opens it.
 */
export async function bulkInsert(file: string, count: number, now = Date.now()): Promise<void> {
  const db = new Database(file, { fileMustExist: true });
  try {
    checkColumns(db);
    const s = db
      .prepare(`SELECT client_id AS client, key_id AS keyId, max_attempts AS maxAttempts,
        length(phone_index) AS indexLength, length(code_mac) AS macLength FROM verifications LIMIT 1`)
      .get() as Sample | undefined;
    if (!s) throw new Error('bulkInsert: no verification to copy the tenant and key from');
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    const indexes = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'verifications' AND sql IS NOT NULL`,
      )
      .all() as { name: string; sql: string }[];
    for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
    const insert = db.prepare(INSERT);
    const span = 6 * DAY_MS;
    for (let done = 0; done < count; done += CHUNK) {
      const part = { offset: done, count: Math.min(CHUNK, count - done), total: count, from: now - span, span };
      insert.run({ ...s, now, ...part });
      // Lets a Ctrl-C in between chunks.
      await new Promise((r) => setImmediate(r));
    }
    for (const ix of indexes) db.exec(ix.sql);
    backfillCounters(db);
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  // Written without syncing, the gigabytes are still the kernel's to write back: done while otpd
  // runs, that writeback would stall each of otpd's own fsyncs, a cost of the bench, not of the size.
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function countVerifications(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM verifications').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

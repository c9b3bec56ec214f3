import { createSql } from '../db/sql.js';

// The task set bench:api and bench:mcp search in.

export const WORDS = (
  'water plants call mum dentist invoice report groceries laundry book flight pay rent ' +
  'review budget garden fix bike email team plan trip renew passport clean kitchen write blog ' +
  'backup laptop order coffee visit grandma prepare slides update resume gym tax return car ' +
  'service birthday gift meeting notes project deadline read chapter'
).split(' ');
export const TAGS = [
  'home',
  'work',
  'errands',
  'health',
  'finance',
  'family',
  'travel',
  'garden',
  'urgent',
  'someday',
  'reading',
  'car',
];

/**
 * Inserts `total` tasks straight into the database (the api's own path is what is measured, not
 * the seeding): the first `userTasks` belong to bench-user-0, the rest spread over 9,000 others.
 * Titles are three words of WORDS, a third have notes, tags from TAGS, four fifths a due date
 * between three weeks ago and three months ahead, a quarter completed, created one every 30 s
 * up to now in insertion order (as a table that grew over time). VACUUM ANALYZE at the end, as
 * autovacuum would have done after a load this size: statistics for the planner, and the
 * visibility map that lets an index-only scan skip the table.
 */
export async function seedTasks(
  url: string,
  total: number,
  userTasks: number,
  log: (s: string) => void,
): Promise<void> {
  const sql = createSql(url, { applicationName: 'bench-seed', max: 1 });
  const others = 9000;
  try {
    await sql`INSERT INTO users (id) SELECT 'bench-user-' || g FROM generate_series(0, ${others}) g ON CONFLICT DO NOTHING`;
    const batch = 100_000;
    for (let from = 0; from < total; from += batch) {
      const to = Math.min(total, from + batch) - 1;
      // Rows below userTasks belong to the measured user; the rest spread over the others.
      await sql`
        INSERT INTO tasks (id, user_id, title, description, priority, tags, due_at, status, completed_at,
                           created_at, updated_at)
        SELECT gen_random_uuid(),
               CASE WHEN g < ${userTasks} THEN 'bench-user-0' ELSE 'bench-user-' || (1 + g % ${others}) END,
               w[1 + (g * 7) % cardinality(w)] || ' ' || w[1 + (g * 13) % cardinality(w)] || ' ' || w[1 + (g * 31) % cardinality(w)],
               CASE WHEN g % 3 = 0 THEN 'remember to ' || w[1 + (g * 17) % cardinality(w)] || ' before ' || w[1 + (g * 19) % cardinality(w)] ELSE '' END,
               (g % 5)::smallint,
               ARRAY[t[1 + g % cardinality(t)], t[1 + (g / 7) % cardinality(t)]],
               CASE WHEN g % 5 = 0 THEN NULL ELSE now() + ((g % 2000) - 500) * interval '1 hour' END,
               CASE WHEN g % 4 = 0 THEN 'COMPLETED' ELSE 'OPEN' END,
               CASE WHEN g % 4 = 0 THEN now() ELSE NULL END,
               now() - (${total} - g) * interval '30 seconds',
               now() - (${total} - g) * interval '30 seconds'
        FROM generate_series(${from}::int, ${to}::int) g,
             (SELECT ${sql.array(WORDS)}::text[] AS w, ${sql.array(TAGS)}::text[] AS t) v
        ON CONFLICT DO NOTHING`;
      log(`  seeded ${to + 1} / ${total} tasks`);
    }
    await sql`VACUUM (ANALYZE) tasks`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

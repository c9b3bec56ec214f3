import postgres from 'postgres';

export type Sql = postgres.Sql;
/** A connection or a transaction: queries that must join the caller's transaction take this. */
export type Db = postgres.Sql | postgres.TransactionSql;

export interface SqlOptions {
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell the processes apart. */
  applicationName: string;
}

export function createSql(url: string, opts: SqlOptions): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    transform: postgres.camel,
    connection: { application_name: opts.applicationName },
    onnotice: () => {},
  });
}

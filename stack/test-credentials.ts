import { join } from 'node:path';
import { databaseUrl, type ComponentContext } from './components.js';
import { SERVICE_ROLES, stackCredentials } from './credentials.js';

/**
 * What the security tests need to knock on Kafka and PostgreSQL themselves: the broker, the
 * stack's own Kafka user (`admin`) and the broker's classpath (its admin tools), and each
 * service role's URL. The tests' other URL, TICKLER_DATABASE_URL, is the owner's.
 */
export function credentialsTestEnv(ctx: ComponentContext): NodeJS.ProcessEnv {
  const { kafka } = stackCredentials(ctx.paths.state);
  const serviceUrls = Object.fromEntries(
    Object.entries(SERVICE_ROLES).map(([appId, role]) => [appId, databaseUrl(ctx, role)]),
  );
  return {
    TICKLER_KAFKA_BROKERS: `127.0.0.1:${ctx.ports.kafka}`,
    TICKLER_KAFKA_USERNAME: 'admin',
    TICKLER_KAFKA_PASSWORD: kafka.admin,
    TICKLER_KAFKA_CLASSPATH: join(ctx.paths.tools, 'kafka/libs/*'),
    TICKLER_SERVICE_DATABASE_URLS: JSON.stringify(serviceUrls),
  };
}

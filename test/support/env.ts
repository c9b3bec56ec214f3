// What the test command (stack/test.ts) tells the tests about the stack it started.
function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} is not set: run the tests through 'npm test', which starts the stack`);
  return v;
}

export const testEnv = {
  get databaseUrl() {
    return required('TICKLER_DATABASE_URL');
  },
  get apiUrl() {
    return required('TICKLER_API_URL');
  },
  get syncUrl() {
    return required('TICKLER_SYNC_URL');
  },
  get temporalAddress() {
    return required('TICKLER_TEMPORAL_ADDRESS');
  },
  get jwtSecret() {
    return required('TICKLER_JWT_SECRET');
  },
  get temporalCli() {
    return required('TICKLER_TEMPORAL_CLI');
  },
  get testServer() {
    return required('TICKLER_TEST_SERVER');
  },
  /** The api's Dapr sidecar (HTTP), for publishing straight to a topic. */
  get apiDaprHttp() {
    return required('TICKLER_API_DAPR_HTTP');
  },
  /** The stack's Kafka broker (SASL/SCRAM on its client listener), e.g. 127.0.0.1:19092. */
  get kafkaBrokers() {
    return required('TICKLER_KAFKA_BROKERS');
  },
  /** The stack's own Kafka user (for its tools and tests) and its password. */
  get kafkaUser() {
    return {
      username: required('TICKLER_KAFKA_USERNAME'),
      password: required('TICKLER_KAFKA_PASSWORD'),
    };
  },
  /** The broker's Java classpath: its admin tools (kafka.admin.ConfigCommand). */
  get kafkaClasspath() {
    return required('TICKLER_KAFKA_CLASSPATH');
  },
  /** Each service's own database URL (its role), by app id; TICKLER_DATABASE_URL is the owner's. */
  get serviceDatabaseUrls(): Record<'api' | 'worker' | 'audit-service', string> {
    return JSON.parse(required('TICKLER_SERVICE_DATABASE_URLS')) as Record<
      'api' | 'worker' | 'audit-service',
      string
    >;
  },
  /** The sync-service's sidecar (HTTP): service invocation as the sync-service. */
  get syncDaprHttp() {
    return required('TICKLER_SYNC_DAPR_HTTP');
  },
  /** The sync-service's internal listener (its sidecar's app port), e.g. http://127.0.0.1:4004. */
  get syncInternalUrl() {
    return required('TICKLER_SYNC_INTERNAL_URL');
  },
  /** The audit service's listener (its sidecar's app port). */
  get auditUrl() {
    return required('TICKLER_AUDIT_URL');
  },
  /** The stack's DAPR_API_TOKEN: every sidecar requires it on its API (except healthz). */
  get daprApiToken() {
    return required('TICKLER_DAPR_API_TOKEN');
  },
  /** The stack's APP_API_TOKEN: what the sidecars send their apps. */
  get appApiToken() {
    return required('TICKLER_APP_API_TOKEN');
  },
  /** The test command's control server (stack/test-control.ts): stops and starts components. */
  get stackControl() {
    return required('TICKLER_STACK_CONTROL');
  },
};

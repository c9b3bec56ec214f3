import { randomUUID } from 'node:crypto';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';

// The Helm chart's `helm test`: creates a task through the api and reads it back, as a client
// would (GraphQL over the api's Service). The token is SMOKE_TOKEN (deployments verifying with
// a JWKS give one from a Secret) or minted from JWT_SECRET for a throwaway user.
async function main(): Promise<void> {
  const url = process.env.SMOKE_API_URL;
  if (!url) throw new Error('SMOKE_API_URL is not set');
  const token =
    process.env.SMOKE_TOKEN ||
    (process.env.JWT_SECRET
      ? await mintHs256Token(process.env.JWT_SECRET, `smoke-${randomUUID()}`, 300)
      : undefined);
  if (!token) throw new Error('set SMOKE_TOKEN or JWT_SECRET');
  const call = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as {
      data?: Record<string, { id: string; title: string }>;
      errors?: unknown;
    };
    if (!res.ok || body.errors || !body.data)
      throw new Error(`${res.status}: ${JSON.stringify(body.errors ?? body)}`);
    return body.data;
  };
  const title = `helm test ${new Date().toISOString()}`;
  const created = await call(
    'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title } }',
    { input: { title, idempotencyKey: randomUUID() } },
  );
  const id = created.createTask!.id;
  const read = await call('query ($id: ID!) { task(id: $id) { id title } }', { id });
  if (read.task?.title !== title) throw new Error(`read back ${JSON.stringify(read.task)}`);
  console.log(`created and read back task ${id}`);
}

main().catch(cliFatal);

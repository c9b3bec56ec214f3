import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { ROOT } from '../stack/paths.js';

// Mints a development JWT: npm run token -- <userId> [ttlSeconds]. Uses JWT_SECRET, or the
// local stack's secret in .state/jwt-secret.
async function main(): Promise<void> {
  const [userId, ttl = '86400'] = process.argv.slice(2);
  if (!userId) throw new Error('usage: npm run token -- <userId> [ttlSeconds]');
  const secret =
    process.env.JWT_SECRET ?? readFileSync(join(ROOT, '.state/jwt-secret'), 'utf8').trim();
  console.log(await mintHs256Token(secret, userId, Number(ttl)));
}

main().catch(cliFatal);

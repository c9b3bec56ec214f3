import type { z } from 'zod';
import { badInput } from './errors.js';

/** Parses input at an edge; a failure is BAD_USER_INPUT naming each field path and rule. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root: string,
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw badInput(
    parsed.error.issues.map((i) => ({
      path: [root, ...i.path.map(String)].filter(Boolean).join('.'),
      message: i.message,
    })),
  );
}

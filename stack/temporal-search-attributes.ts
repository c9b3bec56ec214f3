import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/** temporal/search-attributes.json: name → type as the CLI spells it (Keyword, Datetime, ...). */
export function searchAttributeDefinitions(): Record<string, string> {
  return JSON.parse(readFileSync(join(ROOT, 'temporal/search-attributes.json'), 'utf8')) as Record<
    string,
    string
  >;
}

/** The same, encoded for OperatorService.addSearchAttributes (test servers need them too). */
export function encodedSearchAttributes(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(searchAttributeDefinitions()).map(([name, type]) => {
      const encoded = encodeSearchAttributeIndexedValueType(type.toUpperCase() as 'KEYWORD');
      if (encoded === undefined)
        throw new Error(`search attribute ${name} has unknown type ${type}`);
      return [name, encoded];
    }),
  );
}

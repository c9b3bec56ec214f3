import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { readFileSync } from 'node:fs';

// The custom search attributes Tickler's workflows carry, from temporal/search-attributes.json
// (found beside this module's folder, so it works in a checkout and in the image alike).

/** temporal/search-attributes.json: name → type as the CLI spells it (Keyword, Datetime, ...). */
export function searchAttributeDefinitions(): Record<string, string> {
  return JSON.parse(
    readFileSync(new URL('../temporal/search-attributes.json', import.meta.url), 'utf8'),
  ) as Record<string, string>;
}

/** The same, encoded for OperatorService.addSearchAttributes. */
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

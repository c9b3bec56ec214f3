// The stack's, the tests' and the benchmarks' way to the search attributes; the definitions live
// in platform/ so the image's scripts (the chart's hook Job) read them too.
export {
  encodedSearchAttributes,
  searchAttributeDefinitions,
} from '../platform/search-attributes.js';

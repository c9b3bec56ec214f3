import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Registered on the dev server by the stack (temporal/search-attributes.json) so the web UI can
// filter on them, e.g. `UserId = "alice" AND TaskState = "OPEN"`.
export const UserIdKey = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const TaskIdKey = defineSearchAttributeKey('TaskId', SearchAttributeType.KEYWORD);
export const SeriesIdKey = defineSearchAttributeKey('SeriesId', SearchAttributeType.KEYWORD);
export const TaskStateKey = defineSearchAttributeKey('TaskState', SearchAttributeType.KEYWORD);
export const NextFireAtKey = defineSearchAttributeKey('NextFireAt', SearchAttributeType.DATETIME);

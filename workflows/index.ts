// The workflow bundle's entry point: every workflow the worker registers.
export { digestWorkflow } from './digest.js';
export { reminderWorkflow } from './reminder.js';
export { seriesWorkflow } from './series.js';

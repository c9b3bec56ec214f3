// The workflow bundle's entry point: every workflow the worker registers.
export { reminderWorkflow } from './reminder.js';

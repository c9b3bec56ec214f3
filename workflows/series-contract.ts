import { defineSignal } from '@temporalio/workflow';

// The series workflow's contract, shared by the workflow and the relay. Plain types only.

export const seriesWorkflowId = (seriesId: string): string => `series:${seriesId}`;

export interface SeriesWorkflowInput {
  seriesId: string;
  userId: string;
}

/** Which change a signal reports; the workflow re-plans from the database for every one. */
export interface SeriesSignal {
  /** The series version after the change (occurrence signals: the task's). */
  version: number;
}
export interface OccurrenceSignal {
  taskId: string;
}

export const editSignal = defineSignal<[SeriesSignal]>('edit');
export const pauseSignal = defineSignal<[SeriesSignal]>('pause');
export const resumeSignal = defineSignal<[SeriesSignal]>('resume');
export const skipSignal = defineSignal<[SeriesSignal]>('skip');
export const stopSignal = defineSignal<[SeriesSignal]>('stop');
export const occurrenceCompletedSignal = defineSignal<[OccurrenceSignal]>('occurrenceCompleted');
export const occurrenceDeletedSignal = defineSignal<[OccurrenceSignal]>('occurrenceDeleted');

export const seriesSignals = [
  editSignal,
  pauseSignal,
  resumeSignal,
  skipSignal,
  stopSignal,
  occurrenceCompletedSignal,
  occurrenceDeletedSignal,
] as const;

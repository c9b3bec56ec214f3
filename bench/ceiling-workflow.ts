import { sleep } from '@temporalio/workflow';

// bench:ceiling's workflow: the least a reminder can be on Temporal — started, one timer, done.
// No activity, no signal, no search attribute: what is left is the server's and the worker's
// own cost per fire.

export async function ceilingWorkflow(fireAtMs: number): Promise<void> {
  await sleep(Math.max(0, fireAtMs - Date.now()));
}

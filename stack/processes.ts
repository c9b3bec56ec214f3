import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
}

export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Settles when the process exits, with its exit code or signal. */
  exited: Promise<string>;
}

/**
 * Spawns and tracks the stack's processes. Output goes to one log file per process; `stopAll`
 * stops them in reverse order of starting (SIGTERM, then SIGKILL after a grace period).
 */
export function createProcessGroup(
  logDir: string,
  onUnexpectedExit: (m: Managed, how: string) => void,
) {
  const running: Managed[] = [];
  let stopping = false;

  function start(spec: ProcessSpec): Managed {
    const logFile = join(logDir, `${spec.name}.log`);
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: spec.uid,
      gid: spec.gid,
      // Its own process group, so Ctrl-C in the terminal reaches only the supervisor, which
      // then stops everything in order.
      detached: true,
    });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    // 'exit' can come before the last output: the log ends once both pipes have closed ('close'),
    // and a write that still comes late is dropped rather than crashing the supervisor (one
    // CI run ended with ERR_STREAM_WRITE_AFTER_END after every test had passed).
    child.once('close', () => out.end());
    out.on('error', () => {});
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        const idx = running.indexOf(m);
        if (idx >= 0) running.splice(idx, 1);
        if (!stopping && !m.stopRequested) onUnexpectedExit(m, how);
        resolve(how);
      });
      child.once('error', (err) => {
        resolve(`failed to start: ${err.message}`);
        if (!stopping) onUnexpectedExit(m, `failed to start: ${err.message}`);
      });
    });
    const m: Managed & { stopRequested?: boolean } = { name: spec.name, child, logFile, exited };
    running.push(m);
    return m;
  }

  /** `signal`: how the process is asked to stop (PostgreSQL's fast shutdown is SIGINT). */
  async function stop(
    m: Managed & { stopRequested?: boolean },
    graceMs = 10_000,
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<void> {
    if (m.child.exitCode !== null || m.child.signalCode !== null) return;
    m.stopRequested = true;
    m.child.kill(signal);
    const timer = setTimeout(() => m.child.kill('SIGKILL'), graceMs);
    await m.exited;
    clearTimeout(timer);
  }

  /** SIGKILL with no grace (a crash on purpose, for tests); not reported as unexpected. */
  async function kill(m: Managed & { stopRequested?: boolean }): Promise<void> {
    if (m.child.exitCode !== null || m.child.signalCode !== null) return;
    m.stopRequested = true;
    m.child.kill('SIGKILL');
    await m.exited;
  }

  return {
    start,
    stop,
    kill,
    /** The running process started under `name`, if any. */
    find: (name: string): Managed | undefined => running.find((m) => m.name === name),
    async stopAll(): Promise<void> {
      stopping = true;
      for (const m of [...running].reverse()) await stop(m);
    },
    /** Synchronous last resort (process 'exit' handler): kill whatever is left. */
    killAll(): void {
      for (const m of running) m.child.kill('SIGKILL');
    },
  };
}
export type ProcessGroup = ReturnType<typeof createProcessGroup>;

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Runs the built image with podman the only way it works on these VMs (../shared/INFRA.md):
// cgroupfs and runc (crun refuses the hybrid cgroups), the host's network, and rlimits lowered
// explicitly (keeping the defaults is refused). The containers run hardened as the chart runs
// them: read-only root filesystem (podman mounts a tmpfs on /tmp, as the chart's emptyDir),
// every capability dropped, no privilege escalation.

const GLOBAL = ['--cgroup-manager=cgroupfs', '--runtime=/usr/sbin/runc'];

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(command: string, args: string[], env = process.env): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** podman with its result, whatever the exit code. */
export const podmanResult = (...args: string[]): Promise<Result> =>
  sh('podman', [...GLOBAL, ...args]);

/** podman's output; throws on a non-zero exit. */
export async function podman(...args: string[]): Promise<string> {
  const r = await podmanResult(...args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

const hardened = (env: Record<string, string>): string[] => [
  '--network=host',
  '--ulimit=nofile=1024:1024',
  '--ulimit=nproc=1024:1024',
  '--read-only',
  '--cap-drop=all',
  '--security-opt=no-new-privileges',
  ...Object.entries(env).map(([k, v]) => `--env=${k}=${v}`),
];

/** Starts `args` (the service's entry file) in a detached, hardened container; returns its name. */
export async function runDetached(
  image: string,
  name: string,
  env: Record<string, string>,
  args: string[],
): Promise<string> {
  await podman('run', '--detach', `--name=${name}`, ...hardened(env), image, ...args);
  return name;
}

/** Runs `args` (a job's script) in a hardened container to its end, as a Kubernetes Job would. */
export const runToEnd = (image: string, env: Record<string, string>, args: string[]) =>
  podmanResult('run', '--rm', ...hardened(env), image, ...args);

/** The host's view of a container's main process: its uid (real, effective, saved, fs) and argv. */
export async function mainProcess(name: string): Promise<{ uids: number[]; argv: string[] }> {
  const pid = await podman('inspect', '--format={{.State.Pid}}', name);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uids = (/^Uid:\s+(.*)$/m.exec(status)?.[1] ?? '').split(/\s+/).map(Number);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  return { uids, argv };
}

export const logsOf = (name: string): Promise<string> =>
  podmanResult('logs', name).then((r) => r.stdout + r.stderr);

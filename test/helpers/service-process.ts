import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const projectRoot = join(import.meta.dirname, '..', '..');

export type LogLine = Record<string, unknown>;

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Collects a child's JSON log lines; `waitFor` resolves on a past or future matching line. */
export function logCollector(child: ChildProcess) {
  const seen: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before the expected log line`)),
    );
  });
  exited.catch(() => {});
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text);
    } catch {
      return; // npm's own banner, not a log line
    }
    seen.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  return {
    seen,
    waitFor(match: (line: LogLine) => boolean): Promise<LogLine> {
      const past = seen.find(match);
      if (past) return Promise.resolve(past);
      return Promise.race([
        new Promise<LogLine>((resolve) => waiters.push({ match, resolve })),
        exited,
      ]);
    },
    /** Resolves with the log line whose `msg` is exactly `msg`. */
    message(msg: string): Promise<LogLine> {
      return this.waitFor((line) => line.msg === msg);
    },
  };
}

/**
 * Runs the service the way the README tells people to: `npm start` (with `args` after `--`),
 * in the project folder, with `env` over the parent's environment. The child is npm itself, so
 * signalling it signals what `docker stop` or a terminal would.
 */
export function npmStart(env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn('npm', ['start', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Whether a process with this pid still exists (signal 0 checks without signalling). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves with the exit code (or the signal) once the child has exited. */
export async function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return child.exitCode;
  if (child.signalCode !== null) return child.signalCode;
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return code ?? (signal as NodeJS.Signals);
}

/**
 * Runs `node --import tsx src/main.ts` directly (no npm banner) with `env` over the test's own
 * environment, to its exit: the exit code and everything it wrote.
 */
export async function runServiceToExit(
  env: Record<string, string>,
): Promise<{ code: number | NodeJS.Signals; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await exitOf(child);
  return { code, stdout, stderr };
}

import { type Config, ConfigError, loadConfig } from '../config.js';
import { deadLetterCommand } from './dead-letter-command.js';
import { evaluateCommand } from './evaluate-command.js';
import type { CliIo } from './io.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

/** The `acw` commands; each one is its own module. */
export const COMMANDS: Record<string, { run: Command; summary: string }> = {
  evaluate: {
    run: evaluateCommand,
    summary: 'evaluate FILE   print the action profiles of a facts document',
  },
  'dead-letter': {
    run: deadLetterCommand,
    summary:
      'dead-letter list|replay [ID] --tenant T   list or replay dead-lettered outbox effects',
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((command) => `  acw ${command.summary}`);
  return `usage:\n${lines.join('\n')}\n`;
}

export async function runAcw(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`acw: unknown command ${name}\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** What a process hands a command: its environment and standard streams. */
export interface CliStreams {
  env: NodeJS.ProcessEnv;
  stdin: AsyncIterable<string | Buffer>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * The io of a command over `streams`: main.ts passes the process's own, tests pass theirs and run
 * the command in-process. The configuration is read from `env` when a command first asks for it.
 */
export function streamIo({ env, stdin, stdout, stderr }: CliStreams): CliIo {
  let config: Config | undefined;
  return {
    stdout: (text) => void stdout.write(text),
    stderr: (text) => void stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks).toString('utf8');
    },
    config: () => {
      config ??= loadConfig(env);
      return config;
    },
  };
}

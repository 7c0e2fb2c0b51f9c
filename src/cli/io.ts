import type { Config } from '../config.js';

/** What a command may touch, so tests can run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  config(): Config;
}

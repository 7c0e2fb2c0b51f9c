import { processIo, runAcw } from './acw.js';

process.exitCode = await runAcw(process.argv.slice(2), processIo());

import { runAcw, streamIo } from './acw.js';

process.exitCode = await runAcw(process.argv.slice(2), streamIo(process));

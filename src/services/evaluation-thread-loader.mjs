// The evaluation thread's entry when the service runs from its TypeScript sources: a worker
// thread does not inherit `node --import tsx`, so it registers tsx itself, then loads the thread.
import { register } from 'tsx/esm/api';

register();
await import('./evaluation-thread.ts');

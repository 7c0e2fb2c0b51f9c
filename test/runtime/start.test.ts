import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, freePort, isRunning, logCollector, npmStart } from '../helpers/service-process.js';
import { waitFor } from '../helpers/wait-for.js';

describe('npm start', () => {
  it('starts its own Redis when none answers, serves, and stops cleanly when npm gets SIGTERM', async () => {
    const redisPort = await freePort();
    // npm itself is the child: SIGTERM goes to it, as `docker stop` or an orchestrator sends it.
    const npm = npmStart({
      NODE_ENV: 'development',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'acw-start-')),
      HOST: '127.0.0.1',
      PORT: '0',
      ROLE: 'all',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      KEY_PREFIX: 'start-test',
      QUEUE_PREFIX: '{start-test}',
    });
    let servicePid: number | undefined;
    try {
      const logs = logCollector(npm);
      const autostarted = await logs.waitFor((line) =>
        String(line.msg).includes('started a private redis-server'),
      );
      expect(autostarted.port).toBe(redisPort);
      const listening = await logs.waitFor((line) =>
        String(line.msg).startsWith('Server listening at'),
      );
      const started = await logs.message('agent-commerce-worker started');
      servicePid = started.pid as number;
      // The service is npm's own child (the script execs node): no shell or tsx in between.
      expect(servicePid).not.toBe(npm.pid);
      const url = String(listening.msg).replace('Server listening at ', '');
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);

      npm.kill('SIGTERM');
      const shuttingDown = await logs.message('shutting down');
      expect(shuttingDown.signal).toBe('SIGTERM');
      await logs.message('stopped');
      expect(await exitOf(npm)).toBe(0);
      // Nothing is left behind: the service process, its port and the private Redis are gone.
      const pid = servicePid;
      await waitFor('the service process to be gone', async () =>
        isRunning(pid) ? undefined : true,
      );
      await expect(fetch(`${url}/health/live`)).rejects.toThrow();
      await expect(fetch(`http://127.0.0.1:${redisPort}`)).rejects.toThrow();
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      if (servicePid !== undefined && isRunning(servicePid)) process.kill(servicePid, 'SIGKILL');
    }
  }, 60_000);
});

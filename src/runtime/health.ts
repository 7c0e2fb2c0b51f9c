/**
 * What /health/ready reports: named checks registered by whoever owns the part (Redis, each
 * worker, each scheduler), and whether the process is shutting down (then it is never ready, so
 * the load balancer stops sending traffic before the listener closes).
 */
export type HealthCheck = () => boolean | Promise<boolean>;

export interface HealthReport {
  ready: boolean;
  shuttingDown: boolean;
  checks: Record<string, boolean>;
}

export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();
  private stopping = false;

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  markShuttingDown(): void {
    this.stopping = true;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async report(timeoutMs = 2_000): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const ok = await Promise.race([
          Promise.resolve()
            .then(check)
            .catch(() => false),
          new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref()),
        ]);
        return [name, ok] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    return {
      ready: !this.stopping && entries.every(([, ok]) => ok),
      shuttingDown: this.stopping,
      checks,
    };
  }
}

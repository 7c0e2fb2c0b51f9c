import type { Redis } from 'ioredis';
import type { IntentTask, IntentTaskState } from '../domain/index.js';
import { tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';

export interface TaskListQuery {
  contextId?: string;
  state?: IntentTaskState;
  /** Only tasks updated at or after this instant (ms). */
  updatedAfterMs?: number;
  offset: number;
  limit: number;
}

export interface TaskListPage {
  tasks: IntentTask[];
  /** Tasks matching the query in the retention window. */
  total: number;
  nextOffset: number | undefined;
}

/** Bounds a ListTasks scan: a tenant keeps at most this many tasks visible to listing. */
const LIST_SCAN_LIMIT = 10_000;
const MGET_CHUNK = 200;

/**
 * Intent tasks of every tenant, each under `${prefix}:{tenant}:intent-task:<id>` with the
 * retention as TTL, plus a per-tenant index by creation time for listing. A task of another
 * tenant is simply not found: every read builds its key from the caller's tenant.
 */
export class IntentTaskStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {}

  private keys(tenant: string) {
    const key = tenantKeys(this.prefix, tenant);
    return { task: (id: string) => key('intent-task', id), index: key('intent-tasks') };
  }

  /** Stores the task unless its id exists; either way returns the stored task. */
  async createIfAbsent(task: IntentTask): Promise<{ created: boolean; task: IntentTask }> {
    const keys = this.keys(task.tenant);
    const createdAtMs = Date.parse(task.createdAt);
    const [created, json] = (await runScript(
      this.redis,
      'create-intent-task-2',
      [keys.task(task.id), keys.index],
      [
        JSON.stringify(task),
        this.retentionSeconds,
        createdAtMs,
        task.id,
        createdAtMs - this.retentionSeconds * 1000,
      ],
    )) as [number, string];
    return { created: created === 1, task: JSON.parse(json) as IntentTask };
  }

  async get(tenant: string, id: string): Promise<IntentTask | undefined> {
    const json = await this.redis.get(this.keys(tenant).task(id));
    return json === null ? undefined : (JSON.parse(json) as IntentTask);
  }

  /**
   * Applies `change` to the current task and writes the result unless someone wrote in between,
   * in which case it reads again and re-applies. `change` returns undefined to leave the task
   * as it is. Resolves to the task as stored afterwards, or undefined when there is none.
   */
  async update(
    tenant: string,
    id: string,
    change: (task: IntentTask) => IntentTask | undefined,
  ): Promise<IntentTask | undefined> {
    const key = this.keys(tenant).task(id);
    for (;;) {
      const current = await this.get(tenant, id);
      if (current === undefined) return undefined;
      const next = change(current);
      if (next === undefined) return current;
      const written = { ...next, version: current.version + 1 };
      const result = await runScript(
        this.redis,
        'update-intent-task-1',
        [key],
        [current.version, JSON.stringify(written)],
      );
      if (result === 1) return written;
      if (result === -1) return undefined;
    }
  }

  /** Newest first, filtered, in pages; scans at most the newest LIST_SCAN_LIMIT tasks. */
  async list(tenant: string, query: TaskListQuery, nowMs: number): Promise<TaskListPage> {
    const keys = this.keys(tenant);
    const cutoffMs = nowMs - this.retentionSeconds * 1000;
    const ids = await this.redis.zrevrangebyscore(
      keys.index,
      '+inf',
      cutoffMs,
      'LIMIT',
      0,
      LIST_SCAN_LIMIT,
    );
    const matching: IntentTask[] = [];
    for (let i = 0; i < ids.length; i += MGET_CHUNK) {
      const chunk = ids.slice(i, i + MGET_CHUNK).map((id) => keys.task(id));
      if (chunk.length === 0) continue;
      for (const json of await this.redis.mget(...chunk)) {
        if (json === null) continue;
        const task = JSON.parse(json) as IntentTask;
        if (query.contextId !== undefined && task.contextId !== query.contextId) continue;
        if (query.state !== undefined && task.state !== query.state) continue;
        if (query.updatedAfterMs !== undefined && Date.parse(task.updatedAt) < query.updatedAfterMs)
          continue;
        matching.push(task);
      }
    }
    const tasks = matching.slice(query.offset, query.offset + query.limit);
    const end = query.offset + tasks.length;
    return { tasks, total: matching.length, nextOffset: end < matching.length ? end : undefined };
  }
}

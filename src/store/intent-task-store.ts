import type { IntentTask, IntentTaskState } from '../domain/index.js';
import { tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import type { RedisClient } from './redis.js';

export interface TaskListQuery {
  contextId?: string;
  state?: IntentTaskState;
  /** Only tasks updated at or after this instant (ms). */
  updatedAfterMs?: number;
  /** Continue after this task: the (creation score, id) last seen, in the listing's order. */
  after?: TaskCursor;
  limit: number;
}

/** A position in the listing (newest first, ties by id descending), stable under new tasks. */
export interface TaskCursor {
  score: number;
  id: string;
}

export interface TaskListPage {
  tasks: IntentTask[];
  /** Tasks matching the query in the retention window. */
  total: number;
  /** The last task of this page when more follow. */
  next: TaskCursor | undefined;
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
    private readonly redis: RedisClient,
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
    const sent = JSON.stringify(task);
    const [created, existing] = (await runScript(
      this.redis,
      'create-intent-task-2',
      [keys.task(task.id), keys.index],
      [
        sent,
        this.retentionSeconds,
        createdAtMs,
        task.id,
        createdAtMs - this.retentionSeconds * 1000,
      ],
    )) as [number, string?];
    // Created: the stored task is what was sent, so the script does not send it back, and the
    // caller gets the task it passed (its JSON is what was stored) instead of a parse of it.
    if (created === 1) return { created: true, task };
    return { created: false, task: JSON.parse(existing as string) as IntentTask };
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
    const withScores = await this.redis.zrevrangebyscore(
      keys.index,
      '+inf',
      cutoffMs,
      'WITHSCORES',
      'LIMIT',
      0,
      LIST_SCAN_LIMIT,
    );
    // Redis orders equal scores by member, so (score desc, id desc) is the listing's total order.
    const entries: TaskCursor[] = [];
    for (let i = 0; i + 1 < withScores.length; i += 2)
      entries.push({ id: withScores[i] as string, score: Number(withScores[i + 1]) });
    const matching: { task: IntentTask; at: TaskCursor }[] = [];
    for (let i = 0; i < entries.length; i += MGET_CHUNK) {
      const slice = entries.slice(i, i + MGET_CHUNK);
      const chunk = slice.map((entry) => keys.task(entry.id));
      if (chunk.length === 0) continue;
      const jsons = await this.redis.mget(...chunk);
      for (const [j, json] of jsons.entries()) {
        if (json === null) continue;
        const task = JSON.parse(json) as IntentTask;
        if (query.contextId !== undefined && task.contextId !== query.contextId) continue;
        if (query.state !== undefined && task.state !== query.state) continue;
        if (query.updatedAfterMs !== undefined && Date.parse(task.updatedAt) < query.updatedAfterMs)
          continue;
        matching.push({ task, at: slice[j] as TaskCursor });
      }
    }
    const after = query.after;
    const start =
      after === undefined
        ? 0
        : matching.findIndex(
            ({ at }) => at.score < after.score || (at.score === after.score && at.id < after.id),
          );
    const from = start === -1 ? matching.length : start;
    const page = matching.slice(from, from + query.limit);
    const last = page.at(-1);
    return {
      tasks: page.map(({ task }) => task),
      total: matching.length,
      next: last !== undefined && from + page.length < matching.length ? last.at : undefined,
    };
  }
}

import { Worker } from 'node:worker_threads';
import { contextKey } from '../domain/index.js';
import {
  evaluateSlice,
  type SliceRead,
  type SliceResult,
  type SliceSettings,
  type TenantPolicies,
} from './evaluate-slice.js';
import type { SliceReply, SliceRequest } from './evaluation-thread.js';

/**
 * Where an evaluation batch's slices are computed. The batch reads and writes on the main
 * thread; the deciding and encoding, about half of a batch's CPU, runs either here (inline) or
 * on an evaluation thread, so that on a machine with a core to spare the two halves overlap.
 */
export interface SliceEvaluator {
  evaluate(
    tenant: string,
    policies: TenantPolicies,
    read: SliceRead,
    nowMs: number,
  ): Promise<SliceResult>;
  close(): Promise<void>;
}

/**
 * Computes each slice on this thread, after the event loop has had a turn (so the previous
 * slice's MULTI reaches the socket before the CPU is taken again).
 */
export function sliceEvaluatorInline(settings: SliceSettings): SliceEvaluator {
  const contextKeys = settings.contexts.map(contextKey);
  return {
    evaluate: (_tenant, policies, read, nowMs) =>
      new Promise((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve(evaluateSlice(read, policies, nowMs, settings, contextKeys));
          } catch (error) {
            reject(error);
          }
        });
      }),
    close: async () => {},
  };
}

/** The thread's entry: a loader of the TypeScript source under tsx, or the compiled file. */
function threadEntry(): URL {
  const typescript = import.meta.url.endsWith('.ts');
  return new URL(
    typescript ? './evaluation-thread-loader.mjs' : './evaluation-thread.js',
    import.meta.url,
  );
}

/**
 * One evaluation thread, started on first use. Slices are answered in the order sent. The thread
 * keeps each tenant's compiled policies, sent again only when their version changes. If the
 * thread dies, the slices it held fail (their batch is retried by its job) and the next slice
 * starts a new thread.
 */
export class EvaluationThread implements SliceEvaluator {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve(result: SliceResult): void; reject(error: Error): void }
  >();
  /** tenant → policy version the running thread holds */
  private readonly known = new Map<string, number>();
  private nextId = 0;

  constructor(private readonly settings: SliceSettings) {}

  evaluate(
    tenant: string,
    policies: TenantPolicies,
    read: SliceRead,
    nowMs: number,
  ): Promise<SliceResult> {
    const worker = this.running();
    const request: SliceRequest = {
      id: this.nextId++,
      tenant,
      policyVersion: policies.version,
      nowMs,
      read,
    };
    if (this.known.get(tenant) !== policies.version) {
      request.policies = policies.policies;
      this.known.set(tenant, policies.version);
    }
    return new Promise((resolve, reject) => {
      // A thread with slices to answer keeps the process alive; an idle one does not.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
    this.failAll(new Error('evaluation thread closed'));
  }

  private running(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(threadEntry(), {
      workerData: { contexts: this.settings.contexts, options: this.settings.options },
    });
    // An idle thread does not keep the process alive (see evaluate).
    worker.unref();
    worker.on('message', (reply: SliceReply) => this.answer(reply));
    worker.on('error', (error) => this.died(worker, error));
    worker.on('exit', (code) => this.died(worker, new Error(`evaluation thread exited (${code})`)));
    this.worker = worker;
    this.known.clear();
    return worker;
  }

  private answer(reply: SliceReply): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) waiting.reject(new Error(`evaluation thread: ${reply.error}`));
    else waiting.resolve(withBuffers(reply.result));
  }

  private died(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/** Bytes come back from the thread as Uint8Arrays; ioredis writes Buffers (views, no copy). */
function withBuffers(result: SliceResult): SliceResult {
  const buffer = (value: string | Uint8Array): string | Buffer =>
    typeof value === 'string' || Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  for (const byId of result.commit.profiles.values())
    for (const [id, value] of byId) byId.set(id, buffer(value));
  for (const { entry } of result.commit.audit)
    for (const [key, value] of entry.contexts) entry.contexts.set(key, buffer(value));
  return result;
}

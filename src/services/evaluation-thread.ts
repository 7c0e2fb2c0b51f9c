import { parentPort, workerData } from 'node:worker_threads';
import { contextKey, type PolicyFact } from '../domain/index.js';
import {
  evaluateSlice,
  type SliceRead,
  type SliceResult,
  type SliceSettings,
  TenantPolicies,
} from './evaluate-slice.js';

/**
 * An evaluation thread (see evaluation-threads.ts): decides and encodes the slices the main
 * thread reads, and sends back what to write. It does no I/O of its own.
 */
export interface SliceRequest {
  id: number;
  tenant: string;
  policyVersion: number;
  /** present when the thread may not hold this version of the tenant's policies yet */
  policies?: readonly PolicyFact[];
  nowMs: number;
  read: SliceRead;
}

export type SliceReply = { id: number; result: SliceResult } | { id: number; error: string };

if (parentPort !== null) {
  const port = parentPort;
  const settings = workerData as SliceSettings;
  const contextKeys = settings.contexts.map(contextKey);
  const policiesByTenant = new Map<string, TenantPolicies>();
  port.on('message', (request: SliceRequest) => {
    try {
      let policies = policiesByTenant.get(request.tenant);
      if (request.policies !== undefined) {
        policies = new TenantPolicies(request.policyVersion, request.policies);
        policiesByTenant.set(request.tenant, policies);
      }
      if (policies === undefined || policies.version !== request.policyVersion) {
        throw new Error(`no policies of version ${request.policyVersion} for ${request.tenant}`);
      }
      const result = evaluateSlice(request.read, policies, request.nowMs, settings, contextKeys);
      port.postMessage({ id: request.id, result } satisfies SliceReply);
    } catch (error) {
      port.postMessage({
        id: request.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies SliceReply);
    }
  });
}

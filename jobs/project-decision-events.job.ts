import { DelayedError, type Job, type Queue } from 'bullmq';
import { defineJob } from '../src/queues/job-shell.js';
import {
  PROJECT_DECISION_EVENTS_QUEUE,
  ProjectDecisionEventsPayloadSchema,
  requestProjection,
} from '../src/queues/subscription-queues.js';
import type {
  DecisionEventProjector,
  ProjectionStep,
} from '../src/services/subscriptions/decision-event-projector.js';

export const queue = PROJECT_DECISION_EVENTS_QUEUE;
export const PayloadSchema = ProjectDecisionEventsPayloadSchema;

export interface ProjectDecisionEventsDeps {
  projector: DecisionEventProjector;
  nowMs(): number;
  /** The projection queue, to ask for a successor when more entries wait. */
  projections: Queue;
  /** Wakes the outbox drain for the events written, after their coalescing window. */
  wakeDrain(tenant: string): Promise<void>;
  /** Told of every step that wrote something, for the metrics. */
  observe?(tenant: string, step: ProjectionStep): void;
  /** Deliveries waiting in the webhook delivery queue (an upper bound). */
  deliveryBacklog(): Promise<number>;
  /** DECISION_EVENT_QUEUE_HIGH_WATER: at or past it, the projection holds back. */
  backlogLimit: number;
  /** Told when the projection holds back, for the metrics. */
  onHeld?(tenant: string): void;
}

/** Steps per job before it hands over to a successor, so one tenant cannot hold a worker. */
const STEPS_PER_JOB = 50;
/** How long a held projection waits before it looks at the delivery queue again. */
export const PROJECTION_HOLD_MS = 500;

/**
 * Projects the tenant's decision changes into decision events, step by step (each step is
 * atomic with its cursor, so a crash anywhere re-projects nothing twice and loses nothing).
 *
 * Backpressure: before each step it looks at the webhook delivery queue; while that holds
 * `backlogLimit` deliveries or more, the job moves itself to delayed (PROJECTION_HOLD_MS, no
 * attempt spent, still deduplicated) and the changes wait in the change stream, where the
 * readiness page counts them as unprojected. A step never drops or reorders anything, so a hold
 * only delays events.
 */
export const projectDecisionEventsJob = defineJob({
  queue,
  PayloadSchema,
  async process({ tenant }, deps: ProjectDecisionEventsDeps, job: Job) {
    const total = { entries: 0, events: 0, coalesced: 0 };
    let more = false;
    let held = false;
    for (let step = 0; step < STEPS_PER_JOB; step++) {
      if ((await deps.deliveryBacklog()) >= deps.backlogLimit) {
        held = true;
        break;
      }
      const result = await deps.projector.step(tenant, deps.nowMs());
      total.entries += result.entries;
      total.events += result.events;
      total.coalesced += result.coalesced;
      if (result.entries > 0) deps.observe?.(tenant, result);
      more = result.more;
      if (!more) break;
    }
    if (total.events > 0) await deps.wakeDrain(tenant);
    if (held) {
      deps.onHeld?.(tenant);
      await job.moveToDelayed(deps.nowMs() + PROJECTION_HOLD_MS, job.token);
      throw new DelayedError();
    }
    if (more) await requestProjection(deps.projections, tenant);
    return total;
  },
});

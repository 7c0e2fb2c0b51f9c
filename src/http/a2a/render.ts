import type { ErrorDataShape } from '../../adapters/a2a/errors.js';
import type { A2aVersion } from '../../adapters/a2a/jsonrpc.js';
import type { ArtifactView, TaskView } from '../../adapters/a2a/project.js';
import {
  renderArtifactUpdateV1,
  renderSendResultV1,
  renderStatusUpdateV1,
  renderTaskV1,
} from '../../adapters/a2a/wire-v1.js';
import {
  renderArtifactUpdateV03,
  renderStatusUpdateV03,
  renderTaskV03,
} from '../../adapters/a2a/wire-v03.js';

/** The wire shapes of each protocol version, picked once per call. */
export interface Renderer {
  sendResult(view: TaskView): unknown;
  task(view: TaskView): unknown;
  statusUpdate(view: TaskView, final: boolean): unknown;
  artifactUpdate(view: TaskView, artifact: ArtifactView): unknown;
  /** A stream's first event: the task as it is when the stream opens. */
  streamTask(view: TaskView): unknown;
  /** How `error.data` is shaped in this version. */
  errorShape: ErrorDataShape;
}

const V1: Renderer = {
  sendResult: renderSendResultV1,
  task: renderTaskV1,
  statusUpdate: (view) => renderStatusUpdateV1(view),
  artifactUpdate: renderArtifactUpdateV1,
  streamTask: (view) => ({ task: renderTaskV1(view) }),
  errorShape: 'v1',
};

const V03: Renderer = {
  // v0.3 message/send answers the Task itself (kind: task), no oneof wrapper.
  sendResult: renderTaskV03,
  task: renderTaskV03,
  statusUpdate: renderStatusUpdateV03,
  artifactUpdate: renderArtifactUpdateV03,
  streamTask: renderTaskV03,
  errorShape: 'v0.3',
};

export function rendererFor(version: A2aVersion): Renderer {
  return version === '1.0' ? V1 : V03;
}

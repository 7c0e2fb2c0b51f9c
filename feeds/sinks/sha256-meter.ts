import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export interface Sha256Meter {
  /** Passes every chunk through unchanged, hashing and counting it. */
  stream: Transform;
  /** After the stream ended: what went through it. */
  result(): { sha256: string; bytes: number };
}

/** What a feed manifest says of its file, measured on the way through a pipeline. */
export function sha256Meter(): Sha256Meter {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), bytes }) };
}

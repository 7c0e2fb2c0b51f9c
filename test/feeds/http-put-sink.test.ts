import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedManifest } from '../../feeds/sinks/feed-manifest.js';
import { HttpPutSink } from '../../feeds/sinks/http-put-sink.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';

describe('HTTP PUT sink', () => {
  let server: LoopbackServer;
  let dir: string;
  let failuresLeft = 2;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'acw-put-'));
    server = await loopbackServer((request, response) => {
      if (request.url.endsWith('.jsonl') && failuresLeft > 0) {
        failuresLeft -= 1;
        response.writeHead(500).end();
        return;
      }
      response.writeHead(201).end();
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('retries the file after 5xx, then PUTs the manifest last', async () => {
    const body = '{"productId":"A"}\n';
    const file = path.join(dir, 'v1.jsonl');
    await writeFile(file, body);
    const manifest: FeedManifest = {
      feed: 'agent',
      version: 'v1',
      generatedAt: '2026-06-28T09:00:00.000Z',
      count: 1,
      sha256: createHash('sha256').update(body).digest('hex'),
      bytes: Buffer.byteLength(body),
      file: 'v1.jsonl',
      contentType: 'application/x-ndjson',
      context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
    };
    const sink = new HttpPutSink({
      baseUrl: `${server.url}/feeds/`,
      timeoutMs: 2_000,
      retries: 3,
      retryBaseDelayMs: 10,
    });
    await sink.upload('acme', file, manifest);
    await sink.close();

    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT /feeds/acme/agent/v1.jsonl',
      'PUT /feeds/acme/agent/v1.jsonl',
      'PUT /feeds/acme/agent/v1.jsonl',
      'PUT /feeds/acme/agent/manifest.json',
    ]);
    // Every attempt re-sent the whole file, not a drained stream.
    for (const request of server.requests.slice(0, 3)) expect(request.body.toString()).toBe(body);
    expect(JSON.parse(server.requests[3]!.body.toString())).toEqual(manifest);
  });

  it('gives up on a 4xx at once', async () => {
    const refusing = await loopbackServer((_request, response) => response.writeHead(403).end());
    const file = path.join(dir, 'v2.jsonl');
    await writeFile(file, 'x\n');
    const sink = new HttpPutSink({
      baseUrl: refusing.url,
      timeoutMs: 2_000,
      retries: 3,
      retryBaseDelayMs: 10,
    });
    await expect(
      sink.upload('acme', file, {
        feed: 'agent',
        version: 'v2',
        generatedAt: '2026-06-28T09:00:00.000Z',
        count: 1,
        sha256: 'x',
        bytes: 2,
        file: 'v2.jsonl',
        contentType: 'application/x-ndjson',
        context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
      }),
    ).rejects.toThrow(/403/);
    expect(refusing.requests).toHaveLength(1);
    await sink.close();
    await refusing.close();
  });
});

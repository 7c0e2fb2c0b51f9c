import type { RpcReply } from './a2a.js';

/**
 * The events of a server-sent-events response as they arrive, each checked for the A2A
 * JSON-RPC framing (one `data:` line holding one JSON-RPC response, a blank line after it) and
 * parsed. Ends when the server closes the stream.
 */
export async function* sseEvents(response: Response): AsyncGenerator<RpcReply> {
  if (response.body === null) throw new Error('no body');
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const lines = block.split('\n');
      if (lines.length !== 1 || !lines[0]?.startsWith('data: '))
        throw new Error(`not one data line: ${JSON.stringify(block)}`);
      yield JSON.parse(lines[0].slice('data: '.length)) as RpcReply;
    }
  }
  if (buffered !== '') throw new Error(`stream ended mid-event: ${JSON.stringify(buffered)}`);
}

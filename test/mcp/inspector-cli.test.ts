import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, freePort, isRunning, logCollector, npmStart } from '../helpers/service-process.js';

/**
 * The official MCP Inspector's CLI (@modelcontextprotocol/inspector-cli, a pinned dev
 * dependency) against the service as `npm start` runs it: its own Redis, the demo catalog, a
 * tenant token sent with the CLI's --header option. What it prints on stdout is JSON.
 */

const TOKEN = 'inspector-token-000000000001';
const run = promisify(execFile);

/** The CLI's bin (build/cli.js), found the way node resolves the package. */
const CLI = join(
  dirname(
    createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli/package.json'),
  ),
  'build',
  'cli.js',
);

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mcp-inspector-cli --cli <url> --transport http --header … <args>`. Its working
 * directory is the package's own build folder: version 1.0.3 finds its package.json by
 * checking `../package.json` against the working directory, and fails from anywhere else
 * ("Cannot find module …/@modelcontextprotocol/package.json").
 */
async function inspector(url: string, token: string, args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        CLI,
        '--cli',
        url,
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${token}`,
        ...args,
      ],
      { cwd: dirname(CLI), timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface ListedTool {
  name: string;
  inputSchema: { type: string; required?: string[] };
  outputSchema?: { type: string };
}

describe('MCP Inspector CLI against npm start', () => {
  let npm: ReturnType<typeof npmStart>;
  let servicePid: number | undefined;
  let mcpUrl: string;

  beforeAll(async () => {
    npm = npmStart({
      NODE_ENV: 'development',
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      REDIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'acw-inspector-')),
      HOST: '127.0.0.1',
      PORT: '0',
      ROLE: 'all',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'info',
      AUTH_TOKENS: `demo:${TOKEN}`,
      KEY_PREFIX: 'inspector-test',
      QUEUE_PREFIX: '{inspector-test}',
    });
    const logs = logCollector(npm);
    const listening = await logs.waitFor((line) =>
      String(line.msg).startsWith('Server listening at'),
    );
    servicePid = (await logs.message('agent-commerce-worker started')).pid as number;
    mcpUrl = `${String(listening.msg).replace('Server listening at ', '')}/mcp`;
  }, 60_000);

  afterAll(async () => {
    if (npm.exitCode === null) {
      npm.kill('SIGTERM');
      await exitOf(npm);
    }
    if (servicePid !== undefined && isRunning(servicePid)) process.kill(servicePid, 'SIGKILL');
  }, 30_000);

  it('lists the tools, each with its input and output schema', async () => {
    const listed = await inspector(mcpUrl, TOKEN, ['--method', 'tools/list']);
    expect(listed.code, listed.stderr).toBe(0);
    const { tools } = JSON.parse(listed.stdout) as { tools: ListedTool[] };
    const readiness = tools.find((tool) => tool.name === 'get_product_readiness');
    expect(readiness?.inputSchema.required).toEqual(['productId']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
    }
  }, 30_000);

  it('calls get_product_readiness for the Travel Backpack and reads its blocked returns', async () => {
    const called = await inspector(mcpUrl, TOKEN, [
      '--method',
      'tools/call',
      '--tool-name',
      'get_product_readiness',
      '--tool-arg',
      'productId=BAG-TRAVEL-42',
      'context={"region":"EU"}',
    ]);
    expect(called.code, called.stderr).toBe(0);
    const result = JSON.parse(called.stdout) as {
      isError?: boolean;
      content: { type: string; text: string }[];
      structuredContent: {
        productId: string;
        found: boolean;
        context: { region: string };
        decisions: {
          action: string;
          policyDomain?: string;
          result: string;
          blockers: { code: string }[];
        }[];
      };
    };
    expect(result.isError).not.toBe(true);
    const profile = result.structuredContent;
    expect(profile).toMatchObject({ productId: 'BAG-TRAVEL-42', found: true });
    expect(profile.context.region).toBe('EU');
    const returns = profile.decisions.find((d) => d.policyDomain === 'returns');
    expect(returns?.result).toBe('blocked');
    expect(returns?.blockers.map((b) => b.code)).toContain('RETURN_POLICY_MISSING');
    // The text copy says the same as the structured content.
    expect(JSON.parse(result.content[0]?.text ?? '')).toEqual(profile);
  }, 30_000);

  it('is refused without the tenant token: the header option is what authenticates', async () => {
    const refused = await inspector(mcpUrl, 'not-a-token-of-anyone-000000', [
      '--method',
      'tools/list',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/401|Unauthorized/);
  }, 30_000);
});

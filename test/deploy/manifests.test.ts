import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigError, ConfigSchema, loadConfig } from '../../src/config.js';

/**
 * No cluster or Docker engine runs here, so the deployment files are checked as data: they parse,
 * they hang together, and every variable they set is one the service reads (src/config.ts).
 */
const root = join(import.meta.dirname, '..', '..');
const configVars = new Set(Object.keys(ConfigSchema.shape));

// biome-ignore lint/suspicious/noExplicitAny: YAML documents are walked as untyped data on purpose
type Doc = Record<string, any>;
function load(path: string): Doc[] {
  return parseAllDocuments(readFileSync(path, 'utf8'), { merge: true }).map((doc) => {
    expect(doc.errors, `${path} parses`).toEqual([]);
    return doc.toJS() as Doc;
  });
}

const k8sDir = join(root, 'deploy', 'kubernetes');
const k8s = readdirSync(k8sDir)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => load(join(k8sDir, file)).map((doc) => ({ file, doc })));
const byKind = (kind: string) => k8s.filter(({ doc }) => doc.kind === kind).map(({ doc }) => doc);
const compose = load(join(root, 'deploy', 'compose.yaml'))[0] as Doc;

/** Stand-ins for the secrets deploy files leave to the operator, so the rest can be loaded. */
const OPERATOR_SECRETS = {
  AUTH_TOKENS: 'tenant-a:0123456789abcdef0123',
  OPERATOR_TOKEN: 'operator-0123456789abcdef',
  WEBHOOK_SECRET: 'webhook-0123456789abcdef',
};

/** A compose value as `docker compose` reads it without overrides: `${X:-default}` → default. */
function composeDefault(value: unknown): string {
  return String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

/** The `ENV` variables of the Dockerfile's runtime stage. */
function dockerfileEnv(dockerfile: string): Record<string, string> {
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const [, block] of runtime.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm))
    for (const [, name, value] of (block ?? '').matchAll(/([A-Z_]+)=(\S+)/g))
      if (name !== undefined && value !== undefined) env[name] = value;
  return env;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

describe('deployment files', () => {
  it('every Kubernetes object has apiVersion, kind and a name', () => {
    expect(k8s.length).toBeGreaterThanOrEqual(7);
    for (const { file, doc } of k8s) {
      expect(doc.apiVersion, file).toEqual(expect.any(String));
      expect(doc.kind, file).toEqual(expect.any(String));
      expect(doc.metadata?.name, file).toEqual(expect.any(String));
    }
  });

  it('sets only variables the service reads', () => {
    const set = new Set<string>();
    for (const doc of byKind('ConfigMap')) for (const name of Object.keys(doc.data)) set.add(name);
    for (const doc of byKind('Secret'))
      for (const name of Object.keys(doc.stringData)) set.add(name);
    for (const doc of byKind('Deployment')) {
      for (const container of doc.spec.template.spec.containers)
        for (const env of container.env ?? []) set.add(env.name);
    }
    for (const service of Object.values<Doc>(compose.services))
      for (const name of Object.keys(service.environment ?? {})) set.add(name);
    const unknown = [...set].filter((name) => !configVars.has(name));
    expect(unknown, 'variables in deploy/ that src/config.ts does not read').toEqual([]);
    expect(set.has('REDIS_URL')).toBe(true);
  });

  it('sets PUBLIC_BASE_URL wherever the card is served from HOST=0.0.0.0, and so loads in production', () => {
    const [configMap] = byKind('ConfigMap');
    expect(configMap?.data.HOST).toBe('0.0.0.0');
    expect(configMap?.data.PUBLIC_BASE_URL).toMatch(/^https?:\/\//);
    const ingress = byKind('Deployment').find(
      (doc) => doc.metadata.name === 'agent-commerce-worker-ingress',
    );
    const ingressEnv = Object.fromEntries(
      (ingress?.spec.template.spec.containers[0].env ?? []).map((e: Doc) => [e.name, e.value]),
    );
    expect(ingressEnv.ROLE).toBe('ingress');
    expect(problemsOf({ ...configMap?.data, ...OPERATOR_SECRETS, ...ingressEnv })).toEqual([]);

    const withWildcard = Object.entries<Doc>(compose.services).filter(
      ([, service]) => service.environment?.HOST === '0.0.0.0',
    );
    expect(withWildcard.map(([name]) => name)).toContain('ingress');
    for (const [name, service] of withWildcard) {
      expect(service.environment.PUBLIC_BASE_URL, name).toEqual(expect.any(String));
      const env = Object.fromEntries(
        Object.entries<unknown>(service.environment).map(([key, value]) => [
          key,
          composeDefault(value),
        ]),
      );
      expect(problemsOf({ ...env, ...OPERATOR_SECRETS }), name).toEqual([]);
    }
  });

  it('leaves PUBLIC_BASE_URL to the image run, which refuses to start without it', () => {
    const env = dockerfileEnv(readFileSync(join(root, 'Dockerfile'), 'utf8'));
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', ROLE: 'all' });
    expect(problemsOf({ ...env, ...OPERATOR_SECRETS })).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL: must be set in production/),
    ]);
    expect(
      problemsOf({ ...env, ...OPERATOR_SECRETS, PUBLIC_BASE_URL: 'https://agents.example.com' }),
    ).toEqual([]);
  });

  it('runs one Deployment per role, each probed on the health routes, with a grace period past the shutdown deadline', () => {
    const deployments = byKind('Deployment');
    const roles = deployments.map(
      (doc) => doc.spec.template.spec.containers[0].env.find((e: Doc) => e.name === 'ROLE').value,
    );
    expect(roles.sort()).toEqual(['ingress', 'scheduler', 'worker']);
    const deadlineMs = Number(byKind('ConfigMap')[0]?.data.SHUTDOWN_DEADLINE_MS);
    for (const doc of deployments) {
      const pod = doc.spec.template.spec;
      const container = pod.containers[0];
      expect(matches(doc.spec.selector.matchLabels, doc.spec.template.metadata.labels)).toBe(true);
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(deadlineMs);
    }
  });

  it('points the Service, HPA and PDBs at Deployments that exist', () => {
    const deployments = byKind('Deployment');
    const [service] = byKind('Service');
    expect(
      deployments.some((doc) => matches(service?.spec.selector, doc.spec.template.metadata.labels)),
    ).toBe(true);
    const [hpa] = byKind('HorizontalPodAutoscaler');
    expect(deployments.map((doc) => doc.metadata.name)).toContain(hpa?.spec.scaleTargetRef.name);
    for (const pdb of byKind('PodDisruptionBudget')) {
      expect(
        deployments.some((doc) =>
          matches(pdb.spec.selector.matchLabels, doc.spec.template.metadata.labels),
        ),
      ).toBe(true);
    }
  });

  it('runs Redis with AOF and noeviction in compose, and the service split into roles', () => {
    const redisCommand: string[] = compose.services.redis.command;
    expect(redisCommand.join(' ')).toContain('--appendonly yes');
    expect(redisCommand.join(' ')).toContain('--maxmemory-policy noeviction');
    const roles = Object.values<Doc>(compose.services)
      .map((service) => service.environment?.ROLE)
      .filter(Boolean);
    expect(roles.sort()).toEqual(['ingress', 'scheduler', 'worker']);
  });

  it('builds a multi-stage, non-root image with a health check and node itself as entry', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    // Signals reach the service only if nothing (npm, a shell) sits between it and PID 1, and
    // the image runs the very command `npm start` execs.
    const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(entry[0]).toBe('node');
    const start = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        scripts: { start: string };
      }
    ).scripts.start;
    expect(start).toBe(`exec ${entry.join(' ')}`);
  });
});

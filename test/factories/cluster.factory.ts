import type TestAgent from 'supertest/lib/agent';

let seq = 0;
/** A unique, valid cluster name. */
export const clusterName = (prefix = 'c'): string => `${prefix}-${process.pid % 10000}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;

export function buildCluster(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'Cluster', name: clusterName(), spec: { region: 'us-east-1', version: '4.18' }, labels: { env: 'dev' }, ...overrides };
}

/** Creates a cluster through the API and returns its body. */
export async function createCluster(http: TestAgent, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await http.post('/api/hyperfleet/v1/clusters').send(buildCluster(overrides));
  if (res.status !== 201) throw new Error(`create cluster: ${res.status} ${res.text}`);
  return res.body;
}

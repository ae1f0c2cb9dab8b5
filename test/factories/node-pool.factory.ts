import type TestAgent from 'supertest/lib/agent';

let seq = 0;
/** A unique, valid node pool name (3–15 characters). */
export const nodePoolName = (): string => `np-${(++seq).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

export function buildNodePool(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'NodePool', name: nodePoolName(), spec: { replicas: 3, instance_type: 'm5.xlarge' }, labels: { pool: 'worker' }, ...overrides };
}

export async function createNodePool(http: TestAgent, clusterId: string, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await http.post(`/api/hyperfleet/v1/clusters/${clusterId}/nodepools`).send(buildNodePool(overrides));
  if (res.status !== 201) throw new Error(`create node pool: ${res.status} ${res.text}`);
  return res.body;
}

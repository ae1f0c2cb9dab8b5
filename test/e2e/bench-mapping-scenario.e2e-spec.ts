import { loadConfig } from '@app/config';
import { mapConditions } from '../../apps/api/src/conditions/condition-mapper';

/** What the test uses of bench/lib.mjs (plain JavaScript, without types). */
interface BenchLib {
  ADAPTERS: string[];
  rng(seed: number): () => number;
  clusterLabels(r: () => number): Record<string, string>;
  clusterSpec(r: () => number, labels: Record<string, string>): { release: { version: string } } & Record<string, unknown>;
  adapterStatusBody(r: () => number, adapter: string, generation: number): { conditions: { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string }[]; data: Record<string, unknown> };
}
const BENCH_LIB = '../../bench/lib.mjs';

/**
 * The bench scenario of issue 19 (bench/mapping, docs/performance.md "Spec schemas and condition
 * mapping") measures what it says only if its files load, the specs the bench sends satisfy the schema
 * (a refused create would measure a 400) and its rules evaluate without failing on the bench's reports.
 */
describe('bench/mapping', () => {
  it('loads, accepts the bench specs, and maps the bench reports without a failure', async () => {
    const lib = (await import(BENCH_LIB)) as BenchLib;
    const schema = loadConfig({ HYPERFLEET_CONFIG: 'bench/mapping/schema.yaml' }, []);
    const cluster = schema.kinds.get('Cluster')!;
    const r = lib.rng(7);
    for (let i = 0; i < 50; i++) {
      const spec = lib.clusterSpec(r, lib.clusterLabels(r));
      expect(schema.specSchemas.check(cluster, spec)).toEqual([]);
      // the lifecycle's PATCH
      spec.release.version = '4.18.1';
      expect(schema.specSchemas.check(cluster, spec)).toEqual([]);
    }

    const rules = loadConfig({ HYPERFLEET_CONFIG: 'bench/mapping/rules.yaml' }, []);
    for (const kind of ['Cluster', 'NodePool']) {
      const statuses = lib.ADAPTERS.map((adapter) => {
        const body = lib.adapterStatusBody(r, adapter, 1);
        return { adapter, observedGeneration: 1, conditions: body.conditions, data: body.data };
      });
      const now = new Date();
      const mapped = mapConditions({ kind: rules.kinds.get(kind)!, resource: { id: '019466a0-8f8e-7abc-9def-0123456789ab', generation: 1, updatedTime: now, spec: {} }, statuses, refTime: now.toISOString(), previous: [] });
      expect(mapped.failures).toEqual([]);
      expect(mapped.conditions.map((c) => c.type)).toEqual(['AdaptersAtGeneration', 'ChecksPassed', 'ValidationHealthy']);
    }
  });
});

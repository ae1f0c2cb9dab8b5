let clock = Date.now() - 10 * 60_000;
/** Strictly increasing observed times within the accepted window (10 minutes ago onwards, 1 ms apart). */
export const nextObservedTime = (): string => new Date(++clock).toISOString();

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export function buildReport(adapter: string, generation: number, overrides: { available?: ConditionStatus; finalized?: boolean; observed_time?: string | null; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  const conditions: Record<string, unknown>[] = [
    { type: 'Available', status: overrides.available ?? 'True', reason: 'AllGood', message: `${adapter} is available` },
    { type: 'Applied', status: 'True', reason: 'Applied' },
    { type: 'Health', status: 'True', reason: 'Healthy' },
  ];
  if (overrides.finalized) conditions.push({ type: 'Finalized', status: 'True', reason: 'CleanedUp' });
  const body: Record<string, unknown> = { adapter, observed_generation: generation, conditions, ...overrides.extra };
  if (overrides.observed_time !== null) body.observed_time = overrides.observed_time ?? nextObservedTime();
  return body;
}

/** The owner's kind in the polymorphic tables (`adapter_statuses`, `labels`): a kind name of the registry. */
export type OwnerType = string;

/** An aggregated Kubernetes-style condition stored with its resource (wire shape, snake_case). */
export type { ResourceCondition } from '@app/common';

/** A condition an adapter reported (wire shape, snake_case). */
export interface AdapterCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  last_transition_time: string;
}

export type JsonObject = Record<string, unknown>;

/** The labels of a resource: key → value. */
export type LabelMap = Record<string, string>;

/** One element of `condition_statuses`: a condition's type and status as `<type>=<status>`. */
export function conditionStatus(type: string, status: string): string {
  return `${type}=${status}`;
}

/**
 * The statuses of a resource's conditions as the text array stored beside them (`condition_statuses`):
 * one `conditionStatus` element per condition, sorted. A search `status.conditions.<Type>='<Status>'`
 * is the containment of its one element, answered by the array's GIN index.
 */
export function conditionStatuses(conditions: readonly { type: string; status: string }[]): string[] {
  return conditions.map((c) => conditionStatus(c.type, c.status)).sort();
}

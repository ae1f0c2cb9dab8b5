import { pageOf } from '@app/common';
import type { AdapterStatus } from '@app/persistence';
import { AdapterStatusListResponse, AdapterStatusResponse } from './dto/adapter-status.response';

const KNOWN_STATUSES = new Set(['True', 'False', 'Unknown']);

export function presentAdapterStatus(row: AdapterStatus): AdapterStatusResponse {
  return {
    adapter: row.adapter,
    observed_generation: row.observedGeneration,
    conditions: row.conditions
      .filter((c) => KNOWN_STATUSES.has(c.status))
      .map((c) => ({ type: c.type, status: c.status, ...(c.reason !== undefined ? { reason: c.reason } : {}), ...(c.message !== undefined ? { message: c.message } : {}), last_transition_time: c.last_transition_time })),
    data: row.data ?? {},
    ...(row.metadata ? { metadata: row.metadata } : {}),
    created_time: row.createdTime.toISOString(),
    last_report_time: row.lastReportTime.toISOString(),
  };
}

export function presentAdapterStatusPage(page: number, total: number, rows: AdapterStatus[]): AdapterStatusListResponse {
  return pageOf('AdapterStatusList', page, total, rows.map(presentAdapterStatus));
}

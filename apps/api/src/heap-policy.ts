import { setFlagsFromString } from 'node:v8';

/** How much V8 lets the old generation grow past what survived a full collection, in per cent. */
export const HEAP_GROWING_PERCENT = 50;

/** Heap flags an operator may have started the process with: any of them means "my heap policy, not yours". */
const OWN_POLICY = /(^|\s)--(heap-growing-percent|max-old-space-size|max-heap-size)(=|\s|$)/;

/**
 * The V8 flag of the API's heap policy, unless the process was started with a heap flag of its own (on
 * the command line or in NODE_OPTIONS). V8 by default lets the old generation grow to up to 4× what
 * survived the last full collection on a machine with a large memory; under the mixed load, garbage of
 * requests that stayed in flight across young collections gets promoted, and the process peaked at
 * 335–355 MB. Growing by 50% instead, it peaked at 213–231 MB, at about 5–7% more Node CPU per GET and
 * status report and 20% in the list-heavy mixed load (docs/performance.md, change 15). Unlike
 * `--max-old-space-size` this is no ceiling: the heap still grows to whatever the live data needs.
 */
export function heapPolicyFlag(execArgv: readonly string[], nodeOptions = ''): string | undefined {
  if ([...execArgv, nodeOptions].some((arg) => OWN_POLICY.test(arg))) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Applies the heap policy to this process (V8 reads the flag at every full collection). */
export function applyHeapPolicy(): string | undefined {
  const flag = heapPolicyFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (flag) setFlagsFromString(flag);
  return flag;
}

import { HEAP_GROWING_PERCENT, heapPolicyFlag } from './heap-policy';

describe('heapPolicyFlag', () => {
  it('grows the heap by 50% per full collection by default', () => {
    expect(HEAP_GROWING_PERCENT).toBe(50);
    expect(heapPolicyFlag([])).toBe('--heap-growing-percent=50');
    expect(heapPolicyFlag(['--max-semi-space-size=8', '--enable-source-maps'], '--require x')).toBe('--heap-growing-percent=50');
  });

  it.each([
    [['--heap-growing-percent=0'], ''],
    [['--max-old-space-size=512'], ''],
    [['--max-heap-size', '300'], ''],
    [[], '--max-old-space-size=256'],
    [[], '--enable-source-maps --max-heap-size=300'],
  ])('leaves the heap alone when the process was started with a heap flag of its own (%j, NODE_OPTIONS %j)', (argv, nodeOptions) => {
    expect(heapPolicyFlag(argv, nodeOptions)).toBeUndefined();
  });

  it('is not fooled by flags that only begin alike', () => {
    expect(heapPolicyFlag(['--max-old-space-size-foo'])).toBe('--heap-growing-percent=50');
  });
});

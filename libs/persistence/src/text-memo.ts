/**
 * `fn` remembered per statement text. The hot statements are the same few texts on every request
 * (constants, so V8 has their hash already); past `max` texts (searches make new ones) it starts again.
 */
export function memoByText<R>(fn: (text: string) => R, max = 1000): (text: string) => R {
  const seen = new Map<string, R>();
  return (text) => {
    let value = seen.get(text);
    if (value === undefined) {
      if (seen.size >= max) seen.clear();
      value = fn(text);
      seen.set(text, value);
    }
    return value;
  };
}

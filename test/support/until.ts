/** Resolves once `holds()` is true, looking again on every turn of the event loop; fails, naming `what`, after `limitMs`. */
export async function until(holds: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`still not: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

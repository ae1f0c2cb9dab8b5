import { METHODS } from 'node:http';
import type { Express } from 'express';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  match?: (path: string) => boolean;
}

/** The methods the application routes for a path (empty when the path is unknown), read from Express. */
export function allowedMethods(app: Express, path: string): string[] {
  const stack: Layer[] = (app as unknown as { router?: { stack: Layer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    // catch-all routes (the not-found handler) say nothing about what the path supports
    if (!layer.route || !layer.match || layer.route.path.includes('*')) continue;
    // a route registered for every method is middleware mounted as a route, not an endpoint
    if (Object.keys(layer.route.methods).length >= METHODS.length - 1) continue;
    let matches = false;
    try {
      matches = layer.match(path);
    } catch {
      matches = false;
    }
    if (!matches) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') methods.add(m.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

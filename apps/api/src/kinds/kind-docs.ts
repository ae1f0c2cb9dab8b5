import type { ResourceKind } from '@app/config';
import type { KindRouteDocs, RouteShape } from './kind-routes';

/** What every list's description says of a large page (see sendPage). */
export const LARGE_PAGES = ' A page whose items take more than `list.batch_bytes` (1 MiB by default) is sent chunked, a batch at a time, with `size` after the items.';

/** `Channel` → `channels`' words for summaries: the kind's name as written. */
const noun = (kind: ResourceKind): string => kind.kind;

/**
 * The documentation of a configured kind's routes, generated from its descriptor: operation ids
 * `get<Kind>s`, `post<Kind>`, `get<Kind>ById`, …; nested lists `get<Kind>sBy<Parent>Id`; the flat item
 * routes of a child kind end in `Flat` (the nested ones carry the plain names).
 */
export function defaultRouteDocs(kind: ResourceKind, shape: RouteShape): KindRouteDocs {
  const k = kind.kind;
  const flat = shape === 'flat' ? 'Flat' : '';
  const under = shape === 'nested' ? ` of one ${kind.parent!.kind}` : '';
  return {
    tag: kind.plural,
    list: {
      operationId: shape === 'nested' ? `get${k}sBy${kind.parent!.kind}Id` : `get${k}s`,
      summary: `List ${noun(kind)} resources${under}`,
      description: `Resources marked for deletion are included (with \`deleted_time\`); removed ones are not.${LARGE_PAGES}`,
    },
    create: { operationId: `post${k}`, summary: `Create a ${noun(kind)}${shape === 'nested' ? ` in a ${kind.parent!.kind}` : ''}` },
    get: { operationId: `get${k}ById${flat}`, summary: `Get a ${noun(kind)}` },
    patch: { operationId: `patch${k}ById${flat}`, summary: 'Change spec, labels and/or references', description: 'Each given field replaces the stored one whole. generation grows by one when something really changed.' },
    delete: {
      operationId: `delete${k}ById${flat}`,
      summary: 'Request deletion',
      description: `Marks the ${noun(kind)} for deletion (idempotent), after its children by their delete policies; a ${noun(kind)} other resources refer to cannot be deleted (409). ${
        kind.requiredAdapters.length ? 'It stays readable until its required adapters finalize or a force-delete removes it.' : 'It has no required adapters, so it is removed at once (unless marked children remain).'
      }`,
    },
    forceDelete: { operationId: `forceDelete${k}${flat}`, summary: `Remove a ${noun(kind)} marked for deletion now`, description: 'Removes it and everything under it, their statuses, labels and references, without waiting for adapters.' },
  };
}

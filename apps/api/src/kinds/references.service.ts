import type { ResourceKind } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import { isPlainObject, isUuid, ValidationError } from '@app/common';
import { KIND_REGISTRY, ResourceStore, StoredReference, WriteSession } from '@app/persistence';
import type { KindRegistry } from '@app/config';

/** 400 HYPERFLEET-VAL-000 about one reference type. */
const refError = (refType: string, message: string): ValidationError => ValidationError.field(`references.${refType}`, message);

/**
 * References between resources (CONTRACT §5.6): the `references` map of a create or PATCH body is checked
 * against the kind's reference types (required types, unknown types, counts, ids, duplicates, target
 * kinds), and its targets must exist and not be marked for deletion. The stored target kind is always
 * the declared one.
 */
@Injectable()
export class ReferencesService {
  constructor(
    private readonly store: ResourceStore,
    @Inject(KIND_REGISTRY) private readonly kinds: KindRegistry,
  ) {}

  /**
   * The references a body gives, checked for shape and against the kind's reference types, in order
   * (types as the body lists them, entries as given). `undefined` (not given) is no references on a
   * create, and "leave them" on a PATCH (`given` false).
   */
  parse(kind: ResourceKind, raw: unknown, creating: boolean): StoredReference[] | undefined {
    if (raw === undefined || raw === null) {
      if (!creating) return undefined;
      raw = {};
    }
    if (!isPlainObject(raw)) throw ValidationError.field('references', "field 'references' must be an object");
    const given = raw as Record<string, unknown>;
    for (const type of kind.references) {
      const entries = given[type.refType];
      if (type.min > 0 && (!Array.isArray(entries) || entries.length < type.min)) throw refError(type.refType, `required reference type "${type.refType}" missing for ${kind.kind} (min ${type.min})`);
    }
    const out: StoredReference[] = [];
    for (const [refType, entries] of Object.entries(given)) {
      const type = kind.references.find((t) => t.refType === refType);
      if (!type) throw refError(refType, `unknown reference type "${refType}" for ${kind.kind}`);
      if (!Array.isArray(entries)) throw refError(refType, `field 'references.${refType}' must be an array`);
      if (type.max !== undefined && entries.length > type.max) throw refError(refType, `reference type "${refType}" for ${kind.kind} exceeds max count ${type.max} (got ${entries.length})`);
      const seen = new Set<string>();
      for (const entry of entries) {
        if (!isPlainObject(entry)) throw refError(refType, `reference type "${refType}": each reference must be an object {id, kind}`);
        const { id, kind: targetKind } = entry as { id?: unknown; kind?: unknown };
        if (typeof id !== 'string' || id === '') throw refError(refType, `reference type "${refType}": id is required`);
        if (seen.has(id)) throw refError(refType, `reference type "${refType}": duplicate target id "${id}"`);
        seen.add(id);
        if (targetKind !== type.targetKind) throw refError(refType, `reference type "${refType}": kind "${typeof targetKind === 'string' ? targetKind : ''}" does not match expected target kind "${type.targetKind}"`);
        out.push({ refType, targetKind: type.targetKind, targetId: id });
      }
    }
    return out;
  }

  /**
   * Locks each target (in id order, so that concurrent writers cannot deadlock) against being marked or
   * removed until the write commits, and checks that it exists and is not marked for deletion.
   */
  async holdTargets(session: WriteSession, refs: readonly StoredReference[]): Promise<void> {
    for (const ref of [...refs].sort((a, b) => (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0))) {
      const kind = this.kinds.get(ref.targetKind)!;
      const target = isUuid(ref.targetId) ? await this.store.hold(session, kind, ref.targetId.toLowerCase()) : null;
      if (!target) throw refError(ref.refType, `reference type "${ref.refType}": target ${ref.targetKind} "${ref.targetId}" not found`);
      if (target.deletedTime) throw refError(ref.refType, `reference type "${ref.refType}": target ${ref.targetKind} "${ref.targetId}" is marked for deletion`);
    }
  }
}

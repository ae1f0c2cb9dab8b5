import type { ResourceKind } from '@app/config';
import type { Type } from '@nestjs/common';
import { IsOptional } from 'class-validator';
import { IsJsonObject, KindIs, RequiredObject, ResourceName } from './validators';

/** Request body of a create (`POST /{plural}`, nested, `/resources`). Unknown properties are ignored. */
export class CreateResourceDto {
  /** Ignored: the server assigns ids. */
  id?: string;
  kind: string;
  /** Ignored: the server assigns hrefs. */
  href?: string;
  name: string;
  spec: Record<string, unknown>;
  labels?: Record<string, string>;
  references?: Record<string, unknown>;
}

const dtos = new WeakMap<ResourceKind, Type<CreateResourceDto>>();

/**
 * The create DTO of one kind, `<Kind>CreateRequest`: its `kind`, its name limits (CONTRACT R1.1–R1.3,
 * checked in that order), and `references` when the kind declares reference types. Built once per kind;
 * the rules are registered in declaration order, which is the order problems are reported in.
 */
export function createDtoFor(kind: ResourceKind): Type<CreateResourceDto> {
  let dto = dtos.get(kind);
  if (dto) return dto;
  class KindCreateRequest extends CreateResourceDto {}
  Object.defineProperty(KindCreateRequest, 'name', { value: `${kind.kind}CreateRequest` });
  const p = KindCreateRequest.prototype;
  IsOptional()(p, 'id');
  KindIs(kind.kind)(p, 'kind');
  IsOptional()(p, 'href');
  ResourceName(kind.nameMin, kind.nameMax)(p, 'name');
  RequiredObject('spec')(p, 'spec');
  IsOptional()(p, 'labels');
  if (kind.references.length) {
    IsOptional()(p, 'references');
    IsJsonObject("field 'references' must be an object")(p, 'references');
  }
  dto = KindCreateRequest;
  dtos.set(kind, dto);
  return dto;
}

import 'reflect-metadata';
import { IsOptional, IsString } from 'class-validator';
import { HyperfleetError } from '../errors/hyperfleet.error';
import { BodyPipe } from './body.pipe';

class Dto {
  @IsString({ message: 'name must be a string' })
  name: string;
  @IsOptional()
  spec?: Record<string, unknown>;
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (err: HyperfleetError) => ({ code: err.code, detail: err.detail }));

describe(BodyPipe.name, () => {
  const pipe = new BodyPipe(Dto);

  it('hands on the declared properties as parsed: __proto__ and constructor keys in free-form JSON stay plain data', async () => {
    // class-transformer's deep conversion turned a __proto__ key into a prototype and threw on constructor keys
    const body = JSON.parse('{"name":"n","spec":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"list":[{"__proto__":1}]}}');
    const dto = await pipe.transform(body);
    expect(dto).toBeInstanceOf(Dto);
    expect(dto.spec).toBe(body.spec);
    expect(Object.keys(dto.spec!)).toEqual(['__proto__', 'constructor', 'list']);
    expect(Object.getPrototypeOf(dto.spec)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves undeclared body properties off the instance, also __proto__ and constructor', async () => {
    const dto = await pipe.transform(JSON.parse('{"name":"n","extra":1,"__proto__":{"name":5},"constructor":"x"}'));
    expect(Object.keys(dto)).toEqual(['name']);
    expect(Object.getPrototypeOf(dto)).toBe(Dto.prototype);
    expect(await errorOf(pipe.transform(JSON.parse('{"name":5,"constructor":{"name":"x"}}')))).toEqual({ code: 'HYPERFLEET-VAL-000', detail: 'name must be a string' });
  });

  it('copes with very deep free-form values (the depth limit is the body reader\'s job)', async () => {
    let spec: unknown = 1;
    for (let i = 0; i < 100_000; i++) spec = { a: spec };
    await expect(pipe.transform({ name: 'n', spec })).resolves.toMatchObject({ name: 'n' });
  });

  it('rejects an empty or non-object body, and unknown fields when strict', async () => {
    expect(await errorOf(pipe.transform(undefined))).toEqual({ code: 'HYPERFLEET-VAL-006', detail: 'Request body is required but was empty' });
    expect(await errorOf(pipe.transform([]))).toMatchObject({ code: 'HYPERFLEET-VAL-006' });
    const strict = new BodyPipe(Dto, { strict: true }, ['name', 'spec']);
    expect(await errorOf(strict.transform(JSON.parse('{"name":"n","__proto__":{}}')))).toEqual({ code: 'HYPERFLEET-VAL-006', detail: 'Invalid request format: json: unknown field "__proto__"' });
  });
});

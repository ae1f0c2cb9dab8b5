// Writes apps/api/src/metadata.ts: the OpenAPI metadata the @nestjs/swagger compiler plugin derives
// from DTOs (types, class-validator limits, JSDoc). `nest build` applies the plugin itself; the tests
// run through swc, which does not, so the app loads this file instead. CI regenerates it and fails on
// a difference (`git diff --exit-code apps/api/src/metadata.ts`).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

// start from an empty file: a stale one may import DTO files that no longer exist and fail the type check
writeFileSync(`${process.cwd()}/apps/api/src/metadata.ts`, '/* eslint-disable */\nexport default async () => ({ "@nestjs/swagger": { "models": [], "controllers": [] } });\n');
const { PluginMetadataGenerator } = require('@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js');
const { ReadonlyVisitor } = require('@nestjs/swagger/plugin');

new PluginMetadataGenerator().generate({
  visitors: [new ReadonlyVisitor({ introspectComments: true, classValidatorShim: true, pathToSource: `${process.cwd()}/apps/api/src`, dtoFileNameSuffix: ['.dto.ts', '.query.ts', '.response.ts'] })],
  outputDir: `${process.cwd()}/apps/api/src`,
  tsconfigPath: 'apps/api/tsconfig.app.json',
  printDiagnostics: true,
});

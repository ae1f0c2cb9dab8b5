/**
 * The spec schema document used when `server.openapi_schema_path` is not set (CONTRACT D14, R1.4): the
 * built-in kinds accept any JSON object as `spec`, like the original's shipped `openapi/openapi.yaml`.
 * Configured kinds have no component here, so their specs are not checked unless a deployment's
 * document gives one.
 */
export const DEFAULT_SPEC_SCHEMA_DOCUMENT = Object.freeze({
  openapi: '3.0.3',
  info: { title: 'HyperFleet spec schemas (bundled default)', version: '1.0.0' },
  paths: {},
  components: {
    schemas: {
      ClusterSpec: { type: 'object', additionalProperties: true, description: 'Cluster specification: any JSON object (the bundled default; a deployment names its own document in server.openapi_schema_path).' },
      NodePoolSpec: { type: 'object', additionalProperties: true, description: 'NodePool specification: any JSON object (the bundled default; a deployment names its own document in server.openapi_schema_path).' },
    },
  },
});

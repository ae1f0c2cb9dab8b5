/* eslint-disable */
export default async () => {
    const t = {
        ["./meta/api-metadata.response"]: await import("./meta/api-metadata.response.js")
    };
    return { "@nestjs/swagger": { "models": [[import("./meta/api-metadata.response.js"), { "ApiMetadataResponse": { id: { required: true, type: () => String, description: "Always `hyperfleet`." }, kind: { required: true, type: () => String, description: "Always `API`." }, href: { required: true, type: () => String }, version: { required: true, type: () => String, description: "Build version of the server." }, build_time: { required: true, type: () => String } } }]], "controllers": [[import("./meta/meta.controller.js"), { "MetaController": { "metadata": { type: t["./meta/api-metadata.response"].ApiMetadataResponse } } }]] } };
};
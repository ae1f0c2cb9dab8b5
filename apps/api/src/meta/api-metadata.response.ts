/** The API metadata document. */
export class ApiMetadataResponse {
  /** Always `hyperfleet`. */
  id: string;
  /** Always `API`. */
  kind: string;
  href: string;
  /** Build version of the server. */
  version: string;
  build_time: string;
}

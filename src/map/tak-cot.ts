/**
 * A narrow typed view of @tak-ps/node-cot. The package ships its TypeScript sources as its types, which
 * do not compile under this project's strict settings, so it is imported by a computed specifier and
 * described here by the few members used.
 */
export interface CoTEvent {
  to_xml(): string;
  to_geojson(): { type: 'Feature'; id?: string; properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } };
  raw: { event: { _attributes: Record<string, string>; point: { _attributes: Record<string, string> }; detail?: Record<string, unknown> } };
}

export interface CoTClass {
  /** Parses and schema-checks an XML event; throws on an invalid one. */
  new (xml: string): CoTEvent;
  /** Builds (and schema-checks) an event from a GeoJSON feature. */
  from_geojson(feature: unknown): CoTEvent;
}

const specifier = '@tak-ps/node-cot';
export const CoT: CoTClass = ((await import(specifier)) as { default: CoTClass }).default;

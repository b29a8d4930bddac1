// Endpoints and EndpointSlice defaults (core/v1 SetDefaults_EndpointPort,
// discovery/v1 SetDefaults_EndpointPort: name "" and protocol TCP).
import type { EndpointSlice, Endpoints } from '../types.js';

export function defaultEndpoints(ep: Endpoints): void {
  for (const subset of ep.subsets ?? []) for (const p of subset.ports ?? []) p.protocol ||= 'TCP';
}

export function defaultEndpointSlice(slice: EndpointSlice): void {
  for (const p of slice.ports ?? []) {
    p.name ??= '';
    p.protocol ||= 'TCP';
  }
}

// Secret defaults (SetDefaults_Secret).
import type { Secret } from '../types.js';

export function defaultSecret(s: Secret): void {
  s.type ||= 'Opaque';
}

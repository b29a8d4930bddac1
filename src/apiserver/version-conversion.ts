// A built-in resource served at a version other than the one it is stored in (upstream: the
// scheme's conversion functions between a group's versions and the internal type, with each
// version's defaulting on decode). The storage version's objects are the registry's truth —
// strategy, validation and printing see them — and each other served version is a view of them.
import type { KubeObject } from '../api/types.js';

export interface VersionConversion {
  /** The served version's own defaults, applied to a request body before it is converted (upstream's versioned SetDefaults_*). */
  defaults?(obj: KubeObject): void;
  /** An object of the served version as the storage version's (apiVersion included). */
  toStorage(obj: KubeObject): KubeObject;
  /** A stored object as the served version shows it (apiVersion included). */
  fromStorage(obj: KubeObject): KubeObject;
}

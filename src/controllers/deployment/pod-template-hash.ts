// The pod-template-hash (upstream controller.ComputeHash): FNV-32a over the pod template,
// then the collision count as 8 little-endian bytes, printed in decimal and mapped through
// rand.SafeEncodeString so the result never spells words and is valid in names and labels.
//
// Upstream hashes Go's spew dump of the struct; kanzen hashes the template's canonical JSON
// (keys sorted, empty values dropped), so the hash is stable and shaped like upstream's
// (1–10 characters from "bcdfghjklmnpqrstvwxz2456789", in practice 8–10) but not equal to it.
import type { PodTemplateSpec } from '../../api/types.js';

/** The label (and selector key) carrying the hash (apps.DefaultDeploymentUniqueLabelKey). */
export const podTemplateHashLabel = 'pod-template-hash';

const fnvOffset32 = 0x811c9dc5;
const fnvPrime32 = 0x01000193;

/** 32-bit FNV-1a over bytes, continuing from `hash` (hash/fnv New32a + Write). */
export function fnv32a(bytes: Uint8Array, hash = fnvOffset32): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, fnvPrime32) >>> 0;
  }
  return h >>> 0;
}

// Vowels and lookalikes are left out so encoded strings never spell words (k8s.io/apimachinery/pkg/util/rand).
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each character mapped through the safe alphabet by its code point. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += alphanums[ch.codePointAt(0)! % alphanums.length];
  return out;
}

/**
 * Apimachinery's semantic equality treats nil and empty maps/slices alike; dropping
 * null, {} and [] (recursively) and sorting keys makes equal templates serialise equally.
 */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(normalise(value) ?? null);
}

function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalise(v) ?? null);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = normalise((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

/** controller.ComputeHash(template, collisionCount). */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}

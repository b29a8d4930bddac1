// Node defaults (SetDefaults_NodeStatus: allocatable follows capacity when unset).
import type { Node } from '../types.js';

export function defaultNode(n: Node): void {
  if (n.status?.capacity && !n.status.allocatable) n.status.allocatable = { ...n.status.capacity };
}

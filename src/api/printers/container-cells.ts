// layoutContainerCells from pkg/printers/internalversion/printers.go: the CONTAINERS and
// IMAGES cells of workload printers.

import type { Container } from '../types.js';

export function layoutContainerCells(containers: Container[] | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return { names: list.map((c) => c.name).join(','), images: list.map((c) => c.image ?? '').join(',') };
}

export const containersColumnDescription = 'Names of each container in the template.';
export const imagesColumnDescription = 'Images referenced by each container in the template.';

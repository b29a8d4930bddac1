// Workload objects as controller tests create them: an nginx Deployment whose pods carry
// app=<name>.
import type { Deployment } from '../api/types.js';

export function testDeployment(name: string, replicas: number, spec: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      ...spec,
    },
  };
}

// Gateway API's standard-channel CRDs (crds/README.md: upstream's release files, unmodified),
// read from the package at run time, and the ResourceInfo of the served kinds so clients and
// informers can address them as they would a built-in resource.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { customResourceInfos } from '../api/custom-resource-info.js';
import type { ResourceInfo } from '../api/resources.js';
import type { CustomResourceDefinition } from '../api/types.js';

/** The release the files come from (their gateway.networking.k8s.io/bundle-version annotation). */
export const gatewayAPIBundleVersion = 'v1.3.0';
export const gatewayGroup = 'gateway.networking.k8s.io';

const crdPlurals = ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants', 'grpcroutes'] as const;

/** The YAML files live in src/ (tsc copies no YAML); this module runs from dist/gateway/. */
const crdDir = fileURLToPath(new URL('../../src/gateway/crds/', import.meta.url));

let cached: CustomResourceDefinition[] | undefined;

/** The standard-channel CRDs, in install order (GatewayClass first). */
export function gatewayAPICRDs(): CustomResourceDefinition[] {
  cached ??= crdPlurals.map((p) => YAML.parse(fs.readFileSync(`${crdDir}${gatewayGroup}_${p}.yaml`, 'utf8')) as CustomResourceDefinition);
  return cached;
}

/** The v1 ResourceInfo of a Gateway API kind, from its CRD. */
function v1Info(plural: (typeof crdPlurals)[number]): ResourceInfo {
  const crd = gatewayAPICRDs().find((c) => c.spec.names.plural === plural)!;
  // The release files carry an empty status (acceptedNames ""): the names are the spec's.
  return customResourceInfos({ ...crd, status: undefined }).find((v) => v.info.version === 'v1')!.info;
}

export const gatewayClassesInfo = (): ResourceInfo => v1Info('gatewayclasses');
export const gatewaysInfo = (): ResourceInfo => v1Info('gateways');
export const httpRoutesInfo = (): ResourceInfo => v1Info('httproutes');

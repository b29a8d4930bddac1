// NetworkPolicies (upstream pkg/registry/networking/networkpolicy): generation tracks spec
// changes; policyTypes and port protocols are defaulted from the spec. Enforcement is the
// node agents' (nftables), not the API server's.
import type { NetworkPolicy } from '../../api/types.js';
import { defaultNetworkPolicy } from '../../api/defaults/networking.js';
import { networkPolicyPrinter } from '../../api/printers/networkpolicy-printer.js';
import { validateNetworkPolicy, validateNetworkPolicyUpdate } from '../../api/validation/networking-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const networkpolicies: ResourceModule = {
  printer: networkPolicyPrinter,
  defaults: (obj) => defaultNetworkPolicy(obj as NetworkPolicy),
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      validate: (obj) => validateNetworkPolicy(obj as NetworkPolicy),
      validateUpdate: (obj, old) => validateNetworkPolicyUpdate(obj as NetworkPolicy, old as NetworkPolicy),
    }),
};

// ServiceAccounts (upstream pkg/registry/core/serviceaccount): the generic strategy, and
// the token subresource (TokenRequest) when the server issues tokens.
import { defaultStrategy } from './default-strategy.js';
import { onlyMethod, type ResourceModule, type SubresourceHandler } from './resource-module.js';
import { serveTokenRequest } from '../token-request.js';
import { serviceAccountPrinter } from '../../api/printers/serviceaccount-printer.js';

export const serviceaccounts: ResourceModule = {
  printer: serviceAccountPrinter,
  strategy: (info) => defaultStrategy(info),
  handlers(deps): Record<string, SubresourceHandler> {
    const tokens = deps.serviceAccountTokens;
    if (!tokens) return {};
    return {
      token: onlyMethod('POST', ({ ri, req, res }) =>
        serveTokenRequest({ tokens, serviceAccounts: deps.registry('serviceaccounts'), pods: deps.registry('pods') }, ri, req, res),
      ),
    };
  },
};

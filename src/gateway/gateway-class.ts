// The GatewayClass kanzen serves: spec.controllerName names the controller (the Gateway API's
// GatewayController string), and the controller serves only Gateways of classes naming it.
import type { GatewayClass } from './gateway-types.js';

export const kanzenGatewayClassName = 'kanzen';
export const kanzenGatewayController = 'kanzen.io/gateway-controller';

export function kanzenGatewayClass(): GatewayClass {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: kanzenGatewayClassName },
    spec: { controllerName: kanzenGatewayController, description: 'The kanzen built-in Gateway controller' },
  };
}

// APIServices (k8s.io/kube-aggregator pkg/registry/apiservice): who serves each API group/version.
// Cluster-scoped; names are <version>.<group>; the Available condition is written through status.
import { apiServicePrinter } from '../../api/printers/apiservice-printer.js';
import type { APIService } from '../../api/types.js';
import { validateAPIService, validateAPIServiceStatus } from '../../api/validation/apiregistration-validation.js';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import { defaultStrategy, metaUpdateThen } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const apiservices: ResourceModule = {
  // SetDefaults_ServiceReference: the aggregator dials 443 unless told otherwise.
  defaults(obj) {
    const ref = (obj as APIService).spec?.service;
    if (ref && ref.port === undefined) ref.port = 443;
  },
  printer: apiServicePrinter,
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateAPIService(obj as APIService),
      validateUpdate: metaUpdateThen((obj: APIService) => validateAPIService(obj).filter((e) => !e.field.startsWith('metadata.'))),
      validateStatusUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateAPIServiceStatus(obj as APIService)],
    }),
};

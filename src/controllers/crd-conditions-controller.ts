// The CRD naming and establishing controllers (upstream apiextensions-apiserver pkg/controller/status
// and pkg/controller/establish), run as one work queue: a CRD's requested names are accepted when
// no other CRD of its group has claimed them (NamesAccepted), and once accepted it is Established.
// As upstream, the first pass leaves Established False ("Installing") and the next one, seeing the
// accepted names come back through the informer, sets it True.
import { isConflict, isNotFound } from '../api/errors.js';
import type { CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { WorkQueue } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';

type Condition = Omit<CustomResourceDefinitionCondition, 'lastTransitionTime'>;

/** The names other CRDs of the group have been given: plurals/singulars/short names, and kinds/list kinds. */
function claimedNames(crds: CustomResourceDefinition[], self: CustomResourceDefinition): { resources: Set<string>; kinds: Set<string> } {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const c of crds) {
    if (c.metadata.name === self.metadata.name || c.spec.group !== self.spec.group) continue;
    const n = c.status?.acceptedNames;
    if (!n) continue;
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  return { resources, kinds };
}

/** The accepted names and the NamesAccepted / Established conditions (upstream calculateNamesAndConditions). */
export function namesAndConditions(crd: CustomResourceDefinition, all: CustomResourceDefinition[]): { names: CustomResourceDefinitionNames; conditions: Condition[] } {
  const { resources, kinds } = claimedNames(all, crd);
  const requested = crd.spec.names;
  const accepted = crd.status?.acceptedNames;
  const names: CustomResourceDefinitionNames = { ...(accepted ?? { plural: '', kind: '' }) };
  let conflict: Condition | undefined;
  // A name already accepted stays this CRD's; a new one must be free in the group. As upstream, the
  // last clash found is the one reported.
  const check = (want: string | undefined, had: string | undefined, taken: Set<string>, reason: string): boolean => {
    if (!want || want === had || !taken.has(want)) return true;
    conflict = { type: 'NamesAccepted', status: 'False', reason, message: `"${want}" is already in use` };
    return false;
  };
  if (check(requested.plural, accepted?.plural, resources, 'PluralConflict')) names.plural = requested.plural;
  if (check(requested.singular, accepted?.singular, resources, 'SingularConflict')) names.singular = requested.singular;
  const shortOk = (requested.shortNames ?? []).every((s) => check(s, (accepted?.shortNames ?? []).includes(s) ? s : undefined, resources, 'ShortNamesConflict'));
  if (shortOk) names.shortNames = requested.shortNames;
  if (check(requested.kind, accepted?.kind, kinds, 'KindConflict')) names.kind = requested.kind;
  if (check(requested.listKind, accepted?.listKind, kinds, 'ListKindConflict')) names.listKind = requested.listKind;
  names.categories = requested.categories;
  for (const k of Object.keys(names) as (keyof CustomResourceDefinitionNames)[]) if (names[k] === undefined) delete names[k];

  const namesAccepted: Condition = conflict ?? { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const old = crd.status?.conditions?.find((c) => c.type === 'Established');
  let established: Condition = old ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  if (established.status !== 'True' && namesAccepted.status === 'True') {
    // The names are accepted only from the next pass on (they must be seen stored first).
    const stored = JSON.stringify(accepted ?? {}) === JSON.stringify(names) && crd.status?.conditions?.some((c) => c.type === 'NamesAccepted' && c.status === 'True');
    established = stored
      ? { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }
      : { type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' };
  }
  return { names, conditions: [namesAccepted, established] };
}

/** Sets a condition as upstream's SetCRDCondition: a new status moves lastTransitionTime, otherwise it stays. */
export function setCondition(conditions: CustomResourceDefinitionCondition[], c: Condition, now: string): CustomResourceDefinitionCondition[] {
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i < 0) return [...conditions, { ...c, lastTransitionTime: now }];
  const old = conditions[i];
  const next = { ...c, lastTransitionTime: old.status === c.status ? old.lastTransitionTime : now };
  return conditions.map((x, j) => (j === i ? next : x));
}

export function newCRDConditionsController(ctx: ControllerContext): Controller {
  const crdResource = resourceFor('customresourcedefinitions', 'apiextensions.k8s.io');
  const crds = ctx.informers.for<CustomResourceDefinition>(crdResource);

  const sync = async (name: string): Promise<void> => {
    const crd = crds.getByName(undefined, name);
    if (!crd || crd.metadata.deletionTimestamp) return;
    const { names, conditions } = namesAndConditions(crd, crds.list());
    const now = ctx.now().toISOString().replace(/\.\d+Z$/, 'Z');
    let next = crd.status?.conditions ?? [];
    for (const c of conditions) next = setCondition(next, c, now);
    const same = JSON.stringify(next) === JSON.stringify(crd.status?.conditions ?? []) && JSON.stringify(names) === JSON.stringify(crd.status?.acceptedNames ?? {});
    if (same) return;
    try {
      await ctx.client.updateStatus<CustomResourceDefinition>(crdResource, { ...crd, status: { ...crd.status, acceptedNames: names, conditions: next } });
    } catch (e) {
      // A newer version is on its way through the informer; its event syncs again.
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  };

  const queue = new WorkQueue(sync, { name: 'crd-conditions', logger: ctx.logger.child('crd-conditions') });
  // A CRD giving up names may free them for another of its group: all of the group sync again.
  const enqueueGroup = (crd: CustomResourceDefinition) => {
    for (const c of crds.list()) if (c.spec.group === crd.spec.group) queue.add(c.metadata.name!);
  };
  return {
    name: 'crd-conditions',
    start() {
      crds.addHandlers({ add: (c) => queue.add(c.metadata.name!), update: (_o, c) => queue.add(c.metadata.name!), delete: enqueueGroup });
    },
    stop() {
      queue.stop();
    },
  };
}

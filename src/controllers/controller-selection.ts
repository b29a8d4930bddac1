// kube-controller-manager's --controllers flag: which controllers run. '*' enables every
// controller that is on by default (all of kanzen's are), 'foo' enables foo and '-foo'
// disables it; the first item naming a controller decides (upstream IsControllerEnabled).
// `kanzen up --controllers '*,-horizontal-pod-autoscaler'` lets a learner scale by hand, and
// tests of an API check what is stored without a controller writing status meanwhile.

export const allControllers: readonly string[] = ['*'];

export function controllerEnabled(name: string, selection: readonly string[]): boolean {
  let star = false;
  for (const item of selection) {
    if (item === name) return true;
    if (item === `-${name}`) return false;
    if (item === '*') star = true;
  }
  return star;
}

/** Upstream's validation of the flag: each item, without its '-', must name a controller. */
export function unknownControllerErrors(selection: readonly string[], known: readonly string[]): string[] {
  return selection
    .filter((item) => item !== '*' && !known.includes(item.replace(/^-/, '')))
    .map((item) => `"${item.replace(/^-/, '')}" is not in the list of known controllers`);
}

// intstr.IntOrString arithmetic (k8s.io/apimachinery/pkg/util/intstr): a count given as a
// number or as a percentage of some total.

/**
 * GetScaledValueFromIntOrPercent: an int is itself; "N%" is N% of total, rounded up or down
 * (Deployments round surge up and unavailability down; disruption budgets round both up).
 */
export function valueFromIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const s = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`invalid value "${v}": strconv.Atoi: parsing "${s}": invalid syntax`);
  const scaled = (Number(s) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

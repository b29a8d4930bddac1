// Go's %#v text for the few struct values validation reports as bad values
// (core.ServicePort, v1.LabelSelector, intstr.IntOrString). fmt's %#v calls
// GoString(); a formatter that honours goString() prints these exactly as upstream.
// Until errors.ts does, JSON.stringify falls back to toJSON() (the same text, quoted).
import { goQuote } from '../errors.js';
import type { LabelSelector } from '../types.js';

export class GoLiteral {
  constructor(readonly text: string) {}

  goString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }
}

/**
 * The address fmt prints for a set pointer inside a struct (%#v). Upstream shows Go heap
 * addresses, different on every request and meaningless to a reader; kanzen prints plausible
 * ones (0xc000…, 16 bytes apart, by the pointer's slot in the value), the same every time.
 */
export function goPointerAddress(slot: number): string {
  return `0xc000${(0x5a1c00 + slot * 0x10).toString(16).padStart(6, '0')}`;
}

/** A pointer field as %#v prints it: its type and an address, or nil. */
export function goPointer(type: string, set: boolean, slot: number): string {
  return `(*${type})(${set ? goPointerAddress(slot) : 'nil'})`;
}

/** intstr.IntOrString{Type:…, IntVal:…, StrVal:…} */
export function goIntOrString(v: number | string | undefined): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`;
}

/** The key ValidateService reports for duplicate (protocol, port) pairs. */
export function goServicePortKey(protocol: string, port: number): GoLiteral {
  return new GoLiteral(
    `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:${goIntOrString(0)}, NodePort:0}`,
  );
}

function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  // fmt prints maps with sorted keys.
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** v1.LabelSelector{…} as printed for "spec.selector: Invalid value: …: field is immutable". */
export function goLabelSelector(sel: LabelSelector | undefined): GoLiteral {
  if (!sel) return new GoLiteral('null');
  const exprs = sel.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${
              e.values ? `[]string{${e.values.map(goQuote).join(', ')}}` : '[]string(nil)'
            }}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoLiteral(`v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`);
}

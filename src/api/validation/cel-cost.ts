// The cost of a CEL expression as cel-go's checker estimates it (checker/cost.go, with the
// Kubernetes libraries' call costs of apiserver/pkg/cel/library/cost.go), over the checked AST
// of @marcbachmann/cel-js, which has no cost model of its own. The sizes of the data a rule reads
// come from a SizeOracle: the schema's bounds when a CRD is written (estimated cost), the actual
// value's sizes before a rule runs (kanzen's runtime bound, see custom-resource-cel.ts). Macros
// are costed as cel-go expands them (all, exists, exists_one, map, filter into comprehensions).
import type { ASTNode } from '@marcbachmann/cel-js';
import { hasFieldFunction } from './cel-has-field.js';

/** cel-go's cost units saturate at the largest uint64. */
export const maxCost = 2 ** 64 - 1;

export interface Range {
  min: number;
  max: number;
}

/** The size (list items, map entries, string code points) of the data at a path such as self.spec.items.@items. */
export type SizeOracle = (path: string[]) => Range | undefined;

const unknownSize: Range = { min: 0, max: maxCost };
const fixed = (n: number): Range => ({ min: n, max: n });
const sat = (n: number) => (n >= maxCost ? maxCost : n);
const add = (a: Range, b: Range): Range => ({ min: sat(a.min + b.min), max: sat(a.max + b.max) });
const mul = (a: Range, b: Range): Range => ({ min: sat(a.min * b.min), max: sat(a.max * b.max) });
const union = (a: Range, b: Range): Range => ({ min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) });
/** multiplyByCostFactor: rounded up. */
const factor = (a: Range, f: number): Range => ({ min: sat(Math.ceil(a.min * f)), max: sat(Math.ceil(a.max * f)) });

/** common/cost.go */
const stringTraversalCostFactor = 0.1;
const regexStringLengthCostFactor = 0.25;
const listCreateBaseCost = 10;
const mapCreateBaseCost = 30;

interface CheckedType {
  kind: string;
  name: string;
}

type Node = ASTNode & { checkedType?: CheckedType };

interface LocalVar {
  path: string[];
  size?: Range;
}

interface Estimate {
  cost: Range;
  size?: Range;
  /** the data path the value comes from, for the oracle */
  path: string[];
  /** the size of a container's entries, for iterating over literals */
  entrySize?: Range;
}

const scalarTypes = new Set(['bool', 'int', 'uint', 'double', 'google.protobuf.Timestamp', 'google.protobuf.Duration']);
const macros = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/**
 * The worst-case cost of a checked expression (cel-go CostEstimate.Max). runtime: the sizes are
 * a value's, and a number or bool converted to a string has its longest text (cel-go knows no
 * size for it, which only the estimate before any value exists should keep).
 */
export function estimateCost(ast: ASTNode, sizes: SizeOracle, runtime = false): number {
  return new Coster(sizes, runtime).cost(ast as Node).cost.max;
}

/** The longest text of a converted scalar: a double's shortest round-trip form, an int64, false. */
const scalarTextSize: Record<string, number> = { int: 20, uint: 20, double: 24, bool: 5 };

class Coster {
  private readonly locals = new Map<string, LocalVar[]>();
  constructor(
    private readonly sizes: SizeOracle,
    private readonly runtime: boolean,
  ) {}

  cost(n: Node): Estimate {
    const e = this.costOf(n);
    e.size ??= this.sizeOf(n, e.path);
    return e;
  }

  /** computeSize: literals, then the data's size at the path, then scalar types, then local variables. */
  private sizeOf(n: Node, path: string[]): Range | undefined {
    if (n.op === 'value') {
      const v = n.args;
      if (typeof v === 'string') return fixed([...v].length);
      if (v instanceof Uint8Array) return fixed(v.length);
      return fixed(1);
    }
    if (n.op === 'list') return fixed(n.args.length);
    if (n.op === 'map') return fixed(n.args.length);
    if (path.length > 0) {
      const s = this.sizes(path);
      if (s) return s;
    }
    const t = n.checkedType;
    if (t && (scalarTypes.has(t.name) || (t.kind === 'primitive' && scalarTypes.has(t.name)))) return fixed(1);
    if (n.op === 'id') return this.local(n.args)?.size;
    return undefined;
  }

  private local(name: string): LocalVar | undefined {
    const stack = this.locals.get(name);
    return stack?.[stack.length - 1];
  }

  private push(name: string, v: LocalVar): void {
    const stack = this.locals.get(name) ?? [];
    stack.push(v);
    this.locals.set(name, stack);
  }

  private pop(name: string): void {
    this.locals.get(name)?.pop();
  }

  private costOf(n: Node): Estimate {
    switch (n.op) {
      case 'value':
        return { cost: fixed(0), path: [] };
      case 'id': {
        const local = this.local(n.args);
        return { cost: fixed(1), path: local ? local.path : [n.args] };
      }
      case '.':
      case '.?': {
        const [operand, fieldName] = n.args;
        const o = this.cost(operand as Node);
        const kind = (operand as Node).checkedType?.kind;
        const selectCost = kind === 'message' || kind === 'map' ? 1 : 0;
        return { cost: add(o.cost, fixed(selectCost)), path: o.path.length ? [...o.path, fieldName] : [] };
      }
      case '[]':
      case '[?]': {
        const [operand, index] = n.args;
        const o = this.cost(operand as Node);
        const i = this.cost(index as Node);
        const kind = (operand as Node).checkedType?.kind;
        const step = kind === 'list' ? '@items' : kind === 'map' ? '@values' : undefined;
        const path = step && o.path.length ? [...o.path, step] : [];
        const size = o.entrySize && !path.length ? o.entrySize : undefined;
        return { cost: add(add(o.cost, i.cost), fixed(1)), path, size };
      }
      case 'list': {
        let cost = fixed(listCreateBaseCost);
        let entry: Range | undefined;
        for (const el of n.args) {
          const c = this.cost(el as Node);
          cost = add(cost, c.cost);
          const s = c.size ?? unknownSize;
          entry = entry ? union(entry, s) : s;
        }
        return { cost, path: [], entrySize: entry ?? fixed(0) };
      }
      case 'map': {
        let cost = fixed(mapCreateBaseCost);
        for (const [k, v] of n.args) cost = add(add(cost, this.cost(k as Node).cost), this.cost(v as Node).cost);
        return { cost, path: [] };
      }
      case '?:': {
        const [c, t, f] = n.args.map((a) => this.cost(a as Node));
        return { cost: add(c.cost, union(t.cost, f.cost)), path: [], size: union(t.size ?? unknownSize, f.size ?? unknownSize) };
      }
      case '||':
      case '&&': {
        const [l, r] = n.args.map((a) => this.cost(a as Node));
        // the minimum is the left side's alone (short circuit)
        return { cost: { min: l.cost.min, max: add(l.cost, r.cost).max }, path: [] };
      }
      case '-_': {
        // cel-go parses a negative number as one literal
        const arg = n.args as Node;
        if (arg.op === 'value' && (typeof arg.args === 'number' || typeof arg.args === 'bigint')) return { cost: fixed(0), path: [], size: fixed(1) };
        return { cost: add(this.cost(arg).cost, fixed(1)), path: [] };
      }
      case '!_':
        return { cost: add(this.cost(n.args as Node).cost, fixed(1)), path: [] };
      case 'call':
        return this.costCall(n, n.args[0], undefined, n.args[1] as Node[]);
      case 'rcall': {
        const [name, target, args] = n.args;
        if (macros.has(name) && (args[0] as Node | undefined)?.op === 'id' && args.length >= 2) return this.costComprehension(name, target as Node, args as Node[]);
        return this.costCall(n, name, target as Node, args as Node[]);
      }
      default:
        return this.costBinary(n);
    }
  }

  private costBinary(n: Node): Estimate {
    const [l, r] = (n.args as [Node, Node]).map((a) => this.cost(a));
    const args = add(l.cost, r.cost);
    const lt = (n.args as [Node, Node])[0].checkedType;
    const textual = lt?.name === 'string' || lt?.name === 'bytes';
    switch (n.op) {
      case '==':
      case '!=':
        return { cost: add(this.equalityCost(n, l, r), args), path: [] };
      case '<':
      case '<=':
      case '>':
      case '>=':
        return { cost: textual ? add(this.equalityCost(n, l, r), args) : add(fixed(1), args), path: [] };
      case 'in': {
        // O(n) over a list, O(1) in a map
        const container = (n.args as [Node, Node])[1].checkedType?.kind;
        return { cost: container === 'list' ? add(r.size ?? unknownSize, args) : add(fixed(1), args), path: [] };
      }
      case '+': {
        const kind = lt?.kind === 'list' ? 'list' : textual ? 'text' : 'other';
        if (kind === 'other') return { cost: add(fixed(1), args), path: [] };
        const size = add(l.size ?? unknownSize, r.size ?? unknownSize);
        const entrySize = l.entrySize && r.entrySize ? union(l.entrySize, r.entrySize) : l.entrySize ?? r.entrySize;
        // list concatenation is O(1); strings are traversed
        return { cost: add(kind === 'list' ? fixed(1) : factor(size, stringTraversalCostFactor), args), path: [], size, entrySize };
      }
      default:
        return { cost: add(fixed(1), args), path: [] };
    }
  }

  /** Equality and string ordering: the shorter side's traversal (Kubernetes types: O(1)). */
  private equalityCost(n: Node, l: Estimate, r: Estimate): Range {
    const t = (n.args as [Node, Node])[0].checkedType;
    if (t && ['Quantity', 'net.IP', 'net.CIDR'].includes(t.name)) return fixed(1);
    const ls = l.size ?? unknownSize;
    const rs = r.size ?? unknownSize;
    const smallestMax = Math.min(ls.max, rs.max);
    return factor({ min: smallestMax > 0 ? 1 : 0, max: smallestMax }, stringTraversalCostFactor);
  }

  private costCall(n: Node, name: string, target: Node | undefined, args: Node[]): Estimate {
    if (name === hasFieldFunction && !target && args[0]) return { cost: this.cost(args[0]).cost, path: [] };
    if (name === 'has' && !target && args[0] && (args[0].op === '.' || args[0].op === '.?')) {
      // presence tests cost nothing beyond their operand (Kubernetes sets PresenceTestHasCost(false))
      return { cost: this.cost(args[0].args[0] as Node).cost, path: [] };
    }
    const argEstimates = args.map((a) => this.cost(a));
    const argCost = argEstimates.reduce((sum, a) => add(sum, a.cost), fixed(0));
    if (name === 'dyn' && !target && argEstimates[0]) return { ...argEstimates[0], cost: add(fixed(1), argCost) };
    const t = target ? this.cost(target) : undefined;
    const call = this.functionCost(name, target, t, args, argEstimates);
    return { cost: add(add(t?.cost ?? fixed(0), call.cost), argCost), path: [], size: call.size };
  }

  /** The call's own cost (without its arguments') and result size: Kubernetes' estimator, then cel-go's. */
  private functionCost(name: string, target: Node | undefined, t: Estimate | undefined, args: Node[], a: Estimate[]): { cost: Range; size?: Range } {
    const size = (e: Estimate | undefined) => e?.size ?? unknownSize;
    const ts = size(t);
    switch (name) {
      case 'isSorted':
      case 'sum':
      case 'max':
      case 'min':
      case 'indexOf':
      case 'lastIndexOf':
        if (target && target.checkedType?.kind === 'list') {
          // comparing string (or bytes) elements traverses them
          const textual = /^list<(string|bytes)>$/.test(target.checkedType.name);
          const elemCost = textual ? add(fixed(1), factor(this.listElementSize(target, t) ?? unknownSize, stringTraversalCostFactor)) : fixed(1);
          return { cost: mul(ts, elemCost) };
        }
        if (target) return { cost: factor(ts, stringTraversalCostFactor) };
        break;
      case 'url':
        if (a.length === 1) return { cost: factor(size(a[0]), stringTraversalCostFactor), size: size(a[0]) };
        break;
      case 'lowerAscii':
      case 'upperAscii':
      case 'substring':
      case 'trim':
        if (target) return { cost: factor(ts, stringTraversalCostFactor), size: ts };
        break;
      case 'replace':
        if (target && a.length >= 2) return { cost: factor(ts, 2 * stringTraversalCostFactor), size: replaceSize(ts, size(a[0]), size(a[1])) };
        break;
      case 'split':
        if (target) return { cost: factor(ts, 2 * stringTraversalCostFactor), size: { min: 0, max: ts.max } };
        break;
      case 'join':
        if (target) {
          const elem = this.listElementSize(target, t) ?? unknownSize;
          let sz = mul(ts, elem);
          if (a.length > 0) sz = add(sz, mul(size(a[0]), { min: Math.max(ts.min - 1, 0), max: Math.max(ts.max - 1, 0) }));
          return { cost: factor(sz, stringTraversalCostFactor), size: sz };
        }
        break;
      case 'find':
      case 'findAll':
        if (target && a.length >= 1) {
          const strCost = factor(add(ts, fixed(1)), stringTraversalCostFactor);
          return { cost: mul(strCost, factor(size(a[0]), regexStringLengthCostFactor)), size: { min: 0, max: ts.max } };
        }
        break;
      case 'cidr':
      case 'isIP':
      case 'isCIDR':
      case 'quantity':
      case 'isQuantity':
        if (a.length >= 1) return { cost: factor(size(a[0]), stringTraversalCostFactor) };
        break;
      case 'ip':
        if (target) return { cost: fixed(1) };
        if (a.length >= 1) return { cost: factor(size(a[0]), stringTraversalCostFactor) };
        break;
      case 'containsIP':
      case 'containsCIDR': {
        const ipSize = { min: 4, max: 16 };
        let cost = factor(add(ipSize, ipSize), stringTraversalCostFactor);
        if (name === 'containsCIDR') cost = add(add(cost, factor(ipSize, stringTraversalCostFactor)), fixed(1));
        if (args[0]?.checkedType?.name === 'string') cost = add(cost, factor(size(a[0]), stringTraversalCostFactor));
        return { cost };
      }
      case 'masked':
      case 'prefixLength':
      case 'family':
      case 'isUnspecified':
      case 'isLoopback':
      case 'isLinkLocalMulticast':
      case 'isLinkLocalUnicast':
      case 'isGlobalUnicast':
      case 'sign':
      case 'asInteger':
      case 'isInteger':
      case 'asApproximateFloat':
      case 'isGreaterThan':
      case 'isLessThan':
      case 'compareTo':
      case 'add':
      case 'sub':
      case 'getScheme':
      case 'getHostname':
      case 'getHost':
      case 'getPort':
      case 'getEscapedPath':
      case 'getQuery':
        return { cost: fixed(1) };
      // cel-go's own O(n) and O(nm) functions
      case 'startsWith':
      case 'endsWith':
        if (target && a.length === 1) return { cost: factor(size(a[0]), stringTraversalCostFactor) };
        break;
      case 'matches':
        if (target && a.length === 1) {
          const strCost = factor(add(ts, fixed(1)), stringTraversalCostFactor);
          return { cost: mul(strCost, factor(size(a[0]), regexStringLengthCostFactor)) };
        }
        break;
      case 'contains':
        if (target && a.length === 1) return { cost: mul(factor(ts, stringTraversalCostFactor), factor(size(a[0]), stringTraversalCostFactor)) };
        break;
      case 'bytes':
        if (!target && a.length === 1 && args[0].checkedType?.name === 'string') {
          const sz = size(a[0]);
          return { cost: factor(sz, stringTraversalCostFactor), size: { min: sz.min, max: sat(sz.max * 4) } };
        }
        break;
      case 'string':
        if (this.runtime && !target && a.length === 1 && scalarTextSize[args[0].checkedType?.name ?? ''] !== undefined) {
          return { cost: fixed(1), size: { min: 1, max: scalarTextSize[args[0].checkedType!.name] } };
        }
        if (!target && a.length === 1 && args[0].checkedType?.name === 'bytes') {
          const sz = size(a[0]);
          return { cost: factor(sz, stringTraversalCostFactor), size: { min: Math.floor(sz.min / 4), max: sz.max } };
        }
        break;
    }
    // O(1) functions
    return { cost: fixed(1) };
  }

  /** The size of a list's elements: from the data path (@items), else from the list's entries. */
  private listElementSize(target: Node, t: Estimate | undefined): Range | undefined {
    if (t?.path.length) {
      const s = this.sizes([...t.path, '@items']);
      if (s) return s;
    }
    return t?.entrySize;
  }

  /** A macro as cel-go expands it: a comprehension over the range with its init, condition, step and result. */
  private costComprehension(name: string, target: Node, args: Node[]): Estimate {
    const range = this.cost(target);
    const rangeKind = target.checkedType?.kind;
    const iterVar = args[0].args as string;
    const rangeCount = range.size ?? unknownSize;
    const step = rangeKind === 'map' ? '@keys' : '@items';
    this.push(iterVar, { path: range.path.length ? [...range.path, step] : [], size: rangeKind === 'map' ? undefined : range.entrySize });
    const body = args.slice(1).map((a) => this.cost(a));
    this.pop(iterVar);
    const c = (i: number) => body[i]?.cost ?? fixed(0);
    const quantifier = quantifiers[name];
    const init = fixed(quantifier?.init ?? listCreateBaseCost);
    let perItem: Range;
    const result = fixed(quantifier?.result ?? 1);
    let size: Range | undefined;
    let entrySize: Range | undefined;
    if (quantifier) {
      perItem = add(quantifier.perItem, c(0));
      size = fixed(1);
    } else if (name === 'map') {
      // init []; condition true; step r + [f] = 12 + f (with a filter: p ? r + [f] : r)
      const fn = args.length === 3 ? c(1) : c(0);
      perItem = add(fixed(12), fn);
      if (args.length === 3) perItem = add(c(0), union(perItem, fixed(1)));
      size = rangeCount;
      entrySize = (args.length === 3 ? body[1] : body[0])?.size;
    } else {
      // filter: init []; step p ? r + [x] : r = p + 13
      perItem = add(c(0), fixed(13));
      size = rangeCount;
      entrySize = range.entrySize;
    }
    const cost = add(add(add(range.cost, init), result), mul(rangeCount, perItem));
    return { cost, path: [], size, entrySize };
  }
}

/**
 * The quantifier macros as cel-go expands them: the cost of the accumulator's init, of each
 * iteration besides the predicate's, and of the result.
 */
const quantifiers: Record<string, { init: number; perItem: Range; result: number }> = {
  // init true; condition @not_strictly_false(r) = 2; step r && p = 1 + p; result r = 1
  all: { init: 0, perItem: fixed(3), result: 1 },
  // condition @not_strictly_false(!r) = 3; step r || p = 1 + p
  exists: { init: 0, perItem: fixed(4), result: 1 },
  // init 0; condition true = 0; step p ? r + 1 : r = p + (1 or 2); result r == 1 = 2
  exists_one: { init: 0, perItem: { min: 1, max: 2 }, result: 2 },
};

/** The Kubernetes strings library's size of replace's result. */
function replaceSize(sz: Range, toReplace: Range, replaceWith: Range): Range {
  const count = { min: 0, max: 0 };
  const retained = { min: 0, max: 0 };
  if (toReplace.min === 0) {
    count.max = sz.max < maxCost ? sz.max + 1 : sz.max;
    retained.max = sz.max;
  } else if (replaceWith.max <= toReplace.min) retained.max = sz.max;
  else count.max = Math.ceil(sz.max / toReplace.min);
  if (toReplace.max === 0) {
    count.min = sz.min < maxCost ? sz.min + 1 : sz.min;
    retained.min = sz.min;
  } else if (toReplace.max <= replaceWith.min) retained.min = sz.min;
  else count.min = Math.ceil(sz.min / toReplace.max);
  return add(mul(count, replaceWith), retained);
}

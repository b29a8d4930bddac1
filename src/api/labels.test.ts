import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import {
  formatLabels,
  formatLabelSelector,
  labelSelectorAsRequirements,
  matchLabels,
  parseLabelSelector,
  selectorFromSet,
  selectorString,
} from './labels.js';

function parseError(s: string): ApiError {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e;
  }
  assert.fail(`expected ${JSON.stringify(s)} to fail`);
}

const nameRegexMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('equality operators', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.ok(matchLabels(parseLabelSelector('app=web'), labels));
  assert.ok(matchLabels(parseLabelSelector('app==web'), labels));
  assert.ok(!matchLabels(parseLabelSelector('app!=web'), labels));
  assert.ok(matchLabels(parseLabelSelector('app!=db'), labels));
  assert.ok(matchLabels(parseLabelSelector('missing!=x'), labels), '!= matches when the key is absent');
  assert.ok(matchLabels(parseLabelSelector('app=web,tier=front'), labels));
  assert.ok(!matchLabels(parseLabelSelector('app=web,tier=back'), labels));
  assert.ok(matchLabels(parseLabelSelector(' app = web , tier = front '), labels), 'whitespace is a delimiter');
});

test('set operators, exists and does-not-exist', () => {
  const labels = { env: 'prod', app: 'web' };
  assert.ok(matchLabels(parseLabelSelector('env in (prod,qa)'), labels));
  assert.ok(!matchLabels(parseLabelSelector('env in (qa)'), labels));
  assert.ok(matchLabels(parseLabelSelector('env notin (qa,dev)'), labels));
  assert.ok(matchLabels(parseLabelSelector('zone notin (a)'), labels), 'notin matches absent keys');
  assert.ok(matchLabels(parseLabelSelector('app'), labels));
  assert.ok(!matchLabels(parseLabelSelector('zone'), labels));
  assert.ok(matchLabels(parseLabelSelector('!zone'), labels));
  assert.ok(!matchLabels(parseLabelSelector('!app'), labels));
  assert.ok(matchLabels(parseLabelSelector('x in (in,notin)'), { x: 'in' }), 'keywords are values inside parentheses');
  assert.deepEqual(parseLabelSelector('x in (b,a,b)')[0].values, ['a', 'b']);
  assert.deepEqual(parseLabelSelector('x in ()')[0].values, ['']);
  assert.deepEqual(parseLabelSelector('x in (,a)')[0].values, ['', 'a']);
  assert.deepEqual(parseLabelSelector('x=')[0].values, ['']);
});

test('gt and lt compare integers', () => {
  assert.ok(matchLabels(parseLabelSelector('n>5'), { n: '6' }));
  assert.ok(!matchLabels(parseLabelSelector('n>5'), { n: '5' }));
  assert.ok(matchLabels(parseLabelSelector('n<5'), { n: '-1' }));
  assert.ok(!matchLabels(parseLabelSelector('n<5'), { n: 'abc' }));
  assert.ok(!matchLabels(parseLabelSelector('n<5'), {}));
});

test('empty selector matches everything', () => {
  assert.deepEqual(parseLabelSelector(''), []);
  assert.ok(matchLabels(parseLabelSelector(''), undefined));
});

test('parse error messages match apimachinery', () => {
  assert.equal(parseError('app=web=x').message, "found '=', expected: ',' or 'end of string'");
  assert.equal(parseError('app in web').message, "unable to parse requirement: found 'web' expected: '('");
  assert.equal(parseError('app in (a').message, "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(parseError('app,').message, "found '', expected: identifier after ','");
  assert.equal(parseError(',app').message, "found ',', expected: !, identifier, or 'end of string'");
  assert.equal(parseError('app web').message, "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(parseError('foo_=bar').message, `unable to parse requirement: <nil>: Invalid value: "foo_": ${nameRegexMsg}`);
  assert.equal(
    parseError('app=foo_').message,
    `unable to parse requirement: values[0][app]: Invalid value: "foo_": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  );
  assert.equal(parseError('n>x').message, `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`);
  assert.equal(
    parseError('Example.com/app=x').message,
    `unable to parse requirement: <nil>: Invalid value: "Example.com/app": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  );
  assert.equal(parseError('a=>b').message, "unable to parse requirement: found '>', expected: identifier");
});

test('canonical String(): sorted by key, sorted values', () => {
  assert.equal(selectorString(parseLabelSelector('z=1,a in (y,x),!m,k,n>3')), 'a in (x,y),k,!m,n>3,z=1');
  assert.equal(selectorString(parseLabelSelector('a==b,c!=d')), 'a==b,c!=d');
  assert.equal(selectorString(selectorFromSet({ tier: 'front', app: 'web' })), 'app=web,tier=front');
  assert.deepEqual(selectorFromSet({}), []);
});

test('LabelSelectorAsSelector: null matches nothing, empty matches everything', () => {
  assert.equal(labelSelectorAsRequirements(null), null);
  assert.equal(matchLabels(labelSelectorAsRequirements(undefined), { a: 'b' }), false);
  assert.deepEqual(labelSelectorAsRequirements({}), []);
  assert.equal(matchLabels(labelSelectorAsRequirements({}), { a: 'b' }), true);
  const reqs = labelSelectorAsRequirements({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['b', 'a'] },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  });
  assert.ok(matchLabels(reqs, { app: 'web', tier: 'a' }));
  assert.ok(!matchLabels(reqs, { app: 'web', tier: 'a', canary: 'x' }));
  assert.throws(
    () => labelSelectorAsRequirements({ matchExpressions: [{ key: 'a', operator: 'Bad' as 'In' }] }),
    (e: unknown) => e instanceof ApiError && e.message === '"Bad" is not a valid label selector operator',
  );
  assert.throws(
    () => labelSelectorAsRequirements({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    (e: unknown) => e instanceof ApiError && e.message === "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
  );
});

test('FormatLabelSelector', () => {
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }), 'app=web,tier in (a,b)');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }), 'x');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Bogus' as 'In' }] }), '<error>');
});

test('formatLabels sorts keys and prints <none> when empty', () => {
  assert.equal(formatLabels({ tier: 'front', app: 'web' }), 'app=web,tier=front');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('formatLabelSelector renders matchLabels and matchExpressions like labels.Selector.String()', () => {
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(
    formatLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
      ],
    }),
    'app=web,!canary,env notin (prod),tier in (a,b),zone',
  );
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), '<error>');
});

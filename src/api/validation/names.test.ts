import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidIP, isValidLabelValue, isValidPortName, isValidPortNum, nameIsDNSSubdomain } from './names.js';

test('DNS-1123 label messages are apimachinery v0.33 text', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('My_Name'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
});

test('qualified names, label values and port names', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('-x'), [
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('-bad').length, 1);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortNum(8080), []);
  assert.deepEqual(isValidPortNum(70000), ['must be between 1 and 65535, inclusive']);
});

test('IPs and CIDRs', () => {
  assert.deepEqual(isValidIP('f', '10.96.0.1'), []);
  assert.deepEqual(isValidIP('f', '2001:db8::1'), []);
  assert.deepEqual(isValidIP('f', '010.1.1.1').map(fieldErrorString), ['f: Invalid value: "010.1.1.1": must not have leading 0s']);
  assert.deepEqual(isValidIP('f', '2001:DB8::1').map(fieldErrorString), ['f: Invalid value: "2001:DB8::1": must be in canonical form ("2001:db8::1")']);
  assert.deepEqual(isValidIP('f', '::ffff:1.2.3.4').map(fieldErrorString), ['f: Invalid value: "::ffff:1.2.3.4": must not be an IPv4-mapped IPv6 address']);
  assert.deepEqual(isValidIP('f', 'abc').map(fieldErrorString), ['f: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  assert.deepEqual(isValidCIDR('f', '10.0.0.0/8'), []);
  assert.deepEqual(isValidCIDR('f', '10.0.0.1/8').map(fieldErrorString), ['f: Invalid value: "10.0.0.1/8": must not have bits set beyond the prefix length']);
  assert.deepEqual(isValidCIDR('f', '10.0.0.0').map(fieldErrorString), ['f: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
});

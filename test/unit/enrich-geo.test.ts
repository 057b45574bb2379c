import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupCountry } from '../../lib/enrich/geo';

const cases: Array<{ name: string; ip: string; expected: string | undefined }> = [
  // Public addresses with long-stable allocations.
  { name: 'Google public DNS (IPv4)', ip: '8.8.8.8', expected: 'US' },
  { name: 'MaxMind test address in the UK', ip: '81.2.69.142', expected: 'GB' },
  { name: 'Google public DNS (IPv6)', ip: '2001:4860:4860::8888', expected: 'US' },
  { name: 'surrounding whitespace', ip: ' 8.8.8.8 ', expected: 'US' },
  { name: 'upper-case IPv6', ip: '2001:4860:4860::8888'.toUpperCase(), expected: 'US' },
  // IPv4-mapped IPv6, as dual-stack sockets report IPv4 clients.
  { name: 'IPv4-mapped, dotted tail', ip: '::ffff:8.8.8.8', expected: 'US' },
  { name: 'IPv4-mapped, upper case', ip: '::FFFF:81.2.69.142', expected: 'GB' },
  { name: 'IPv4-mapped, uncompressed', ip: '0:0:0:0:0:ffff:81.2.69.142', expected: 'GB' },
  { name: 'IPv4-mapped, hex tail', ip: '::ffff:5102:458e', expected: 'GB' },
  { name: 'IPv4-mapped private address', ip: '::ffff:192.168.1.20', expected: undefined },
  { name: 'IPv4-mapped loopback', ip: '::ffff:127.0.0.1', expected: undefined },
  // Never a visitor's public address.
  { name: 'RFC 1918 10/8', ip: '10.1.2.3', expected: undefined },
  { name: 'RFC 1918 172.16/12 (upper end)', ip: '172.31.255.254', expected: undefined },
  { name: 'RFC 1918 192.168/16', ip: '192.168.0.1', expected: undefined },
  { name: 'carrier-grade NAT', ip: '100.64.0.1', expected: undefined },
  { name: 'IPv4 loopback', ip: '127.0.0.1', expected: undefined },
  { name: 'IPv4 link-local', ip: '169.254.169.254', expected: undefined },
  { name: 'unspecified IPv4', ip: '0.0.0.0', expected: undefined },
  { name: 'documentation range', ip: '203.0.113.7', expected: undefined },
  { name: 'IPv6 loopback', ip: '::1', expected: undefined },
  { name: 'IPv6 unspecified', ip: '::', expected: undefined },
  { name: 'IPv6 link-local with a zone id', ip: 'fe80::1%eth0', expected: undefined },
  { name: 'a zone id makes any address local', ip: '2001:4860:4860::8888%eth0', expected: undefined },
  { name: 'IPv6 unique local', ip: 'fd12:3456:789a::1', expected: undefined },
  { name: 'IPv6 documentation range', ip: '2001:db8::1', expected: undefined },
  // Not addresses.
  { name: 'empty string', ip: '', expected: undefined },
  { name: 'garbage', ip: 'not-an-ip', expected: undefined },
  { name: 'octet out of range', ip: '256.1.1.1', expected: undefined },
  { name: 'address with a port', ip: '8.8.8.8:443', expected: undefined },
  { name: 'hostname', ip: 'dns.google', expected: undefined },
  { name: 'broken IPv6', ip: '2001:4860:::8888', expected: undefined },
  { name: 'unicode', ip: '８.８.８.８', expected: undefined },
];

for (const { name, ip, expected } of cases) {
  test(`lookupCountry: ${name}`, () => {
    assert.equal(lookupCountry(ip), expected);
  });
}

test('lookupCountry never throws', () => {
  for (const ip of ['x'.repeat(1_000_000), '\u0000', '::ffff:', '::ffff:999.1.1.1', '[::1]', '1.2.3', '%']) {
    assert.doesNotThrow(() => lookupCountry(ip));
  }
});

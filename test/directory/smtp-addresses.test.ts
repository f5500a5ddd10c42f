import assert from 'node:assert/strict';
import { it } from 'node:test';
import { smtpAddressesOf } from '../../src/directory/smtp-addresses.ts';

it('collects mail and smtp proxy addresses, lower-cased, without prefixes, once each', () => {
  assert.deepEqual(
    smtpAddressesOf({ mail: 'A@X.example', proxyAddresses: ['SMTP:a@x.example', 'smtp:B@x.example', 'X500:/o=x', 'sip:a@x.example', 'smtp:'] }).sort(),
    ['a@x.example', 'b@x.example'],
  );
  assert.deepEqual(smtpAddressesOf({ mail: null, proxyAddresses: [] }), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { jsonCollectionResponse, linkWithToken } from '../../../src/api/graph/odata-response.ts';

const request = { url: '/v1.0/users?$top=2&$filter=x%20eq%201&$skipToken=old' } as FastifyRequest;
const options = { base: 'https://h', request, fragment: 'users', odataType: '#microsoft.graph.user' };

test('stored JSON texts are spliced, @odata.type removed, the rest untouched', () => {
  const tricky = { id: '2', '@odata.type': '#microsoft.graph.user', displayName: '"@odata.type":"#microsoft.graph.user",' };
  const otherOrder = { displayName: 'C', id: '3', '@odata.type': '#microsoft.graph.user' };
  const body = jsonCollectionResponse(
    { items: [JSON.stringify({ id: '1', '@odata.type': '#microsoft.graph.user', displayName: 'A' }), JSON.stringify(tricky), JSON.stringify(otherOrder)], nextSkipToken: 'n/+=', count: 7 },
    options,
  );
  assert.deepEqual(JSON.parse(body), {
    '@odata.context': 'https://h/v1.0/$metadata#users',
    '@odata.count': 7,
    value: [{ id: '1', displayName: 'A' }, { id: '2', displayName: tricky.displayName }, { displayName: 'C', id: '3' }],
    '@odata.nextLink': 'https://h/v1.0/users?$top=2&$filter=x%20eq%201&$skiptoken=n%2F%2B%3D',
  });
});

test('links replace any spelling of the paging tokens', () => {
  assert.equal(linkWithToken('https://h', { url: '/v1.0/users/delta?$deltatoken=a&%24select=id' } as FastifyRequest, '$skiptoken', 'b'), 'https://h/v1.0/users/delta?%24select=id&$skiptoken=b');
});

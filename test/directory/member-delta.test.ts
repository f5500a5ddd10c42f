import assert from 'node:assert/strict';
import { it } from 'node:test';
import { netMemberChanges } from '../../src/directory/member-delta.ts';

const add = (id: string, type = 'user') => ({ kind: 'memberAdded', member: { id, type } });
const remove = (id: string, type = 'user') => ({ kind: 'memberRemoved', member: { id, type } });

it('reports the net effect of a round per member', () => {
  assert.deepEqual(netMemberChanges([add('a'), remove('b', 'group'), add('c'), remove('c'), remove('d'), add('d'), add('e'), remove('e'), add('e')]), [
    { id: 'a', '@odata.type': '#microsoft.graph.user' },
    { id: 'b', '@odata.type': '#microsoft.graph.group', '@removed': { reason: 'deleted' } },
    { id: 'e', '@odata.type': '#microsoft.graph.user' },
  ]);
  assert.deepEqual(netMemberChanges([]), []);
});

'use strict';
// Sign facts from branch conditions: which paths no integer value can take.
const test = require('node:test');
const assert = require('node:assert/strict');
const { signFact, signsCompatible } = require('../server/out/core/sign-facts');

test('conditions that test one value against zero give its possible signs', () => {
  assert.deepEqual(signFact('ret', true), { subject: 'ret', signs: 1 | 4 });
  assert.deepEqual(signFact('ret', false), { subject: 'ret', signs: 2 });
  assert.deepEqual(signFact('ret<0', true), { subject: 'ret', signs: 1 });
  assert.deepEqual(signFact('ret<0', false), { subject: 'ret', signs: 2 | 4 });
  assert.deepEqual(signFact('0<n', true), { subject: 'n', signs: 4 });
  assert.deepEqual(signFact('dev->state>=0', true), { subject: 'dev->state', signs: 2 | 4 });
  assert.equal(signFact('ret<1', true), undefined);
  assert.equal(signFact('err!=nil', true), undefined);
  assert.equal(signFact('f(x)', true), undefined);
});

test('ret != 0, not negative, not positive: no value', () => {
  const known = [['ret', true], ['ret<0', false]];
  assert.equal(signsCompatible(signFact('ret>0', false), known), false);
  assert.equal(signsCompatible(signFact('ret>0', true), known), true);
  assert.equal(signsCompatible(signFact('other>0', false), known), true);
  assert.equal(signsCompatible(signFact('ret==0', true), [['ret', true]]), false);
});

test('parity: `x & 1` and a stated constant `x == c` decide each other', () => {
  assert.deepEqual(signFact('seq&1', true), { subject: 'seq', signs: 1 | 4, parity: 2 });
  assert.deepEqual(signFact('seq&1', false), { subject: 'seq', signs: 1 | 2 | 4, parity: 1 });
  assert.deepEqual(signFact('1&seq', true), { subject: 'seq', signs: 1 | 4, parity: 2 });
  assert.deepEqual(signFact('seq==1', true), { subject: 'seq', signs: 4, parity: 2 });
  assert.deepEqual(signFact('seq==0x10', true), { subject: 'seq', signs: 4, parity: 1 });
  assert.deepEqual(signFact('seq==-3', true), { subject: 'seq', signs: 1, parity: 2 });
  assert.equal(signFact('seq==1', false), undefined); // any other value
  assert.deepEqual(signFact('seq!=1', false), { subject: 'seq', signs: 4, parity: 2 });
  assert.equal(signFact('seq&2', true), undefined);
  assert.equal(signFact('seq&11', true), undefined);
  // seq = 1 … if (!(seq & 1)): no value
  assert.equal(signsCompatible(signFact('seq&1', false), [['seq==1', true]]), false);
  assert.equal(signsCompatible(signFact('seq&1', true), [['seq==1', true]]), true);
  assert.equal(signsCompatible(signFact('seq&1', false), [['seq==2', true]]), true);
  // seq = 0 (known false) … if (seq & 1): zero is even
  assert.equal(signsCompatible(signFact('seq&1', true), [['seq', false]]), false);
  assert.equal(signsCompatible(signFact('seq', false), [['seq&1', true]]), false);
  assert.equal(signsCompatible(signFact('seq&1', false), [['seq', false]]), true);
  assert.equal(signsCompatible(signFact('other&1', false), [['seq==1', true]]), true);
});

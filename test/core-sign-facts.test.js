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

// The chart module's arithmetic (www/lib/chart.js): scales, nice steps and ticks, log ticks and their
// labels. No build needed: this imports the source (its drawing needs a DOM and is checked by
// the figures' screenshots and page tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linear, log, niceStep, linearTicks, logTicks, niceLog, tickText } from '../www/lib/chart.js';

test('linear and log scales map their domain onto their range', () => {
  const x = linear([0, 10], [40, 240]);
  assert.deepEqual([x(0), x(5), x(10)], [40, 140, 240]);
  const y = linear([0, 1], [100, 0]); // upward
  assert.equal(y(0.25), 75);
  const l = log([1, 100], [0, 200]);
  assert.ok(Math.abs(l(10) - 100) < 1e-9 && Math.abs(l(100) - 200) < 1e-9);
  assert.ok(Number.isFinite(l(0)) && Number.isFinite(l(-3)), 'non-positive values stay on the chart');
  assert.equal(linear([3, 3], [0, 10])(3), 0, 'an empty domain does not divide by zero');
});

test('nice steps and ticks are 1, 2 or 5 times a power of ten, inside the domain', () => {
  assert.equal(niceStep(0, 1, 5), 0.2);
  assert.equal(niceStep(0, 3000, 3), 1000);
  assert.equal(niceStep(0, 7, 5), 2);
  assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(0.4, 1, 0, 0.1), [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(linearTicks(0, 2648, 3), [0, 1000, 2000]);
  assert.deepEqual(logTicks(0.01, 1), [0.01, 0.1, 1]);
  assert.deepEqual(logTicks(0.3, 3, [1, 2, 5]), [0.5, 1, 2]);
  assert.deepEqual([niceLog(0.37, 1), niceLog(0.37, -1), niceLog(3, 1), niceLog(1, -1)], [0.5, 0.2, 5, 1]);
});

test('tick labels: decimals for linear ticks, the shortest exact form for log ticks', () => {
  assert.deepEqual([0.01, 0.1, 1, 10, 100].map((v) => tickText(v)), ['0.01', '0.1', '1', '10', '100']);
  assert.equal(tickText(-0.5, 1), '−0.5');
  assert.equal(tickText(0.25, 2), '0.25');
});

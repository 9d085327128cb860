// The chart module's arithmetic (www/lib/chart.js): scales, nice steps and ticks, log ticks and their
// labels; and the axes the trade-off chart asks of it (www/figures/tradeoff/chart.js). No build
// needed: this imports the source (the drawing needs a DOM and is checked by the figures'
// screenshots and page tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linear, log, niceStep, linearTicks, logTicks, niceLog, tickText } from '../www/lib/chart.js';
import { axesOf } from '../www/figures/tradeoff/chart.js';

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
  assert.deepEqual(
    [0.01, 0.1, 1, 10, 100].map((v) => tickText(v)),
    ['0.01', '0.1', '1', '10', '100'],
  );
  assert.equal(tickText(-0.5, 1), '−0.5');
  assert.equal(tickText(0.25, 2), '0.25');
});

test('the trade-off chart: diversity from 0 labelled every 0.5 (ticks 0.25 or 0.5 apart), or on a log scale past 3; hit rate from a little below chance to just above 1', () => {
  const measured = (pairs) =>
    new Map(pairs.map(([diversity, hitRate], i) => [String(i), { metrics: { diversity, hitRate } }]));
  const labels = (a) => a.ticks.map(a.format);
  // two overlapping classes, as the pretrained model measures them
  let { x, y } = axesOf(
    measured([
      [1.27, 0.52],
      [0.5, 1],
      [1.27, 0.48],
      [0.63, 1],
      [NaN, NaN],
    ]),
    2,
  );
  assert.equal(x.scale, 'linear');
  assert.deepEqual(x.domain, [0, 1.5]);
  assert.deepEqual(labels(x), ['0.0', '0.5', '1.0', '1.5'], 'labelled every 0.5');
  assert.deepEqual(x.minor, [0.25, 0.75, 1.25], 'with unlabelled ticks between');
  assert.equal(x.title, 'diversity: sample spread / class spread');
  assert.equal(y.domain[0], 0.4, 'chance is 0.5: the axis starts a little below it');
  assert.ok(Math.abs(y.domain[1] - 1.03) < 1e-9, 'and ends just above 1');
  assert.deepEqual(labels(y), ['0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0']);
  // wider: steps of 0.5
  ({ x } = axesOf(
    measured([
      [2.2, 0.5],
      [0.5, 1],
    ]),
    2,
  ));
  assert.deepEqual(labels(x), ['0.0', '0.5', '1.0', '1.5', '2.0', '2.5']);
  assert.deepEqual(x.minor, []);
  // far wider than the class: log scale over 1-2-5 ticks
  ({ x } = axesOf(
    measured([
      [12, 0.5],
      [0.3, 1],
    ]),
    2,
  ));
  assert.equal(x.scale, 'log');
  assert.deepEqual(labels(x), ['0.1', '0.2', '0.5', '1', '2', '5', '10', '20']);
  assert.match(x.title, /\(log scale\)$/);
  // four classes and a hit rate under chance: from 0, in steps of 0.2
  ({ y } = axesOf(
    measured([
      [0.9, 0.05],
      [0.5, 1],
    ]),
    4,
  ));
  assert.deepEqual(labels(y), ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  // nothing measured yet: a frame that holds the class's width
  ({ x, y } = axesOf(new Map(), 3));
  assert.deepEqual([x.domain, y.domain[0]], [[0, 1.25], 0.2]);
});

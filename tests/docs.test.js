// The documentation stays true: docs/figures.md lists every figure id and attribute as the code
// defines them (its generated block must be current), the README stays one page, every relative
// link in README.md and docs/*.md reaches an existing file and heading, and every repository path
// the README names exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { markdown, START, END, DOC } from './figure-docs.js';

const ROOT = new URL('..', import.meta.url).pathname;
const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs');
const pages = () => [
  README,
  ...fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(DOCS, f)),
];

test('docs/figures.md lists every figure and every attribute, as the code defines them', async () => {
  const text = fs.readFileSync(DOC, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  assert.ok(a >= 0 && b > a, 'docs/figures.md has the figure markers');
  assert.equal(
    text.slice(a + START.length, b).trim(),
    (await markdown()).trim(),
    'run: node tests/figure-docs.js --write',
  );
});

test('the README is one page: at most 200 lines', () => {
  const lines = fs.readFileSync(README, 'utf8').trimEnd().split('\n').length;
  assert.ok(lines <= 200, `README.md has ${lines} lines; move the detail into docs/`);
});

/**
 * The text of a markdown file without its code blocks (fenced, or indented after a blank line or a
 * heading) and, unless `keepSpans`, without its code spans; line numbers are kept.
 */
export function prose(text, keepSpans = false) {
  const out = [];
  let fenced = false;
  let blockMayStart = true;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      out.push('');
    } else if (fenced || (blockMayStart && /^( {4}|\t)/.test(line))) {
      out.push('');
      continue; // an indented block goes on while its lines stay indented
    } else {
      out.push(line.replace(/`([^`]*)`/g, keepSpans ? '$1' : ''));
    }
    blockMayStart = line.trim() === '' || /^#{1,6}\s/.test(line);
  }
  return out.join('\n');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
export function anchors(text) {
  const seen = new Map();
  const out = new Set();
  for (const line of prose(text, true).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const plain = m[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

test('the anchors of headings are spelled as GitHub spells them', () => {
  const got = anchors(
    "# A\n## What `./scripts/test.sh` runs\n## The post's questions, measured\n## A\n\n    # not a heading\n```\n# nor this\n```\n",
  );
  assert.deepEqual([...got], ['a', 'what-scriptstestsh-runs', 'the-posts-questions-measured', 'a-1']);
});

test('every relative link in README.md and docs/*.md reaches an existing file and heading', () => {
  const broken = [];
  let count = 0;
  for (const file of pages()) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [, target] of prose(text).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      count++;
      const [p, anchor] = target.split('#');
      const dest = p ? path.resolve(path.dirname(file), decodeURIComponent(p)) : file;
      const where = `${path.relative(ROOT, file)}: ${target}`;
      if (!fs.existsSync(dest)) broken.push(`${where} (no such file)`);
      else if (anchor !== undefined) {
        const text = fs.readFileSync(dest, 'utf8');
        // a page's anchors are its elements' ids; a Markdown file's, its headings
        const ok = dest.endsWith('.html')
          ? new RegExp(`\\sid="${anchor}"`).test(text)
          : anchors(text).has(anchor);
        if (!ok) broken.push(`${where} (no such ${dest.endsWith('.html') ? 'id' : 'heading'})`);
      }
    }
  }
  assert.ok(count > 0, 'found no links at all');
  assert.deepEqual(broken, []);
});

test('every repository path the README names exists', () => {
  const text = fs.readFileSync(README, 'utf8');
  const missing = [];
  for (const [, p] of text.matchAll(/`((?:crate|www|tests|scripts|docs)\/[^`\s]*)`/g)) {
    if (/[<*]/.test(p)) continue; // a pattern such as www/figures/<id>/index.js
    if (!fs.existsSync(path.join(ROOT, p))) missing.push(p);
  }
  assert.deepEqual(missing, []);
});

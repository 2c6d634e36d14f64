import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printable, renderFields, renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns columns under their headers, numbers to the right', () => {
    const text = renderTable([{ header: 'ID' }, { header: 'Name' }, { header: 'Size', align: 'right' }], [
      ['a1', 'debian-12', '1.0 GiB'],
      ['b2', 'x', '12 B'],
    ]);
    assert.equal(text, [
      'ID  Name          Size',
      'a1  debian-12  1.0 GiB',
      'b2  x             12 B',
    ].join('\n'));
  });

  it('prints only the header for no rows, without trailing spaces', () => {
    assert.equal(renderTable([{ header: 'ID' }, { header: 'Name' }], []), 'ID  Name');
  });

  it('escapes control characters so a name cannot drive the terminal', () => {
    const text = renderTable([{ header: 'Name' }], [['evil\x1b[2Jname']]);
    assert.ok(!text.includes('\x1b'));
    assert.match(text, /evil\\x1b\[2Jname/);
  });
});

describe('renderFields', () => {
  it('aligns values and indents continuation lines', () => {
    assert.equal(renderFields([['id', 'abc'], ['description', 'one\ntwo'], ['x', '']]), [
      'id           abc',
      'description  one',
      '             two',
      'x',
    ].join('\n'));
  });
});

describe('printable', () => {
  it('turns tabs into spaces and escapes the rest', () => {
    assert.equal(printable('a\tb\nc\u009b'), 'a b\\x0ac\\x9b');
  });
});

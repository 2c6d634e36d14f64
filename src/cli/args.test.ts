import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expectPositionals, flagOption, integerOption, keyValueOption, listOption, parseCommandArgs, stringOption, UsageError,
} from './args.js';

const OPTIONS = {
  name: { type: 'string' },
  tag: { type: 'string', multiple: true },
  property: { type: 'string', multiple: true },
  protected: { type: 'boolean' },
  'min-disk': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

describe('parseCommandArgs', () => {
  it('reads strings, repeated options, flags, short options and positionals', () => {
    const { values, positionals } = parseCommandArgs(
      ['img', '--name', 'n', '--tag', 'a', '--tag=b', '--protected', '-o', 'out.raw', '--min-disk', '10'], OPTIONS,
    );
    assert.deepEqual(positionals, ['img']);
    assert.equal(stringOption(values, 'name'), 'n');
    assert.deepEqual(listOption(values, 'tag'), ['a', 'b']);
    assert.equal(flagOption(values, 'protected'), true);
    assert.equal(stringOption(values, 'output'), 'out.raw');
    assert.equal(integerOption(values, 'min-disk'), 10);
    assert.deepEqual(listOption(values, 'property'), []);
  });

  it('turns unknown options and missing values into short usage errors', () => {
    assert.throws(() => parseCommandArgs(['--bogus'], OPTIONS), (err: unknown) => err instanceof UsageError && err.message === "Unknown option '--bogus'");
    assert.throws(() => parseCommandArgs(['--name'], OPTIONS), UsageError);
  });

  it('takes a dash-leading positional after --', () => {
    assert.deepEqual(parseCommandArgs(['--', '-weird-name'], OPTIONS).positionals, ['-weird-name']);
  });
});

describe('option helpers', () => {
  it('refuses integers that are not whole non-negative numbers', () => {
    for (const bad of ['-1', '1.5', 'ten', '']) {
      assert.throws(() => integerOption({ 'min-disk': bad }, 'min-disk'), UsageError, bad);
    }
    assert.throws(() => integerOption({ limit: '0' }, 'limit', 1), /at least 1/);
  });

  it('splits KEY=VALUE at the first equals sign', () => {
    assert.deepEqual(keyValueOption({ property: ['a=1', 'b=x=y', 'c='] }, 'property'), { a: '1', b: 'x=y', c: '' });
    assert.throws(() => keyValueOption({ property: ['novalue'] }, 'property'), /KEY=VALUE/);
    assert.throws(() => keyValueOption({ property: ['=v'] }, 'property'), /KEY=VALUE/);
  });

  it('checks the number of positionals', () => {
    assert.throws(() => expectPositionals([], 1, 1, 'the image id or name'), /missing the image id or name/);
    assert.throws(() => expectPositionals(['a', 'b'], 1, 1, 'x'), /unexpected argument 'b'/);
    assert.doesNotThrow(() => expectPositionals(['a', 'b', 'c'], 1, Infinity, 'x'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandArgs } from './args.js';
import { imageUpdateCommand, updateChanges } from './image-update.command.js';

const changes = (argv: string[]) => updateChanges(parseCommandArgs(argv, imageUpdateCommand.options).values);

describe('image update options', () => {
  it('collect every change', () => {
    assert.deepEqual(changes([
      '--name', 'n', '--visibility', 'private', '--protected', '--min-disk', '1', '--min-ram', '2',
      '--property', 'a=1', '--remove-property', 'b',
    ]), { name: 'n', visibility: 'private', protected: true, minDisk: 1, minRam: 2, setProperties: { a: '1' }, removeProperties: ['b'] });
  });

  it('must change something', () => {
    assert.throws(() => changes([]), /nothing to update/);
  });

  it('unprotect with --unprotected and refuse both', () => {
    assert.equal(changes(['--unprotected']).protected, false);
    assert.throws(() => changes(['--protected', '--unprotected']), /contradict/);
  });
});
